package dev.hallmark.tools.distill;

import dev.hallmark.tools.Defaults;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link DistillConfig} through its stages, each a function of the previous stages'
 * outputs: the shared inputs ({@link DistillInputs}: lab, human text, fresh prompts), the teacher
 * corpora ({@link TeacherCorpora}), then per student the harvest mix ({@link Harvest}), training
 * and outputs ({@link Students}) and the tests ({@link StudentTests}), and finally the report
 * ({@link DistillReport}: JSON, CSV, a Markdown summary, plots) in the output directory.
 *
 * <p>Work directory (caches, reused across invocations with the same settings): tokenized human
 * text, and one JSONL per teacher corpus with a metadata file. A teacher corpus generated under
 * different settings is never silently reused or overwritten.
 */
public final class DistillExperiment {

    private final DistillConfig cfg;
    private final Path work;
    private final Path out;
    private final Path tokenizerPath;
    private final TokenizerEngine engine;
    private final PrintWriter err;

    /**
     * @param tokenizerPath tokenizer.json, or null for the Hallmark default (Qwen3), run by the fast engine
     */
    public DistillExperiment(DistillConfig cfg, Path work, Path out, Path tokenizerPath, PrintWriter err) {
        this(cfg, work, out, tokenizerPath, TokenizerEngine.FAST, err);
    }

    /**
     * @param tokenizerPath tokenizer.json, or null for the Hallmark default (Qwen3)
     * @param engine the tokenizer engine (both give the same ids, so the same results)
     */
    public DistillExperiment(DistillConfig cfg, Path work, Path out, Path tokenizerPath, TokenizerEngine engine,
            PrintWriter err) {
        this.cfg = cfg;
        this.work = work;
        this.out = out;
        this.tokenizerPath = tokenizerPath;
        this.engine = java.util.Objects.requireNonNull(engine, "engine");
        this.err = err;
    }

    /** Runs everything; returns the results JSON (also written to the output directory). */
    public ObjectNode run() throws IOException {
        return run(false);
    }

    /**
     * Runs everything, or with {@code teacherOnly} only builds the teacher corpora (returns null).
     */
    public ObjectNode run(boolean teacherOnly) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(work);
        Files.createDirectories(out);
        try (TextTokenizer tokenizer = Defaults.openTokenizer(tokenizerPath, engine)) {
            DistillInputs in = DistillInputs.load(cfg, work, tokenizer, err);
            LabKeys keys = new LabKeys(in.master(), cfg.lab().accountCode());
            TeacherCorpora corpora = TeacherCorpora.build(cfg, work, in, keys, err);
            if (teacherOnly) {
                return null;
            }
            DistillReport.StudentResults students = runStudents(in, corpora, keys);
            ObjectNode res = DistillReport.results(cfg, in, corpora, keys, students, (System.nanoTime() - t0) / 1e9);
            DistillReport.write(cfg.name(), res, students, out, err);
            return res;
        }
    }

    /** Every student: its training mix, training and outputs, and the tests on them. */
    private DistillReport.StudentResults runStudents(DistillInputs in, TeacherCorpora corpora, LabKeys keys) {
        List<Student> all = Student.all(cfg);
        List<ResultRow> rows = new ArrayList<>();
        Map<String, List<double[]>> calibration = new LinkedHashMap<>();
        Progress bar = new Progress("students", all.size(), err);
        try (StudentTests tests = new StudentTests(cfg, in, corpora, keys)) {
            for (Student s : all) {
                Pipeline.Mix mix = Harvest.trainingMix(cfg, in, corpora, s);
                StudentTests.Result r = tests.test(Students.train(cfg, in, s, mix, err));
                rows.addAll(r.rows());
                r.calibration().forEach((k, v) -> calibration.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
                bar.step(1);
            }
        }
        bar.done();
        return new DistillReport.StudentResults(rows, calibration);
    }
}
