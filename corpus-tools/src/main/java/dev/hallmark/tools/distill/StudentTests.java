package dev.hallmark.tools.distill;

import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests stage: the radioactivity test and account attribution on a student's outputs, at every
 * budget and filter of its run ({@link SuspectTester}), and the never-deployed-key calibration.
 * Served-data and counterpart filters are built once per scheme and size and shared by all students;
 * a fresh-lab run regenerates its served data per student (each is a different lab).
 */
final class StudentTests implements AutoCloseable {

    /**
     * What the tests found on one student.
     *
     * @param rows one per (budget, filter)
     * @param calibration never-deployed keys' log10 p per {@code run|filter} (empty without calibration keys)
     */
    record Result(List<ResultRow> rows, Map<String, double[]> calibration) {
    }

    private final DistillConfig cfg;
    private final DistillInputs in;
    private final TeacherCorpora corpora;
    private final LabKeys keys;
    private final Map<String, PositionFilter> servedFilters = new HashMap<>();
    private LanguageModel teacher;
    private NgramModel ngramTeacher;

    StudentTests(DistillConfig cfg, DistillInputs in, TeacherCorpora corpora, LabKeys keys) {
        this.cfg = cfg;
        this.in = in;
        this.corpora = corpora;
        this.keys = keys;
    }

    /** Tests one student's outputs. */
    Result test(Students.Outputs outputs) {
        Student student = outputs.student();
        DistillConfig.Run r = student.run();
        String scheme = cfg.schemeOf(r);
        WatermarkKey scoring = r.freshMasters() ? Pipeline.simulatedKey("fresh-master/" + student.label())
                : r.freshLabs() ? Pipeline.simulatedKey("fresh-lab/" + student.label()) : keys.master();
        AccountKeys accountKeys = r.freshMasters() || r.freshLabs()
                ? new AccountKeys(scoring, Scheme.parse(scheme), keys.code()) : keys.of(scheme);
        int h = Scheme.parse(scheme).contextWidth();
        // a fresh lab served its own watermarked text: the served filter is rebuilt from it
        List<int[]> freshServed = null;
        List<SuspectTester.Variant> variants = new ArrayList<>();
        for (String spec : r.filters(cfg.suspect())) {
            SuspectTester.FilterSpec fs = SuspectTester.FilterSpec.parse(spec);
            PositionFilter base = switch (fs.source()) {
                case NONE -> PositionFilter.ALL;
                case SERVED -> {
                    if (!r.freshLabs()) {
                        yield servedFilter(scheme, fs.top());
                    }
                    if (freshServed == null) {
                        freshServed = regenerateServed(scheme, accountKeys);
                    }
                    yield SuspectTester.contextFilter(freshServed, h, fs.top());
                }
                case COUNTERPART -> counterpartFilter(h, fs.top());
                case SUSPECT -> SuspectTester.contextFilter(
                        outputs.docs().stream().map(Pipeline.SuspectDoc::completion).toList(), h, fs.top());
            };
            variants.add(new SuspectTester.Variant(spec, base, fs.minRepeats()));
        }
        SuspectTester.PromptExclusion exclusion = SuspectTester.PromptExclusion.parse(r.excludePrompt(cfg.suspect()));
        SuspectTester tester = new SuspectTester(accountKeys, variants, exclusion, student.harvesters(in),
                cfg.lab().accounts(), cfg.lab().alpha(), cfg.lab().coalition());
        List<ResultRow> rows = new ArrayList<>();
        for (SuspectTester.Measurement m : tester.run(outputs.docs(), r.budgets(cfg.suspect()))) {
            rows.add(ResultRow.of(outputs, scheme, m));
        }
        Map<String, double[]> calibration = new LinkedHashMap<>();
        if (r.calibrationKeys(cfg.suspect()) > 0 && !r.freshMasters() && !r.freshLabs()) {
            List<WatermarkKey> never = new ArrayList<>();
            for (int j = 0; j < r.calibrationKeys(cfg.suspect()); j++) {
                never.add(Pipeline.simulatedKey("never-deployed/" + student.label() + "/" + j));
            }
            for (SuspectTester.Variant v : variants) {
                calibration.put(r.name() + "|" + v.name(),
                        SuspectTester.calibrate(outputs.docs(), never, Scheme.parse(scheme), v, exclusion));
            }
        }
        return new Result(rows, calibration);
    }

    /** A fresh lab's served data: the teacher (opened once) regenerates every corpus of the scheme under its key. */
    private List<int[]> regenerateServed(String scheme, AccountKeys labKeys) {
        DistillConfig.Teacher t = cfg.teacher();
        if (t.ngramOrder() > 0 && t.temperature() == 1.0 && t.topK() == 0) {
            if (ngramTeacher == null) {
                ngramTeacher = NgramModel.fit(in.human(), in.vocab(), t.ngramOrder());
            }
            return TeacherCorpora.regenerateServed(cfg, in, corpora, null, ngramTeacher, scheme, labKeys);
        }
        if (teacher == null) {
            teacher = TeacherCorpora.openTeacher(cfg, in, new PrintWriter(Writer.nullWriter()));
        }
        return TeacherCorpora.regenerateServed(cfg, in, corpora, teacher, scheme, labKeys);
    }

    /** Closes the teacher if a fresh lab opened it. */
    @Override
    public void close() {
        if (teacher != null) {
            teacher.close();
            teacher = null;
        }
    }

    /** The counterpart filter: over every unwatermarked completion of the served prompts. */
    private PositionFilter counterpartFilter(int h, int top) {
        return servedFilters.computeIfAbsent("counterpart|" + h + "|" + top, k -> {
            List<int[]> plain = corpora.counterpart();
            if (plain.isEmpty()) {
                throw new IllegalArgumentException("counterpart filters need an unwatermarked corpus (scheme: none) "
                        + "answering the served prompts");
            }
            return SuspectTester.contextFilter(plain, h, top);
        });
    }

    /** The served-data filter for a scheme: over every completion the lab served with that scheme. */
    private PositionFilter servedFilter(String scheme, int top) {
        return servedFilters.computeIfAbsent(scheme + "|" + top, k -> {
            List<int[]> served = corpora.served(scheme);
            if (served.isEmpty()) {
                throw new IllegalArgumentException("no corpus was served with scheme " + scheme
                        + ": the served-data filter has nothing to select from");
            }
            return SuspectTester.servedFilter(served, ContextFilters.Window.of(Scheme.parse(scheme)), top);
        });
    }
}
