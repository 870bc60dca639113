package dev.hallmark.tools.distill;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The rival's watermark-removal attacks on distillation (Pan et al., "Can LLM watermarks robustly
 * prevent unauthorized knowledge distillation?", ACL 2025), as a rival with this project's tools
 * would run them against a watermark of context width n (1 or 2), with its own unwatermarked
 * reference model (an order-(n + 1) n-gram of the human text it owns):
 *
 * <ul>
 *   <li><b>Watermark stealing</b> ({@link #steal}): for the most frequent n-token prefixes c of its
 *       training data, compare the trained model's next-token probabilities with the reference's
 *       over the model's top {@value #TOP_K} tokens; a token whose probability rose gets the score
 *       {@code d = min(P/P_ref, 2) / 2} (Pan et al.'s d_n), and the prefix the weight
 *       {@code w = (log f / log f_max)^-0.3} (f its relative frequency; frequent prefixes, where a
 *       student learns the watermark, weigh most).
 *   <li><b>Targeted paraphrase</b> (TP, before training, {@link #paraphrase}): in the harvested
 *       documents, each token that the harvest's own statistics make suspicious (its probability
 *       after its prefix is higher in the harvest than in the reference) is rewritten with
 *       probability s by a fresh draw from the reference model after the (already rewritten) prefix.
 *   <li><b>Watermark neutralisation</b> (WN, at the student's inference, {@link Neutralized}): the
 *       student's logits lose {@code delta' * w(c) * d(x | c)} for every stolen token x after prefix
 *       c, the rival's inverse watermark.
 * </ul>
 */
final class RemovalAttacks {

    /** Tokens examined per prefix (the model's most likely). */
    static final int TOP_K = 50;
    /** Prefix weight exponent (Pan et al.). */
    static final double WEIGHT_EXPONENT = 0.3;

    private RemovalAttacks() {
    }

    /** A run's attack: {@code none}, {@code paraphrase:S} (S in (0, 1]) or {@code neutralize:D} (D > 0). */
    record Attack(String kind, double strength) {

        static final Attack NONE = new Attack("none", 0);

        static Attack parse(String spec) {
            if (spec == null || spec.equals("none")) {
                return NONE;
            }
            String bad = "attack '" + spec + "': use none, paraphrase:S (S in (0, 1]) or neutralize:D (D > 0)";
            int c = spec.indexOf(':');
            if (c < 0) {
                throw new IllegalArgumentException(bad);
            }
            String kind = spec.substring(0, c).toLowerCase(Locale.ROOT);
            double s;
            try {
                s = Double.parseDouble(spec.substring(c + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(bad, e);
            }
            if (kind.equals("paraphrase") && s > 0 && s <= 1 || kind.equals("neutralize") && s > 0 && s < 1e6) {
                return new Attack(kind, s);
            }
            throw new IllegalArgumentException(bad);
        }

        @Override
        public String toString() {
            return this == NONE || kind.equals("none") ? "none" : kind + ":" + strength;
        }
    }

    /**
     * Stolen scores: for each one-token prefix, the suspicious next tokens and their d, and the
     * prefix's weight.
     */
    record Stolen(int prefixLength, Map<Long, int[]> tokens, Map<Long, double[]> scores, Map<Long, Double> weights) {
        int prefixes() {
            return tokens.size();
        }
    }

    /** The last {@code n} ids before {@code len}, packed (20 bits each), or -1 if there are fewer. */
    static long prefix(int[] ids, int len, int n) {
        if (len < n) {
            return -1;
        }
        long p = 0;
        for (int j = len - n; j < len; j++) {
            p = (p << 20) | ids[j];
        }
        return p;
    }

    /**
     * Steals the inherited green lists: {@code model} (trained on the harvest) against
     * {@code reference} (of order {@code n + 1}), over the n-token prefixes of {@code data} whose
     * relative frequency is above {@code minFrequency} (n = the watermark's context width, which the
     * rival knows or estimates, as Pan et al. do).
     */
    static Stolen steal(NgramModel model, NgramModel reference, List<int[]> data, double minFrequency, int n) {
        if (n < 1 || n > 2) {
            throw new IllegalArgumentException("prefix length must be 1 or 2, got " + n);
        }
        Map<Long, Long> counts = new HashMap<>();
        long total = 0;
        for (int[] d : data) {
            for (int t = n; t <= d.length; t++) {
                counts.merge(prefix(d, t, n), 1L, Long::sum);
                total++;
            }
        }
        double fMax = 0;
        for (long c : counts.values()) {
            fMax = Math.max(fMax, (double) c / total);
        }
        NgramModel.Nucleus scratch = model.newNucleus();
        int[] ids = new int[scratch.capacity()];
        double[] probs = new double[scratch.capacity()];
        Map<Long, int[]> tokens = new HashMap<>();
        Map<Long, double[]> scores = new HashMap<>();
        Map<Long, Double> weights = new HashMap<>();
        int[] hist = new int[n];
        for (Map.Entry<Long, Long> e : counts.entrySet()) {
            double f = (double) e.getValue() / total;
            if (f <= minFrequency) {
                continue;
            }
            for (int j = 0; j < n; j++) {
                hist[j] = (int) ((e.getKey() >>> (20 * (n - 1 - j))) & 0xFFFFF);
            }
            int top = Math.min(TOP_K, model.nucleus(hist, n, 0.999, scratch, ids, probs));
            List<Integer> xs = new ArrayList<>();
            List<Double> ds = new ArrayList<>();
            for (int j = 0; j < top; j++) {
                double ref = reference.prob(hist, n, ids[j]);
                if (probs[j] > ref) {
                    xs.add(ids[j]);
                    ds.add(0.5 * Math.min(ref > 0 ? probs[j] / ref : 2.0, 2.0));
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            tokens.put(e.getKey(), xs.stream().mapToInt(Integer::intValue).toArray());
            scores.put(e.getKey(), ds.stream().mapToDouble(Double::doubleValue).toArray());
            // f < fMax < 1, so both logs are negative and the ratio is >= 1
            double ratio = fMax >= 1 || f >= fMax ? 1 : Math.log(f) / Math.log(fMax);
            weights.put(e.getKey(), 1 / Math.pow(ratio, WEIGHT_EXPONENT));
        }
        return new Stolen(n, tokens, scores, weights);
    }

    /**
     * Targeted paraphrase of harvested documents: with the harvest's own bigram statistics against
     * the reference, each suspicious token is redrawn from the reference with probability
     * {@code strength}; the rest is kept. Returns the rewritten documents and the share rewritten.
     */
    static List<int[]> paraphrase(List<int[]> harvest, NgramModel reference, double strength, int vocab,
            SplittableRandom random, long[] rewrittenOut) {
        // the harvest's own statistics at the reference's order (n + 1 for a context of n tokens)
        NgramModel stats = NgramModel.fit(harvest, vocab, reference.order());
        List<int[]> out = new ArrayList<>(harvest.size());
        long rewritten = 0;
        long tokens = 0;
        for (int[] d : harvest) {
            int[] w = d.clone();
            for (int t = reference.order() - 1; t < w.length; t++) {
                tokens++;
                int y = w[t];
                // the suspicion is judged on the original pair; the redraw follows the rewritten prefix
                double pH = stats.prob(d, t, y);
                double pR = reference.prob(d, t, y);
                if (pH > pR && random.nextDouble() < strength) {
                    w[t] = reference.next(w, t, random);
                    rewritten++;
                }
            }
            out.add(w);
        }
        rewrittenOut[0] = rewritten;
        rewrittenOut[1] = tokens;
        return out;
    }

    /** The student's sampling with the rival's inverse watermark: P'(x | c) proportional to P(x | c) e^(-delta' w(c) d(x | c)). */
    static final class Neutralized {
        private final NgramModel model;
        private final Stolen stolen;
        private final double delta;

        Neutralized(NgramModel model, Stolen stolen, double delta) {
            this.model = model;
            this.stolen = stolen;
            this.delta = delta;
        }

        /** The biases b_x of the stolen tokens after the last token of {@code history[0..len)}, or null. */
        private double[] biases(int[] history, int len, int[][] idsOut) {
            long c = prefix(history, len, stolen.prefixLength());
            if (c < 0) {
                return null;
            }
            int[] xs = stolen.tokens().get(c);
            if (xs == null) {
                return null;
            }
            double[] d = stolen.scores().get(c);
            double w = stolen.weights().get(c);
            double[] b = new double[xs.length];
            for (int j = 0; j < xs.length; j++) {
                b[j] = delta * w * d[j];
            }
            idsOut[0] = xs;
            return b;
        }

        /** Samples the next token: the stolen tokens re-weighted, everything else as the student has it. */
        int next(int[] history, int len, SplittableRandom random) {
            int[][] xsOut = new int[1][];
            double[] b = biases(history, len, xsOut);
            if (b == null) {
                return model.next(history, len, random);
            }
            int[] xs = xsOut[0];
            double[] kept = new double[xs.length];
            double massT = 0;
            double keptT = 0;
            for (int j = 0; j < xs.length; j++) {
                double p = model.prob(history, len, xs[j]);
                massT += p;
                kept[j] = p * Math.exp(-b[j]);
                keptT += kept[j];
            }
            double z = 1 - massT + keptT;
            double u = random.nextDouble() * z;
            if (u < keptT) {
                for (int j = 0; j < xs.length; j++) {
                    u -= kept[j];
                    if (u < 0) {
                        return xs[j];
                    }
                }
                return xs[xs.length - 1];
            }
            // outside the stolen tokens the law is the student's, restricted: rejection sampling
            while (true) {
                int x = model.next(history, len, random);
                boolean inT = false;
                for (int s : xs) {
                    inT |= s == x;
                }
                if (!inT) {
                    return x;
                }
            }
        }

        /** {@code count} tokens after {@code prompt}. */
        int[] generate(int[] prompt, int count, SplittableRandom random) {
            int[] buf = java.util.Arrays.copyOf(prompt, prompt.length + count);
            for (int t = prompt.length; t < buf.length; t++) {
                buf[t] = next(buf, t, random);
            }
            return java.util.Arrays.copyOfRange(buf, prompt.length, buf.length);
        }

        /** ln P'(x | history[0..len)). */
        double logProb(int[] history, int len, int x) {
            double p = model.prob(history, len, x);
            int[][] xsOut = new int[1][];
            double[] b = biases(history, len, xsOut);
            if (b == null) {
                return Math.log(p);
            }
            int[] xs = xsOut[0];
            double massT = 0;
            double keptT = 0;
            double bx = 0;
            for (int j = 0; j < xs.length; j++) {
                double q = model.prob(history, len, xs[j]);
                massT += q;
                keptT += q * Math.exp(-b[j]);
                if (xs[j] == x) {
                    bx = b[j];
                }
            }
            return Math.log(p) - bx - Math.log(1 - massT + keptT);
        }
    }

    /** Probability floor for a held-out token the student never saw (its Witten-Bell unigram gives it 0). */
    static final double OOV_FLOOR = 1e-7;

    /**
     * Perplexity of the student (neutralised or not) on held-out documents: exp of the mean negative
     * log-likelihood, a token the student never saw counted at {@link #OOV_FLOOR}.
     */
    static double perplexity(NgramModel model, Neutralized neutralized, List<int[]> heldout) {
        double nll = 0;
        long n = 0;
        for (int[] d : heldout) {
            for (int t = 0; t < d.length; t++) {
                double lp = model.prob(d, t, d[t]) <= 0 ? Math.log(OOV_FLOOR)
                        : neutralized != null ? neutralized.logProb(d, t, d[t]) : Math.log(model.prob(d, t, d[t]));
                nll -= lp;
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(nll / n);
    }
}
