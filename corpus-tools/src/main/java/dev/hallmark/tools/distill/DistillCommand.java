package dev.hallmark.tools.distill;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.tools.TokenizerOption;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark distill --config FILE}: the end-to-end distillation experiment. A watermarked
 * teacher serves coded per-account keys; a harvest through some accounts is mixed into students'
 * training data at watermarked fraction rho; students (n-gram and neural) generate on fresh
 * prompts; the radioactivity test and account attribution run on their outputs; negative
 * controls and never-deployed keys check the null. See docs/experiments/distillation.md.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
        description = {"End-to-end distillation experiment: watermarked teacher -> harvest through accounts -> "
                + "students at watermarked fraction rho -> radioactivity test and account attribution on their outputs.",
            "Teacher corpora are generated once into the work directory and reused by later runs."})
public final class DistillCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "Experiment config (YAML or JSON).")
    Path config;

    @Option(names = "--out", description = "Results directory (default: docs/experiments/distillation).")
    Path out = Path.of("docs/experiments/distillation");

    @Option(names = "--work", description = "Cache directory for teacher corpora and tokenized text "
            + "(default: the config's work, else datasets/build/distill/<name>).")
    Path work;

    @Option(names = "--teacher-only", description = "Only generate (or check) the teacher corpora, then stop.")
    boolean teacherOnly;

    @Mixin
    TokenizerOption tokenizer;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (HttpStoryConfig.isHttp(config)) { // story: http, the same experiment over loopback HTTP
            HttpStoryConfig h = HttpStoryConfig.read(config);
            ObjectNode res = HttpStoryRunner.run(h, work != null ? work : Path.of(h.work()), out, tokenizer.given(), err);
            spec.commandLine().getOut().println(HttpStoryRunner.markdown(res));
            return 0;
        }
        DistillConfig cfg = DistillConfig.read(config);
        // one PyTorch thread unless the caller chose otherwise: the machine is shared
        String threads = Integer.toString(cfg.teacher().threads());
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", threads);
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        Path w = work != null ? work : Path.of(cfg.work());
        ObjectNode res = new DistillExperiment(cfg, w, out, tokenizer.given(), tokenizer.engine(), err).run(teacherOnly);
        if (res == null) {
            return 0;
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println(DistillSummary.markdown(res));
        o.flush();
        return 0;
    }
}
