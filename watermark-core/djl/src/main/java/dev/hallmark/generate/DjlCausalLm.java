package dev.hallmark.generate;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Adapter for your own causal LM in any format DJL loads (a TorchScript export of a Hugging Face
 * model on the PyTorch engine, an ONNX export on OnnxRuntime, ...), so the same {@link Generator}
 * and watermark samplers drive it. See {@code docs/bring-your-own-model.md}.
 *
 * <p>Contract of the wrapped model: input {@code input_ids} (B, L) int64, optionally followed by an
 * {@code attention_mask} (B, L) int64 of ones ({@link Inputs#IDS_AND_MASK}); first output the
 * logits, (B, L, V') or (B, V') with {@code V' >= vocabularySize} (models often pad their
 * vocabulary: only the first {@code vocabularySize} logits are used).
 *
 * <p>No key/value cache: every step re-runs the most recent {@code maxContext} tokens of each
 * sequence (one sequence at a time, so no padding or position-id conventions are assumed). This is
 * simple and correct for any exported model; for long generations export a model with a cache
 * and implement {@link LanguageModel} directly.
 */
public final class DjlCausalLm implements LanguageModel {

    /** What the exported model takes as input. */
    public enum Inputs {
        /** {@code input_ids} only. */
        IDS_ONLY,
        /** {@code input_ids} and an all-ones {@code attention_mask}. */
        IDS_AND_MASK
    }

    private final Model model;
    private final boolean owned;
    private final Predictor<NDList, NDList> predictor;
    private final int vocabularySize;
    private final int maxContext;
    private final Inputs inputs;
    private final String name;

    private DjlCausalLm(Model model, boolean owned, int vocabularySize, int maxContext, Inputs inputs, String name) {
        this.model = model;
        this.owned = owned;
        this.predictor = model.newPredictor(new NoopTranslator());
        this.vocabularySize = vocabularySize;
        this.maxContext = maxContext;
        this.inputs = inputs;
        this.name = name;
    }

    /**
     * Loads a model file or directory with DJL (e.g. {@code model.pt} TorchScript on engine
     * {@code "PyTorch"}).
     *
     * @param engine DJL engine name, e.g. "PyTorch" or "OnnxRuntime"
     * @throws UncheckedIOException if the path does not exist or cannot be loaded (message names it)
     */
    public static DjlCausalLm load(Path modelPath, String engine, int vocabularySize, int maxContext, Inputs inputs) {
        Objects.requireNonNull(modelPath, "modelPath");
        if (!Files.exists(modelPath)) {
            throw new UncheckedIOException(new IOException("no model at " + modelPath));
        }
        check(vocabularySize, maxContext);
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(modelPath)
                .optEngine(engine)
                .optTranslator(new NoopTranslator())
                .build();
        try {
            ZooModel<NDList, NDList> zm = criteria.loadModel();
            return new DjlCausalLm(zm, true, vocabularySize, maxContext, inputs, modelPath.getFileName().toString());
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            throw new UncheckedIOException("cannot load model " + modelPath + " with engine " + engine + ": "
                    + e.getMessage(), e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Wraps an already loaded DJL model (not closed by {@link #close()}). */
    public static DjlCausalLm wrap(Model model, int vocabularySize, int maxContext, Inputs inputs, String name) {
        Objects.requireNonNull(model, "model");
        check(vocabularySize, maxContext);
        return new DjlCausalLm(model, false, vocabularySize, maxContext, inputs, Objects.requireNonNull(name, "name"));
    }

    private static void check(int vocabularySize, int maxContext) {
        if (vocabularySize <= 0 || maxContext <= 0) {
            throw new IllegalArgumentException("vocabularySize and maxContext must be positive: " + vocabularySize
                    + ", " + maxContext);
        }
    }

    @Override
    public int vocabularySize() {
        return vocabularySize;
    }

    @Override
    public int maxContext() {
        return maxContext;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Session newSession(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        return new RecomputeSession(batchSize);
    }

    /** Logits of the last position of {@code ids[from .. to)} into {@code out[0 .. vocabularySize)}. */
    void lastLogits(int[] ids, int from, int to, float[] out) {
        int len = to - from;
        try (NDManager m = model.getNDManager().newSubManager()) {
            long[] x = new long[len];
            for (int i = 0; i < len; i++) {
                x[i] = ids[from + i];
            }
            NDList in = new NDList(m.create(x, new Shape(1, len)));
            if (inputs == Inputs.IDS_AND_MASK) {
                long[] ones = new long[len];
                Arrays.fill(ones, 1L);
                in.add(m.create(ones, new Shape(1, len)));
            }
            NDList res = predictor.predict(in);
            NDArray logits = res.get(0);
            logits.attach(m);
            Shape s = logits.getShape();
            NDArray last = s.dimension() == 3 ? logits.get(0, len - 1) : logits.get(0);
            long width = last.getShape().get(0);
            if (width < vocabularySize) {
                throw new IllegalStateException("model returned " + width + " logits, fewer than the vocabulary size "
                        + vocabularySize);
            }
            float[] v = (width == vocabularySize ? last : last.get("0:" + vocabularySize)).toFloatArray();
            System.arraycopy(v, 0, out, 0, vocabularySize);
        } catch (TranslateException e) {
            throw new IllegalStateException("model forward failed: " + e.getMessage(), e);
        }
    }

    private final class RecomputeSession implements Session {
        private final int batch;
        private final int[][] history;
        private final int[] len;
        private boolean started;

        RecomputeSession(int batch) {
            this.batch = batch;
            this.history = new int[batch][];
            this.len = new int[batch];
        }

        @Override
        public int batchSize() {
            return batch;
        }

        @Override
        public void start(int[][] prompts, float[][] logits) {
            if (prompts.length != batch || logits.length != batch) {
                throw new IllegalArgumentException("expected " + batch + " prompts and logit buffers");
            }
            for (int i = 0; i < batch; i++) {
                if (prompts[i].length == 0) {
                    throw new IllegalArgumentException("prompt " + i + " is empty: this adapter needs at least one "
                            + "token (e.g. the model's BOS id)");
                }
                history[i] = Arrays.copyOf(prompts[i], prompts[i].length + 64);
                len[i] = prompts[i].length;
                lastLogits(history[i], Math.max(0, len[i] - maxContext), len[i], logits[i]);
            }
            started = true;
        }

        @Override
        public void append(int[] tokens, float[][] logits) {
            if (!started) {
                throw new IllegalStateException("append before start");
            }
            if (tokens.length != batch || logits.length != batch) {
                throw new IllegalArgumentException("expected " + batch + " tokens and logit buffers");
            }
            for (int i = 0; i < batch; i++) {
                if (len[i] == history[i].length) {
                    history[i] = Arrays.copyOf(history[i], history[i].length * 2);
                }
                history[i][len[i]++] = tokens[i];
                lastLogits(history[i], Math.max(0, len[i] - maxContext), len[i], logits[i]);
            }
        }

        @Override
        public void close() {
        }
    }

    @Override
    public void close() {
        predictor.close();
        if (owned) {
            model.close();
        }
    }
}
