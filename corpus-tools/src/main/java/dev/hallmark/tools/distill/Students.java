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
     * @param perplexity the n-gram student's perplexity on held-out human text, as it samples (with
     *     the rival's neutralisation if any); NaN for neural students
     * @param seconds wall time of training and sampling
     */
    record Outputs(Student student, Pipeline.Mix mix, List<Pipeline.SuspectDoc> docs, double finalLoss,
            double perplexity, double seconds) {
    }

    /** Trains {@code student} on {@code mix} (an n-gram model, or a small transformer) and samples its outputs. */
    static Outputs train(DistillConfig cfg, DistillInputs in, Student student, Pipeline.Mix mix, PrintWriter err) {
        DistillConfig.Run r = student.run();
        List<Long> budgets = r.budgets(cfg.suspect());
        long maxBudget = budgets.get(budgets.size() - 1);
        long outputsSeed = DistillInputs.seed(cfg, "outputs/" + student.seedLabel());
        long t0 = System.nanoTime();
        if (r.student().equals("ngram")) {
            NgramModel m = NgramModel.fit(mix.docs(), in.vocab(), r.order());
            RemovalAttacks.Attack attack = RemovalAttacks.Attack.parse(r.attack());
            Rival rival = Rival.of(cfg, in);
            RemovalAttacks.Neutralized neutral = null;
            if (attack.kind().equals("neutralize")) {
                // the rival steals the inherited lists from its own student against its reference
                int n = Math.max(1, Math.min(2, dev.hallmark.scheme.Scheme.parse(cfg.schemeOf(r)).contextWidth()));
                RemovalAttacks.Stolen stolen = RemovalAttacks.steal(m, rival.reference(n), mix.docs(), 5e-5, n);
                neutral = new RemovalAttacks.Neutralized(m, stolen, attack.strength());
            }
            RemovalAttacks.Neutralized n = neutral;
            List<Pipeline.SuspectDoc> docs = Pipeline.ngramOutputs((p, len, rnd) -> n != null ? n.generate(p, len, rnd)
                    : m.generate(p, len, rnd), in.freshPrompts(), cfg.suspect().tokensPerPrompt(), maxBudget, outputsSeed);
            double ppl = cfg.human().heldout() == null ? Double.NaN : RemovalAttacks.perplexity(m, neutral, rival.heldout);
            return new Outputs(student, mix, docs, Double.NaN, ppl, (System.nanoTime() - t0) / 1e9);
        }
        try (NeuralStudent ns = NeuralStudent.train(mix.docs(), in.vocab(), in.eos(), r.neural(),
                DistillInputs.seed(cfg, "student/" + student.seedLabel()), err)) {
            double loss = ns.finalLoss();
            return new Outputs(student, mix, ns.generate(in.freshPrompts(), cfg.suspect().tokensPerPrompt(), maxBudget,
                    outputsSeed, cfg.teacher().batch(), err), loss, Double.NaN, (System.nanoTime() - t0) / 1e9);
        }
    }
}
