package dev.hallmark.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link ContinuousBatch} for a {@link TransformerLm}: one key/value cache for all live sequences,
 * {@code (rows, heads, width, headDim)} per layer, each row left-padded to the common width
 * (padding columns are masked out of attention, and positions count real tokens only, so a row
 * computes exactly what it would alone).
 *
 * <ul>
 *   <li>Joining: the new prompts are prefilled together (left-padded among themselves), then the
 *       narrower of the two caches is left-padded with zero columns and the rows are concatenated.
 *   <li>Leaving: rows are dropped by index before the next forward pass, and columns that are
 *       padding in every remaining row are cut off.
 *   <li>Sliding window: a row whose next token would exceed {@code maxContext} is taken out and
 *       re-encoded from its last {@code maxContext/2} tokens (as {@link TransformerLm}'s own
 *       session does), then joins again like a new row. The other rows just append.
 * </ul>
 */
final class TransformerBatch implements ContinuousBatch {

    private static final float MASKED = TransformerLm.MASKED;
    private static final int FILLED_CAP = 4096;

    /** One live sequence: its token history and its row's padding. */
    private static final class Row {
        final int handle;
        int[] hist;
        int len;
        int pad;
        /** Index of this row in the cache tensors. */
        int cacheRow;

        Row(int handle, int[] tokens) {
            this.handle = handle;
            this.hist = Arrays.copyOf(tokens, Math.max(16, tokens.length * 2));
            this.len = tokens.length;
        }

        void push(int token) {
            if (len == hist.length) {
                hist = Arrays.copyOf(hist, hist.length * 2);
            }
            hist[len++] = token;
        }
    }

    /** A prefilled group of rows: their caches and their logits, row-major over the compact ids. */
    private record Prefill(NDArray[] k, NDArray[] v, int width, float[] logits) {
    }

    private final TransformerLm lm;
    private final IdMap idMap;
    private final int layers;
    private final int maxContext;
    private final NDManager sm;
    private NDArray[] cacheK;
    private NDArray[] cacheV;
    private int width;
    private final List<Row> rows = new ArrayList<>();
    private final Map<Integer, Row> byHandle = new HashMap<>();
    private boolean dirty;
    private int nextHandle;
    private final Set<float[]> filled = Collections.newSetFromMap(new IdentityHashMap<>());

    TransformerBatch(TransformerLm lm) {
        this.lm = lm;
        this.idMap = lm.idMap();
        this.layers = lm.config().layers();
        this.maxContext = lm.config().maxContext();
        this.sm = lm.manager().newSubManager();
    }

    @Override
    public int vocabularySize() {
        return idMap.vocabularySize();
    }

    @Override
    public int size() {
        return byHandle.size();
    }

    @Override
    public void add(int[][] prompts, int count, int[] handles, float[][] logits) {
        if (count == 0) {
            return;
        }
        compact();
        List<Row> fresh = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int[] p = prompts[i].length == 0 ? new int[] {lm.beginTokenId()} : prompts[i];
            for (int t : p) {
                idMap.indexOf(t); // range check before any state changes
            }
            fresh.add(new Row(nextHandle + i, p));
        }
        checkBuffers(logits, count);
        nextHandle += count;
        try (NDManager step = sm.newSubManager()) {
            Prefill pf = prefill(step, fresh, maxContext);
            join(step, fresh, pf);
            for (int i = 0; i < count; i++) {
                handles[i] = fresh.get(i).handle;
                emit(pf.logits(), i, logits[i]);
            }
        }
    }

    @Override
    public void step(int[] handles, int[] tokens, int count, float[][] logits) {
        compact();
        if (count != rows.size()) {
            throw new IllegalArgumentException("step needs every live sequence: " + count + " given, " + rows.size()
                    + " live");
        }
        checkBuffers(logits, count);
        Map<Row, Integer> slotOf = new IdentityHashMap<>();
        for (int i = 0; i < count; i++) {
            Row r = byHandle.get(handles[i]);
            if (r == null || slotOf.put(r, i) != null) {
                throw new IllegalArgumentException("handle " + handles[i] + " is not live or appears twice");
            }
            idMap.indexOf(tokens[i]);
        }
        for (int i = 0; i < count; i++) {
            byHandle.get(handles[i]).push(tokens[i]);
        }
        // rows whose window is full are re-encoded; the others append one column
        List<Row> full = new ArrayList<>();
        for (Row r : rows) {
            if (width - r.pad + 1 > maxContext) {
                full.add(r);
            }
        }
        try (NDManager step = sm.newSubManager()) {
            if (!full.isEmpty()) {
                rows.removeAll(full);
                dirty = true;
                compactCache(step);
            }
            if (!rows.isEmpty()) {
                float[] out = append(step);
                for (int i = 0; i < rows.size(); i++) {
                    emit(out, i, logits[slotOf.get(rows.get(i))]);
                }
            }
            if (!full.isEmpty()) {
                Prefill pf = prefill(step, full, Math.max(1, maxContext / 2));
                join(step, full, pf);
                for (int i = 0; i < full.size(); i++) {
                    emit(pf.logits(), i, logits[slotOf.get(full.get(i))]);
                }
            }
        }
    }

    @Override
    public void remove(int handle) {
        Row r = byHandle.remove(handle);
        if (r == null) {
            throw new IllegalArgumentException("no live sequence " + handle);
        }
        rows.remove(r);
        dirty = true;
    }

    /** Drops removed rows from the cache and cuts columns that are padding in every row. */
    private void compact() {
        if (!dirty) {
            return;
        }
        try (NDManager step = sm.newSubManager()) {
            compactCache(step);
        }
    }

    private void compactCache(NDManager step) {
        dirty = false;
        if (cacheK == null) {
            return;
        }
        if (rows.isEmpty()) {
            closeCache();
            width = 0;
            return;
        }
        int minPad = Integer.MAX_VALUE;
        for (Row r : rows) {
            minPad = Math.min(minPad, r.pad);
        }
        long[] keep = new long[rows.size()];
        boolean same = true;
        for (int i = 0; i < keep.length; i++) {
            keep[i] = rows.get(i).cacheRow;
            same &= keep[i] == i;
        }
        same &= cacheK[0].getShape().get(0) == keep.length;
        if (same && minPad == 0) {
            return;
        }
        NDArray idx = step.create(keep);
        NDArray[] k = new NDArray[layers];
        NDArray[] v = new NDArray[layers];
        for (int l = 0; l < layers; l++) {
            NDArray ks = same ? cacheK[l] : cacheK[l].get(new NDIndex("{}", idx));
            NDArray vs = same ? cacheV[l] : cacheV[l].get(new NDIndex("{}", idx));
            if (minPad > 0) {
                ks = ks.get(new NDIndex(":, :, {}:", minPad));
                vs = vs.get(new NDIndex(":, :, {}:", minPad));
            }
            k[l] = ks;
            v[l] = vs;
        }
        replaceCache(k, v);
        width -= minPad;
        for (int i = 0; i < rows.size(); i++) {
            rows.get(i).pad -= minPad;
            rows.get(i).cacheRow = i;
        }
    }

    /** One cached forward step over every row: returns the compact logits, row-major. */
    private float[] append(NDManager step) {
        int b = rows.size();
        long[] ids = new long[b];
        long[] pos = new long[b];
        float[] bias = new float[b * (width + 1)];
        for (int i = 0; i < b; i++) {
            Row r = rows.get(i);
            ids[i] = idMap.indexOf(r.hist[r.len - 1]);
            pos[i] = width - r.pad;
            Arrays.fill(bias, i * (width + 1), i * (width + 1) + r.pad, MASKED);
        }
        NDArray[] newK = new NDArray[layers];
        NDArray[] newV = new NDArray[layers];
        NDArray out = lm.forward(step, step.create(ids, new Shape(b, 1)), step.create(pos, new Shape(b, 1)),
                step.create(bias, new Shape(b, 1, 1, width + 1)), cacheK, cacheV, newK, newV, true);
        replaceCache(newK, newV);
        width++;
        return out.toFloatArray();
    }

    /** Encodes the last {@code keep} tokens of each row (left-padded among themselves). */
    private Prefill prefill(NDManager step, List<Row> group, int keep) {
        int b = group.size();
        int len = 0;
        for (Row r : group) {
            len = Math.max(len, Math.min(keep, r.len));
        }
        long[] ids = new long[b * len];
        long[] pos = new long[b * len];
        float[] bias = new float[b * len * len];
        for (int i = 0; i < b; i++) {
            Row r = group.get(i);
            int n = Math.min(keep, r.len);
            r.pad = len - n;
            int from = r.len - n;
            for (int t = 0; t < len; t++) {
                ids[i * len + t] = t < r.pad ? idMap.unknownIndex() : idMap.indexOf(r.hist[from + t - r.pad]);
                pos[i * len + t] = Math.max(0, t - r.pad);
                for (int j = 0; j < len; j++) {
                    if (j > t || j < r.pad) {
                        bias[(i * len + t) * len + j] = MASKED;
                    }
                }
            }
        }
        NDArray[] k = new NDArray[layers];
        NDArray[] v = new NDArray[layers];
        NDArray out = lm.forward(step, step.create(ids, new Shape(b, len)), step.create(pos, new Shape(b, len)),
                step.create(bias, new Shape(b, 1, len, len)), null, null, k, v, true);
        return new Prefill(k, v, len, out.toFloatArray());
    }

    /** Appends prefilled rows to the cache, left-padding whichever side is narrower. */
    private void join(NDManager step, List<Row> group, Prefill pf) {
        NDArray[] k = pf.k();
        NDArray[] v = pf.v();
        int w = pf.width();
        if (cacheK == null) {
            replaceCache(k, v);
            width = w;
        } else {
            NDArray[] oldK = cacheK;
            NDArray[] oldV = cacheV;
            if (w < width) {
                k = leftPad(step, k, width - w);
                v = leftPad(step, v, width - w);
                for (Row r : group) {
                    r.pad += width - w;
                }
            } else if (w > width) {
                oldK = leftPad(step, oldK, w - width);
                oldV = leftPad(step, oldV, w - width);
                for (Row r : rows) {
                    r.pad += w - width;
                }
                width = w;
            }
            NDArray[] ck = new NDArray[layers];
            NDArray[] cv = new NDArray[layers];
            for (int l = 0; l < layers; l++) {
                ck[l] = oldK[l].concat(k[l], 0);
                cv[l] = oldV[l].concat(v[l], 0);
            }
            replaceCache(ck, cv);
        }
        for (Row r : group) {
            r.cacheRow = rows.size();
            rows.add(r);
            byHandle.put(r.handle, r);
        }
    }

    private NDArray[] leftPad(NDManager step, NDArray[] a, int cols) {
        NDArray[] out = new NDArray[a.length];
        for (int l = 0; l < a.length; l++) {
            Shape s = a[l].getShape();
            out[l] = step.zeros(new Shape(s.get(0), s.get(1), cols, s.get(3)), a[l].getDataType()).concat(a[l], 2);
        }
        return out;
    }

    private void replaceCache(NDArray[] k, NDArray[] v) {
        NDArray[] oldK = cacheK;
        NDArray[] oldV = cacheV;
        for (int l = 0; l < layers; l++) {
            k[l].attach(sm);
            v[l].attach(sm);
        }
        cacheK = k;
        cacheV = v;
        if (oldK != null) {
            for (int l = 0; l < layers; l++) {
                if (oldK[l] != k[l]) {
                    oldK[l].close();
                }
                if (oldV[l] != v[l]) {
                    oldV[l].close();
                }
            }
        }
    }

    private void closeCache() {
        if (cacheK != null) {
            for (int l = 0; l < layers; l++) {
                cacheK[l].close();
                cacheV[l].close();
            }
        }
        cacheK = null;
        cacheV = null;
    }

    private void emit(float[] compact, int row, float[] out) {
        if (filled.add(out)) {
            if (filled.size() > FILLED_CAP) {
                filled.clear();
                filled.add(out);
            }
            idMap.fillUncovered(out);
        }
        idMap.scatter(compact, row * idMap.size(), out);
    }

    private void checkBuffers(float[][] logits, int count) {
        if (logits.length < count) {
            throw new IllegalArgumentException(count + " sequences but " + logits.length + " logit buffers");
        }
        for (int i = 0; i < count; i++) {
            if (logits[i].length < idMap.vocabularySize()) {
                throw new IllegalArgumentException("logit buffer length " + logits[i].length + " < vocabulary size "
                        + idMap.vocabularySize());
            }
        }
    }

    @Override
    public void close() {
        closeCache();
        rows.clear();
        byHandle.clear();
        sm.close();
    }
}
