package dev.hallmark.tools.experiment;

import dev.hallmark.embed.TokenSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.IdMap;
import dev.hallmark.generate.TransformerLm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * The project's transformer LM ({@link TransformerLm}) as an experiment model: generation through
 * {@link Generator} in batches (KV cache), and log-probabilities for perplexity from full-sequence
 * forward passes.
 *
 * <p>Log-probabilities: rows of one batch are right-padded to a common length (a causal model's
 * earlier positions cannot see the padding); a prompt plus completion longer than the model's
 * context is scored in windows of the context length advancing by half of it, each position
 * scored once with at least half a context of history (the first window scores from the start).
 * The softmax is over the model's covered ids, which is the full distribution (other ids have
 * probability 0).
 */
public final class LmTextModel implements TextModel {

    private final TransformerLm lm;
    private final int batchSize;
    private final int[] suppressed;
    private final String description;

    private LmTextModel(TransformerLm lm, int batchSize, int[] suppressed, String description) {
        this.lm = lm;
        this.batchSize = batchSize;
        this.suppressed = suppressed;
        this.description = description;
    }

    /**
     * Wraps a loaded model.
     *
     * @param suppressed ids never to generate (end-of-text), so texts have full length
     * @param dir the directory it was loaded from (recorded with the weights' checksum), or null
     */
    public static LmTextModel of(TransformerLm lm, int batchSize, int[] suppressed, Path dir) {
        Objects.requireNonNull(lm, "lm");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        String d = lm.name() + " (" + lm.parameterCount() + " parameters, context " + lm.maxContext() + ", "
                + lm.idMap().size() + " covered ids" + (dir == null ? "" : ", " + dir + ", weights sha256 "
                + sha256(dir.resolve("weights.ndlist"))) + ")";
        return new LmTextModel(lm, batchSize, suppressed.clone(), d);
    }

    private static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unknown";
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public int vocabularySize() {
        return lm.vocabularySize();
    }

    @Override
    public List<int[]> generate(List<int[]> prompts, int maxNewTokens, IntFunction<? extends TokenSampler> samplers,
            IntFunction<? extends RandomGenerator> randoms, IntConsumer done) {
        Generator g = Generator.of(lm, new Generator.Options(maxNewTokens, new int[0], List.of(), batchSize), null);
        List<int[]> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            int base = from;
            for (Generator.Generation gen : g.generate(prompts.subList(from, to), i -> samplers.apply(base + i),
                    i -> randoms.apply(base + i))) {
                out.add(gen.completionIds());
            }
            done.accept(to - from);
        }
        return out;
    }

    /** Receives the compact logits that predict {@code seq[pos]}. */
    private interface PositionLogits {
        void accept(int pos, float[] logits);
    }

    /**
     * Calls {@code sink} for every position pos in [from, seq.length) with the logits predicting
     * seq[pos] from seq[0..pos) (windows of the context length for long sequences, see the class
     * comment). Thread-safe: one forward pass at a time.
     */
    private void positionLogits(int[] seq, int from, PositionLogits sink) {
        int ctx = lm.maxContext();
        int start = 0;
        int next = Math.max(1, from);
        while (next < seq.length) {
            int end = Math.min(seq.length, start + ctx);
            int[] row = java.util.Arrays.copyOfRange(seq, start, end);
            float[][] logits;
            synchronized (lm) {
                logits = lm.fullLogits(new int[][] {row})[0];
            }
            for (int pos = next; pos < end; pos++) {
                sink.accept(pos, logits[pos - 1 - start]);
            }
            next = end;
            if (end == seq.length) {
                break;
            }
            start = end - ctx / 2;
        }
    }

    @Override
    public double[] logProbs(int[] prompt, int[] completion) {
        int[] seq = new int[prompt.length + completion.length];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(completion, 0, seq, prompt.length, completion.length);
        double[] lp = new double[completion.length];
        IdMap map = lm.idMap();
        int n = map.size();
        positionLogits(seq, prompt.length, (pos, l) -> {
            int target = map.indexOf(seq[pos]);
            lp[pos - prompt.length] = target >= n ? Double.NEGATIVE_INFINITY : logSoftmax(l, target);
        });
        return lp;
    }

    @Override
    public int[] supportIds() {
        return lm.idMap().ids();
    }

    @Override
    public double[][] distributions(int[] seq, int[] positions) {
        double[][] out = new double[positions.length][];
        if (positions.length == 0) {
            return out;
        }
        java.util.Map<Integer, Integer> want = new java.util.HashMap<>();
        for (int i = 0; i < positions.length; i++) {
            want.put(positions[i], i);
        }
        int from = java.util.Arrays.stream(positions).min().getAsInt();
        positionLogits(seq, from, (pos, l) -> {
            Integer i = want.get(pos);
            if (i != null) {
                out[i] = softmax(l);
            }
        });
        return out;
    }

    private static double[] softmax(float[] l) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : l) {
            max = Math.max(max, v);
        }
        double[] p = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) {
            p[i] = Math.exp(l[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < l.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double logSoftmax(float[] l, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : l) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : l) {
            sum += Math.exp(v - max);
        }
        return l[target] - max - Math.log(sum);
    }

    @Override
    public int[] suppressedIds() {
        return suppressed.clone();
    }

    /** The underlying model. */
    public TransformerLm model() {
        return lm;
    }

    @Override
    public void close() {
        lm.close();
    }
}
