package dev.hallmark.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A small GPT-style causal transformer on DJL NDArrays (PyTorch engine), with a key/value cache
 * for generation.
 *
 * <p>Architecture (pre-LayerNorm decoder, as in GPT-2): token embedding over the {@link IdMap}
 * (plus one row for ids outside the map) + learned absolute positions; {@code layers} blocks of
 * {@code x += Attn(LN(x)); x += W2 gelu(W1 LN(x))} with causal multi-head self-attention (an additive
 * mask of -1e9 above the diagonal; LayerNorm over the feature axis only, so no position sees
 * another); a final LayerNorm; output logits {@code LN(x) E^T + b} over the map's ids, tying the
 * output layer to the input embedding {@code E}. The compact logits are scattered into the full
 * vocabulary with {@code -infinity} at uncovered ids.
 *
 * <p>The parameters are plain {@link NDArray}s in a fixed order, so the same arrays serve training
 * (full-sequence forward with autograd, see {@link LmTrainer}) and generation (cached incremental
 * forward, see {@link #newSession(int)}). Histories longer than {@link #maxContext()} are handled
 * by re-encoding the most recent {@code maxContext/2} tokens when the cache is full, so the cost per
 * token stays bounded.
 *
 * <p>Files of a saved model directory: {@code config.json} (architecture, vocabulary size, the
 * begin token), {@code id-map.json} (the covered token ids in output order) and
 * {@code weights.ndlist} (DJL {@link NDList} encoding of the parameters in order).
 */
public final class TransformerLm implements LanguageModel {

    /** Value of {@code "format"} in config.json. */
    public static final String FORMAT = "hallmark-transformer-lm";
    /** Version of the directory format written by {@link #save(Path)}. */
    public static final int FORMAT_VERSION = 1;
    static final float MASKED = -1e9f;
    private static final float LN_EPS = 1e-5f;
    private static final int PER_LAYER = 12;

    private final TransformerConfig config;
    private final IdMap idMap;
    private final int beginTokenId;
    private final String name;
    private final NDManager manager;
    private final List<NDArray> params;

    private TransformerLm(TransformerConfig config, IdMap idMap, int beginTokenId, String name,
            NDManager manager, List<NDArray> params) {
        this.config = config;
        this.idMap = idMap;
        this.beginTokenId = beginTokenId;
        this.name = name;
        this.manager = manager;
        this.params = params;
    }

    /**
     * A freshly initialised model: weights N(0, 0.02) (residual output projections scaled by
     * 1/sqrt(2 layers)), biases 0, LayerNorm gains 1; all drawn from {@code new SplittableRandom(seed)}.
     *
     * @param beginTokenId token fed for an empty prompt (e.g. {@code <|endoftext|>}, which separates
     *     documents in training); must be covered by {@code idMap}
     */
    public static TransformerLm create(TransformerConfig config, IdMap idMap, int beginTokenId, String name, long seed) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(idMap, "idMap");
        if (!idMap.contains(beginTokenId)) {
            throw new IllegalArgumentException("begin token " + beginTokenId + " is not in the id map");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = config.dModel();
        int n = idMap.size();
        int ff = config.ffDim();
        float std = 0.02f;
        float resid = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
        NDManager m = NDManager.newBaseManager();
        List<NDArray> p = new ArrayList<>();
        p.add(normal(m, rnd, std, n, d));
        p.add(normal(m, rnd, std, 1, d));
        p.add(normal(m, rnd, std, config.maxContext(), d));
        for (int l = 0; l < config.layers(); l++) {
            p.add(m.ones(new Shape(d)));
            p.add(m.zeros(new Shape(d)));
            p.add(normal(m, rnd, std, 3L * d, d));
            p.add(m.zeros(new Shape(3L * d)));
            p.add(normal(m, rnd, resid, d, d));
            p.add(m.zeros(new Shape(d)));
            p.add(m.ones(new Shape(d)));
            p.add(m.zeros(new Shape(d)));
            p.add(normal(m, rnd, std, ff, d));
            p.add(m.zeros(new Shape(ff)));
            p.add(normal(m, rnd, resid, d, ff));
            p.add(m.zeros(new Shape(d)));
        }
        p.add(m.ones(new Shape(d)));
        p.add(m.zeros(new Shape(d)));
        p.add(m.zeros(new Shape(n)));
        return new TransformerLm(config, idMap, beginTokenId, name, m, p);
    }

    private static NDArray normal(NDManager m, SplittableRandom rnd, float std, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return m.create(v, new Shape(rows, cols));
    }

    /** The architecture. */
    public TransformerConfig config() {
        return config;
    }

    /** The covered token ids. */
    public IdMap idMap() {
        return idMap;
    }

    /** Token fed for an empty prompt. */
    public int beginTokenId() {
        return beginTokenId;
    }

    @Override
    public int vocabularySize() {
        return idMap.vocabularySize();
    }

    @Override
    public int maxContext() {
        return config.maxContext();
    }

    @Override
    public String name() {
        return name;
    }

    /** Number of scalar parameters. */
    public long parameterCount() {
        long c = 0;
        for (NDArray a : params) {
            c += a.size();
        }
        return c;
    }

    /** The parameter arrays in their fixed order (live: training updates them in place). */
    List<NDArray> parameters() {
        return params;
    }

    NDManager manager() {
        return manager;
    }

    // ------------------------------------------------------------------ forward

    /**
     * Core forward pass. All temporaries are attached to {@code sm}.
     *
     * @param ids (B, L) int64 compact ids (unknown = idMap.size())
     * @param pos (B, L) or (1, L) int64 positions
     * @param bias additive attention bias broadcastable to (B, heads, L, past + L)
     * @param pastK per-layer cached keys (B, heads, past, headDim) or null
     * @param outK if not null, receives per-layer keys including the past
     * @param lastOnly only the last position's logits: (B, N) instead of (B, L, N)
     */
    NDArray forward(NDManager sm, NDArray ids, NDArray pos, NDArray bias, NDArray[] pastK, NDArray[] pastV,
            NDArray[] outK, NDArray[] outV, boolean lastOnly) {
        int d = config.dModel();
        int h = config.heads();
        int hd = config.headDim();
        long b = ids.getShape().get(0);
        long len = ids.getShape().get(1);
        NDArray table = params.get(0).concat(params.get(1), 0);
        table.attach(sm);
        NDArray x = Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        NDArray pe = Embedding.embedding(pos, params.get(2), SparseFormat.DENSE).singletonOrThrow();
        x = x.add(pe);
        Shape norm = new Shape(d);
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int l = 0; l < config.layers(); l++) {
            int o = 3 + l * PER_LAYER;
            NDArray y = LayerNorm.layerNorm(x, norm, params.get(o), params.get(o + 1), LN_EPS).singletonOrThrow();
            NDArray qkv = Linear.linear(y, params.get(o + 2), params.get(o + 3)).singletonOrThrow();
            NDList parts = qkv.split(3, 2);
            NDArray q = parts.get(0).reshape(b, len, h, hd).transpose(0, 2, 1, 3);
            NDArray k = parts.get(1).reshape(b, len, h, hd).transpose(0, 2, 1, 3);
            NDArray v = parts.get(2).reshape(b, len, h, hd).transpose(0, 2, 1, 3);
            if (pastK != null) {
                k = pastK[l].concat(k, 2);
                v = pastV[l].concat(v, 2);
                k.attach(sm);
                v.attach(sm);
            }
            if (outK != null) {
                outK[l] = k;
                outV[l] = v;
            }
            NDArray s = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(bias);
            NDArray a = s.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, len, d);
            x = x.add(Linear.linear(a, params.get(o + 4), params.get(o + 5)).singletonOrThrow());
            NDArray y2 = LayerNorm.layerNorm(x, norm, params.get(o + 6), params.get(o + 7), LN_EPS).singletonOrThrow();
            NDArray f = Activation.gelu(Linear.linear(y2, params.get(o + 8), params.get(o + 9)).singletonOrThrow());
            x = x.add(Linear.linear(f, params.get(o + 10), params.get(o + 11)).singletonOrThrow());
        }
        int f0 = 3 + config.layers() * PER_LAYER;
        x = LayerNorm.layerNorm(x, norm, params.get(f0), params.get(f0 + 1), LN_EPS).singletonOrThrow();
        if (lastOnly) {
            x = x.get(":, -1, :");
        }
        return Linear.linear(x, params.get(0), params.get(f0 + 2)).singletonOrThrow();
    }

    /** (1, 1, L, L) additive causal mask: 0 on and below the diagonal, -1e9 above. */
    static NDArray causalMask(NDManager sm, int len) {
        float[] m = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                m[i * len + j] = MASKED;
            }
        }
        return sm.create(m, new Shape(1, 1, len, len));
    }

    /** (1, L) positions 0..L-1. */
    static NDArray positions(NDManager sm, int len) {
        long[] p = new long[len];
        for (int i = 0; i < len; i++) {
            p[i] = i;
        }
        return sm.create(p, new Shape(1, len));
    }

    /**
     * Compact logits (B, L, N) of every position of token windows, recomputing everything (the
     * training path, and the reference the cached path is tested against).
     *
     * @param tokens B rows of equal length L &lt;= maxContext, full-vocabulary token ids
     */
    public float[][][] fullLogits(int[][] tokens) {
        int b = tokens.length;
        int len = tokens[0].length;
        try (NDManager sm = manager.newSubManager()) {
            NDArray ids = sm.create(toCompact(tokens), new Shape(b, len));
            NDArray out = forward(sm, ids, positions(sm, len), causalMask(sm, len), null, null, null, null, false);
            float[] flat = out.toFloatArray();
            int n = idMap.size();
            float[][][] res = new float[b][len][n];
            for (int i = 0; i < b; i++) {
                for (int t = 0; t < len; t++) {
                    System.arraycopy(flat, (i * len + t) * n, res[i][t], 0, n);
                }
            }
            return res;
        }
    }

    long[] toCompact(int[][] tokens) {
        int len = tokens[0].length;
        long[] out = new long[tokens.length * len];
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].length != len) {
                throw new IllegalArgumentException("rows differ in length: " + tokens[i].length + " vs " + len);
            }
            if (len > config.maxContext()) {
                throw new IllegalArgumentException("window length " + len + " > maxContext " + config.maxContext());
            }
            for (int t = 0; t < len; t++) {
                out[i * len + t] = idMap.indexOf(tokens[i][t]);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ generation

    @Override
    public Session newSession(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        return new CachedSession(batchSize);
    }

    private final class CachedSession implements Session {
        private final int batch;
        private final NDManager sm;
        private final NDArray[] cacheK;
        private final NDArray[] cacheV;
        private final int[][] history;
        private final int[] historyLen;
        private final int[] pad;
        private final float[][] lastFilled;
        private int cacheLen;

        CachedSession(int batch) {
            this.batch = batch;
            this.sm = manager.newSubManager();
            this.cacheK = new NDArray[config.layers()];
            this.cacheV = new NDArray[config.layers()];
            this.history = new int[batch][];
            this.historyLen = new int[batch];
            this.pad = new int[batch];
            this.lastFilled = new float[batch][];
        }

        @Override
        public int batchSize() {
            return batch;
        }

        @Override
        public void start(int[][] prompts, float[][] logits) {
            check(prompts.length, logits);
            for (int i = 0; i < batch; i++) {
                int[] p = prompts[i].length == 0 ? new int[] {beginTokenId} : prompts[i];
                for (int t : p) {
                    idMap.indexOf(t); // range check
                }
                history[i] = Arrays.copyOf(p, Math.max(16, p.length * 2));
                historyLen[i] = p.length;
            }
            prefill(config.maxContext(), logits);
        }

        @Override
        public void append(int[] tokens, float[][] logits) {
            check(tokens.length, logits);
            for (int i = 0; i < batch; i++) {
                idMap.indexOf(tokens[i]);
                if (historyLen[i] == history[i].length) {
                    history[i] = Arrays.copyOf(history[i], history[i].length * 2);
                }
                history[i][historyLen[i]++] = tokens[i];
            }
            if (cacheLen == 0) {
                throw new IllegalStateException("append before start");
            }
            if (cacheLen + 1 > config.maxContext()) {
                prefill(Math.max(1, config.maxContext() / 2), logits);
                return;
            }
            try (NDManager step = sm.newSubManager()) {
                long[] ids = new long[batch];
                long[] pos = new long[batch];
                float[] bias = new float[batch * (cacheLen + 1)];
                for (int i = 0; i < batch; i++) {
                    ids[i] = idMap.indexOf(tokens[i]);
                    pos[i] = cacheLen - pad[i];
                    for (int j = 0; j < pad[i]; j++) {
                        bias[i * (cacheLen + 1) + j] = MASKED;
                    }
                }
                NDArray[] newK = new NDArray[cacheK.length];
                NDArray[] newV = new NDArray[cacheV.length];
                NDArray out = forward(step, step.create(ids, new Shape(batch, 1)), step.create(pos, new Shape(batch, 1)),
                        step.create(bias, new Shape(batch, 1, 1, cacheLen + 1)), cacheK, cacheV, newK, newV, true);
                replaceCache(newK, newV);
                cacheLen++;
                emit(out, logits);
            }
        }

        /** Re-encodes the last {@code keep} tokens of every history (left-padded) into a fresh cache. */
        private void prefill(int keep, float[][] logits) {
            int len = 0;
            for (int i = 0; i < batch; i++) {
                len = Math.max(len, Math.min(keep, historyLen[i]));
            }
            try (NDManager step = sm.newSubManager()) {
                long[] ids = new long[batch * len];
                long[] pos = new long[batch * len];
                float[] bias = new float[batch * len * len];
                for (int i = 0; i < batch; i++) {
                    int n = Math.min(keep, historyLen[i]);
                    pad[i] = len - n;
                    int from = historyLen[i] - n;
                    for (int t = 0; t < len; t++) {
                        ids[i * len + t] = t < pad[i] ? idMap.unknownIndex() : idMap.indexOf(history[i][from + t - pad[i]]);
                        pos[i * len + t] = Math.max(0, t - pad[i]);
                        for (int j = 0; j < len; j++) {
                            if (j > t || j < pad[i]) {
                                bias[(i * len + t) * len + j] = MASKED;
                            }
                        }
                    }
                }
                NDArray[] newK = new NDArray[cacheK.length];
                NDArray[] newV = new NDArray[cacheV.length];
                NDArray out = forward(step, step.create(ids, new Shape(batch, len)), step.create(pos, new Shape(batch, len)),
                        step.create(bias, new Shape(batch, 1, len, len)), null, null, newK, newV, true);
                replaceCache(newK, newV);
                cacheLen = len;
                emit(out, logits);
            }
        }

        private void replaceCache(NDArray[] newK, NDArray[] newV) {
            for (int l = 0; l < cacheK.length; l++) {
                newK[l].attach(sm);
                newV[l].attach(sm);
                if (cacheK[l] != null) {
                    cacheK[l].close();
                    cacheV[l].close();
                }
                cacheK[l] = newK[l];
                cacheV[l] = newV[l];
            }
        }

        private void emit(NDArray compact, float[][] logits) {
            float[] flat = compact.toFloatArray();
            int n = idMap.size();
            for (int i = 0; i < batch; i++) {
                if (logits[i] != lastFilled[i]) {
                    idMap.fillUncovered(logits[i]);
                    lastFilled[i] = logits[i];
                }
                idMap.scatter(flat, i * n, logits[i]);
            }
        }

        private void check(int rows, float[][] logits) {
            if (rows != batch || logits.length != batch) {
                throw new IllegalArgumentException("expected " + batch + " rows, got " + rows + " inputs and "
                        + logits.length + " logit buffers");
            }
            for (float[] l : logits) {
                if (l.length < idMap.vocabularySize()) {
                    throw new IllegalArgumentException("logit buffer length " + l.length + " < vocabulary size "
                            + idMap.vocabularySize());
                }
            }
        }

        @Override
        public void close() {
            sm.close();
        }
    }

    // ------------------------------------------------------------------ persistence

    /** Writes config.json, id-map.json and weights.ndlist into {@code dir} (created if needed). */
    public void save(Path dir) {
        ObjectMapper om = new ObjectMapper();
        try {
            Files.createDirectories(dir);
            ObjectNode c = om.createObjectNode();
            c.put("format", FORMAT);
            c.put("formatVersion", FORMAT_VERSION);
            c.put("name", name);
            c.put("dModel", config.dModel());
            c.put("layers", config.layers());
            c.put("heads", config.heads());
            c.put("ffDim", config.ffDim());
            c.put("maxContext", config.maxContext());
            c.put("vocabularySize", idMap.vocabularySize());
            c.put("outputSize", idMap.size());
            c.put("beginTokenId", beginTokenId);
            c.put("parameters", parameterCount());
            writeAtomically(dir.resolve("config.json"), out -> om.writerWithDefaultPrettyPrinter().writeValue(out, c));
            ArrayNode ids = om.createArrayNode();
            for (int i = 0; i < idMap.size(); i++) {
                ids.add(idMap.id(i));
            }
            writeAtomically(dir.resolve("id-map.json"), out -> om.writeValue(out, ids));
            writeAtomically(dir.resolve("weights.ndlist"), out -> new NDList(params).encode(out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save model to " + dir, e);
        }
    }

    interface IoWriter {
        void write(OutputStream out) throws IOException;
    }

    static void writeAtomically(Path file, IoWriter w) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            w.write(out);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Loads a directory written by {@link #save(Path)}.
     *
     * @throws UncheckedIOException if a file is missing or unreadable (the message names it)
     * @throws IllegalArgumentException if the files are not a model of this format or disagree
     */
    public static TransformerLm load(Path dir) {
        ObjectMapper om = new ObjectMapper();
        Path cfg = dir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new UncheckedIOException(new IOException("no model at " + dir + ": missing " + cfg));
        }
        try {
            JsonNode c = om.readTree(cfg.toFile());
            if (!FORMAT.equals(c.path("format").asText()) || c.path("formatVersion").asInt() != FORMAT_VERSION) {
                throw new IllegalArgumentException(cfg + " is not a " + FORMAT + " v" + FORMAT_VERSION + " config");
            }
            TransformerConfig tc = new TransformerConfig(c.get("dModel").asInt(), c.get("layers").asInt(),
                    c.get("heads").asInt(), c.get("ffDim").asInt(), c.get("maxContext").asInt());
            JsonNode idsNode = om.readTree(dir.resolve("id-map.json").toFile());
            int[] ids = new int[idsNode.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = idsNode.get(i).asInt();
            }
            IdMap map = IdMap.of(ids, c.get("vocabularySize").asInt());
            NDManager m = NDManager.newBaseManager();
            List<NDArray> p;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve("weights.ndlist")))) {
                NDList list = NDList.decode(m, in);
                p = new ArrayList<>(list);
            } catch (IOException | RuntimeException e) {
                m.close();
                throw e;
            }
            TransformerLm fresh = create(tc, map, c.get("beginTokenId").asInt(), c.path("name").asText("model"), 0);
            try {
                List<NDArray> ref = fresh.params;
                if (ref.size() != p.size()) {
                    throw new IllegalArgumentException("weights.ndlist has " + p.size() + " arrays, config implies " + ref.size());
                }
                for (int i = 0; i < ref.size(); i++) {
                    if (!ref.get(i).getShape().equals(p.get(i).getShape()) || p.get(i).getDataType() != DataType.FLOAT32) {
                        throw new IllegalArgumentException("weights.ndlist array " + i + " has shape " + p.get(i).getShape()
                                + ", expected " + ref.get(i).getShape());
                    }
                }
            } catch (RuntimeException e) {
                m.close();
                throw e;
            } finally {
                fresh.close();
            }
            return new TransformerLm(tc, map, c.get("beginTokenId").asInt(), c.path("name").asText("model"), m, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
