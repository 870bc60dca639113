package dev.hallmark.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains a {@link TransformerLm} on a token stream with next-token cross-entropy, AdamW, linear
 * warm-up then cosine decay, and global-norm gradient clipping; resumable from checkpoints.
 *
 * <p>Determinism: the windows of step {@code s} are drawn from {@code SplittableRandom(seed)}
 * split {@code s} times, so a run resumed at step {@code s} sees exactly the batches an
 * uninterrupted run would (up to floating-point non-associativity of multi-threaded kernels).
 * Targets outside the id map are excluded from the loss (they cannot be predicted by the compact
 * output layer).
 *
 * <p>A checkpoint directory holds {@code state.json} (step, options, loss history),
 * {@code params.ndlist} and {@code adam.ndlist} (first and second moments), each written to a
 * temporary file and renamed.
 */
public final class LmTrainer {

    /**
     * Training options.
     *
     * @param batchSize windows per step
     * @param steps total optimizer steps
     * @param learningRate peak learning rate
     * @param warmupSteps linear warm-up steps
     * @param weightDecay decoupled weight decay on matrices (not biases, gains or embeddings)
     * @param clipNorm global gradient norm bound
     * @param seed data-order seed
     */
    public record Options(int batchSize, int steps, float learningRate, int warmupSteps, float weightDecay,
            float clipNorm, long seed) {
        /** Validates. */
        public Options {
            if (batchSize <= 0 || steps <= 0 || warmupSteps < 0 || !(learningRate > 0) || weightDecay < 0
                    || !(clipNorm > 0)) {
                throw new IllegalArgumentException("invalid training options: " + this);
            }
        }

        /** Learning rate at step {@code s} (0-based): linear warm-up, then cosine to 10% of the peak. */
        public float learningRateAt(int s) {
            if (s < warmupSteps) {
                return learningRate * (s + 1) / warmupSteps;
            }
            double progress = (double) (s - warmupSteps) / Math.max(1, steps - warmupSteps);
            return (float) (learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)))));
        }
    }

    /** One logged step. */
    public record StepLog(int step, float loss, float learningRate) {
    }

    /** Progress callback, called after every step. */
    public interface Listener {
        void onStep(StepLog log, int totalSteps);
    }

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.95f;
    private static final float EPS = 1e-8f;

    private final TransformerLm model;
    private final Options options;
    private final int[] stream;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final List<StepLog> history = new ArrayList<>();
    private int step;

    /**
     * @param model the model to train in place
     * @param trainTokens the training token stream (full-vocabulary ids, documents separated by the
     *     model's begin token); must be longer than one window
     */
    public LmTrainer(TransformerLm model, int[] trainTokens, Options options) {
        this.model = Objects.requireNonNull(model, "model");
        this.options = Objects.requireNonNull(options, "options");
        int ctx = model.maxContext();
        if (trainTokens.length < ctx + 2) {
            throw new IllegalArgumentException("training stream has " + trainTokens.length + " tokens, need more than "
                    + (ctx + 1));
        }
        this.stream = new int[trainTokens.length];
        IdMap map = model.idMap();
        for (int i = 0; i < trainTokens.length; i++) {
            this.stream[i] = map.indexOf(trainTokens[i]);
        }
        NDManager pm = model.manager();
        for (NDArray p : model.parameters()) {
            p.setRequiresGradient(true);
            m.add(pm.zeros(p.getShape()));
            v.add(pm.zeros(p.getShape()));
        }
    }

    /** Steps done so far. */
    public int step() {
        return step;
    }

    /** Loss history so far. */
    public List<StepLog> history() {
        return List.copyOf(history);
    }

    /** Runs until {@code untilStep} (at most {@code options.steps()}), checkpointing every {@code every} steps. */
    public void train(int untilStep, Path checkpointDir, int every, Listener listener) {
        int end = Math.min(untilStep, options.steps());
        int ctx = model.maxContext();
        int b = options.batchSize();
        int n = model.idMap().size();
        int unk = model.idMap().unknownIndex();
        try (NDManager base = model.manager().newSubManager()) {
            NDArray mask = TransformerLm.causalMask(base, ctx);
            NDArray pos = TransformerLm.positions(base, ctx);
            while (step < end) {
                SplittableRandom r = new SplittableRandom(options.seed());
                for (int i = 0; i < step; i++) {
                    r = r.split();
                }
                long[] x = new long[b * ctx];
                long[] y = new long[b * ctx];
                float[] w = new float[b * ctx];
                float count = 0;
                for (int i = 0; i < b; i++) {
                    int start = r.nextInt(stream.length - ctx - 1);
                    for (int t = 0; t < ctx; t++) {
                        x[i * ctx + t] = stream[start + t];
                        int target = stream[start + t + 1];
                        boolean ok = target != unk;
                        y[i * ctx + t] = ok ? target : 0;
                        w[i * ctx + t] = ok ? 1f : 0f;
                        count += ok ? 1 : 0;
                    }
                }
                float lr = options.learningRateAt(step);
                float lossValue;
                try (NDManager sm = base.newSubManager()) {
                    NDArray xs = sm.create(x, new Shape(b, ctx));
                    NDArray ys = sm.create(y, new Shape((long) b * ctx, 1));
                    NDArray ws = sm.create(w, new Shape((long) b * ctx));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray logits = model.forward(sm, xs, pos, mask, null, null, null, null, false);
                        NDArray logp = logits.reshape((long) b * ctx, n).logSoftmax(1);
                        NDArray picked = logp.gather(ys, 1).reshape((long) b * ctx);
                        NDArray loss = picked.mul(ws).sum().neg().div(Math.max(1f, count));
                        gc.backward(loss);
                        lossValue = loss.getFloat();
                    }
                    update(sm, lr);
                }
                step++;
                StepLog log = new StepLog(step, lossValue, lr);
                history.add(log);
                if (listener != null) {
                    listener.onStep(log, options.steps());
                }
                if (checkpointDir != null && (step % every == 0 || step == end)) {
                    saveCheckpoint(checkpointDir);
                }
            }
        }
    }

    /** AdamW step with global-norm clipping; gradients are zeroed afterwards. */
    private void update(NDManager sm, float lr) {
        List<NDArray> ps = model.parameters();
        double sq = 0;
        List<NDArray> grads = new ArrayList<>(ps.size());
        for (NDArray p : ps) {
            NDArray g = p.getGradient();
            g.attach(sm);
            grads.add(g);
            NDArray s = g.square().sum();
            sq += s.getFloat();
        }
        float norm = (float) Math.sqrt(sq);
        float clip = norm > options.clipNorm() ? options.clipNorm() / norm : 1f;
        int t = step + 1;
        float bc1 = (float) (1 - Math.pow(BETA1, t));
        float bc2 = (float) (1 - Math.pow(BETA2, t));
        for (int i = 0; i < ps.size(); i++) {
            NDArray p = ps.get(i);
            NDArray g = grads.get(i);
            if (clip != 1f) {
                g.muli(clip);
            }
            NDArray gm = g.mul(1 - BETA1);
            m.get(i).muli(BETA1).addi(gm);
            NDArray g2 = g.square().muli(1 - BETA2);
            v.get(i).muli(BETA2).addi(g2);
            NDArray vh = v.get(i).div(bc2);
            vh.attach(sm);
            NDArray denom = vh.sqrt().addi(EPS);
            NDArray mh = m.get(i).mul(lr / bc1);
            mh.attach(sm);
            NDArray upd = mh.div(denom);
            if (p.getShape().dimension() == 2 && i >= 3) {
                p.muli(1 - lr * options.weightDecay());
            }
            p.subi(upd);
            g.subi(g);
        }
    }

    // ------------------------------------------------------------------ checkpoints

    /** Writes a checkpoint (model parameters, optimizer moments, step, loss history). */
    public void saveCheckpoint(Path dir) {
        ObjectMapper om = new ObjectMapper();
        try {
            Files.createDirectories(dir);
            TransformerLm.writeAtomically(dir.resolve("params.ndlist"), out -> new NDList(model.parameters()).encode(out));
            List<NDArray> mv = new ArrayList<>(m);
            mv.addAll(v);
            TransformerLm.writeAtomically(dir.resolve("adam.ndlist"), out -> new NDList(mv).encode(out));
            ObjectNode s = om.createObjectNode();
            s.put("step", step);
            s.put("options", options.toString());
            s.put("config", model.config().toString());
            ArrayNode h = s.putArray("history");
            for (StepLog l : history) {
                h.addArray().add(l.step()).add(l.loss()).add(l.learningRate());
            }
            // state.json last: a checkpoint counts only once its state file names its step
            TransformerLm.writeAtomically(dir.resolve("state.json"), out -> om.writeValue(out, s));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    /**
     * Restores from {@code dir} if it holds a checkpoint of the same options and architecture.
     *
     * @return true if restored, false if there is no checkpoint
     * @throws IllegalArgumentException if the checkpoint was made with other options or architecture
     */
    public boolean restore(Path dir) {
        Path state = dir.resolve("state.json");
        if (!Files.isRegularFile(state)) {
            return false;
        }
        ObjectMapper om = new ObjectMapper();
        try {
            JsonNode s = om.readTree(state.toFile());
            if (!options.toString().equals(s.path("options").asText())
                    || !model.config().toString().equals(s.path("config").asText())) {
                throw new IllegalArgumentException("checkpoint in " + dir + " was made with " + s.path("options").asText()
                        + " / " + s.path("config").asText() + "; this run uses " + options + " / " + model.config()
                        + " (delete the checkpoint directory to start over)");
            }
            copyInto(dir.resolve("params.ndlist"), model.parameters());
            List<NDArray> mv = new ArrayList<>(m);
            mv.addAll(v);
            copyInto(dir.resolve("adam.ndlist"), mv);
            step = s.get("step").asInt();
            history.clear();
            for (JsonNode e : s.get("history")) {
                history.add(new StepLog(e.get(0).asInt(), (float) e.get(1).asDouble(), (float) e.get(2).asDouble()));
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + dir, e);
        }
    }

    private void copyInto(Path file, List<NDArray> targets) throws IOException {
        try (NDManager tmp = model.manager().newSubManager();
                InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            NDList list = NDList.decode(tmp, in);
            if (list.size() != targets.size()) {
                throw new IllegalArgumentException(file + " holds " + list.size() + " arrays, expected " + targets.size());
            }
            for (int i = 0; i < targets.size(); i++) {
                if (!list.get(i).getShape().equals(targets.get(i).getShape())) {
                    throw new IllegalArgumentException(file + " array " + i + " has shape " + list.get(i).getShape()
                            + ", expected " + targets.get(i).getShape());
                }
                targets.get(i).set(list.get(i).toFloatArray());
            }
        }
    }
}
