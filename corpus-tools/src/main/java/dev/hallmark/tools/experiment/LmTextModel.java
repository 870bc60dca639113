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
 * scored once with at least half a context of history (the first window scores from the start),
 * the windows fixed by the sequence alone.
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

    /** Receives the compact logits that predict {@code seqs[seq][pos]}. */
    private interface PositionLogits {
        void accept(int seq, int pos, float[] logits);
    }

    /**
     * The windows of a sequence of length {@code len} whose positions from {@code from} on are to
     * be predicted: {start, end, first position scored}. The windows are fixed by the length alone
     * (so a position is always predicted from the same history, whatever {@code from} is): the
     * first is [0, ctx) and scores positions 1..ctx-1; each next one starts half a context before
     * the previous end and scores from that end. Windows with nothing at or after {@code from} are
     * dropped.
     */
    static List<int[]> windows(int len, int from, int ctx) {
        List<int[]> w = new ArrayList<>();
        int start = 0;
        int next = 1;
        while (next < len) {
            int end = Math.min(len, start + ctx);
            if (end > from) {
                w.add(new int[] {start, end, Math.max(next, from)});
            }
            next = end;
            start = end - ctx / 2;
        }
        return w;
    }

    /**
     * Calls {@code sink} for every sequence i and position pos in [from[i], seqs[i].length) with the
     * compact logits predicting seqs[i][pos] from seqs[i][0..pos). All windows of all sequences
     * are padded to the context length (the padding comes after every scored position, so a causal
     * model never sees it) and run {@code batchSize} rows per forward pass; one pass at a time.
     */
    private void positionLogits(List<int[]> seqs, int[] from, PositionLogits sink) {
        int ctx = lm.maxContext();
        List<int[]> rows = new ArrayList<>(); // {seq, start, end, next}
        for (int i = 0; i < seqs.size(); i++) {
            for (int[] w : windows(seqs.get(i).length, from[i], ctx)) {
                rows.add(new int[] {i, w[0], w[1], w[2]});
            }
        }
        for (int r0 = 0; r0 < rows.size(); r0 += batchSize) {
            int r1 = Math.min(rows.size(), r0 + batchSize);
            int width = 0;
            for (int r = r0; r < r1; r++) {
                width = Math.max(width, rows.get(r)[2] - rows.get(r)[1]);
            }
            int[][] batch = new int[r1 - r0][width];
            for (int r = r0; r < r1; r++) {
                int[] row = rows.get(r);
                int[] seq = seqs.get(row[0]);
                java.util.Arrays.fill(batch[r - r0], lm.beginTokenId());
                System.arraycopy(seq, row[1], batch[r - r0], 0, row[2] - row[1]);
            }
            float[][][] logits;
            synchronized (lm) {
                logits = lm.fullLogits(batch);
            }
            for (int r = r0; r < r1; r++) {
                int[] row = rows.get(r);
                for (int pos = row[3]; pos < row[2]; pos++) {
                    sink.accept(row[0], pos, logits[r - r0][pos - 1 - row[1]]);
                }
            }
        }
    }

    @Override
    public double[] logProbs(int[] prompt, int[] completion) {
        return logProbs(List.of(prompt), List.of(completion)).get(0);
    }

    @Override
    public List<double[]> logProbs(List<int[]> prompts, List<int[]> completions) {
        List<int[]> seqs = new ArrayList<>();
        int[] from = new int[prompts.size()];
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            int[] c = completions.get(i);
            int[] seq = java.util.Arrays.copyOf(p, p.length + c.length);
            System.arraycopy(c, 0, seq, p.length, c.length);
            seqs.add(seq);
            from[i] = p.length;
            out.add(new double[c.length]);
        }
        IdMap map = lm.idMap();
        int n = map.size();
        positionLogits(seqs, from, (i, pos, l) -> {
            int target = map.indexOf(seqs.get(i)[pos]);
            out.get(i)[pos - from[i]] = target >= n ? Double.NEGATIVE_INFINITY : logSoftmax(l, target);
        });
        return out;
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
        positionLogits(List.of(seq), new int[] {from}, (k, pos, l) -> {
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
