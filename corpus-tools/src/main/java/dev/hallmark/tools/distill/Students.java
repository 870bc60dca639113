package dev.hallmark.tools.distill;

import java.io.PrintWriter;
import java.util.List;

/** The students stage: train a student on its training mix and let it answer the fresh prompts. */
final class Students {

    private Students() {
    }

    /**
     * A trained student's outputs.
     *
     * @param student which student
     * @param mix its training data
     * @param docs its completions of the fresh prompts, up to the run's largest budget
     * @param finalLoss the neural student's final training loss (NaN for n-gram students)
     */
    record Outputs(Student student, Pipeline.Mix mix, List<Pipeline.SuspectDoc> docs, double finalLoss) {
    }

    /** Trains {@code student} on {@code mix} (an n-gram model, or a small transformer) and samples its outputs. */
    static Outputs train(DistillConfig cfg, DistillInputs in, Student student, Pipeline.Mix mix, PrintWriter err) {
        DistillConfig.Run r = student.run();
        List<Long> budgets = r.budgets(cfg.suspect());
        long maxBudget = budgets.get(budgets.size() - 1);
        long outputsSeed = DistillInputs.seed(cfg, "outputs/" + student.seedLabel());
        if (r.student().equals("ngram")) {
            NgramModel m = NgramModel.fit(mix.docs(), in.vocab(), r.order());
            return new Outputs(student, mix, Pipeline.ngramOutputs(m, in.freshPrompts(), cfg.suspect().tokensPerPrompt(),
                    maxBudget, outputsSeed), Double.NaN);
        }
        try (NeuralStudent ns = NeuralStudent.train(mix.docs(), in.vocab(), in.eos(), r.neural(),
                DistillInputs.seed(cfg, "student/" + student.seedLabel()), err)) {
            double loss = ns.finalLoss();
            return new Outputs(student, mix, ns.generate(in.freshPrompts(), cfg.suspect().tokensPerPrompt(), maxBudget,
                    outputsSeed, cfg.teacher().batch(), err), loss);
        }
    }
}
