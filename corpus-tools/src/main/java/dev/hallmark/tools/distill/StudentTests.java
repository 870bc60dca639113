package dev.hallmark.tools.distill;

import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests stage: the radioactivity test and account attribution on a student's outputs, at every
 * budget and filter of its run ({@link SuspectTester}), and the never-deployed-key calibration.
 * Served-data filters are built once per scheme and size and shared by all students.
 */
final class StudentTests {

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
                : keys.master();
        AccountKeys accountKeys = r.freshMasters() ? new AccountKeys(scoring, Scheme.parse(scheme), keys.code())
                : keys.of(scheme);
        List<SuspectTester.Variant> variants = new ArrayList<>();
        for (String spec : r.filters(cfg.suspect())) {
            SuspectTester.FilterSpec fs = SuspectTester.FilterSpec.parse(spec);
            PositionFilter base = fs.servedTop() < 0 ? PositionFilter.ALL : servedFilter(scheme, fs.servedTop());
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
        if (r.calibrationKeys(cfg.suspect()) > 0 && !r.freshMasters()) {
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
