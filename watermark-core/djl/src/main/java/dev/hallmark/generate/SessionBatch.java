package dev.hallmark.generate;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link ContinuousBatch} over any {@link LanguageModel}: one single-sequence
 * {@link LanguageModel.Session} per live sequence.
 */
final class SessionBatch implements ContinuousBatch {

    private final LanguageModel model;
    private final Map<Integer, LanguageModel.Session> live = new HashMap<>();
    private final int[] one = new int[1];
    private final float[][] row = new float[1][];
    private int nextHandle;

    SessionBatch(LanguageModel model) {
        this.model = model;
    }

    @Override
    public int vocabularySize() {
        return model.vocabularySize();
    }

    @Override
    public int size() {
        return live.size();
    }

    @Override
    public void add(int[][] prompts, int count, int[] handles, float[][] logits) {
        for (int i = 0; i < count; i++) {
            LanguageModel.Session s = model.newSession(1);
            try {
                row[0] = logits[i];
                s.start(new int[][] {prompts[i]}, row);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            int h = nextHandle++;
            live.put(h, s);
            handles[i] = h;
        }
    }

    @Override
    public void step(int[] handles, int[] tokens, int count, float[][] logits) {
        if (count != live.size()) {
            throw new IllegalArgumentException("step needs every live sequence: " + count + " given, " + live.size()
                    + " live");
        }
        for (int i = 0; i < count; i++) {
            LanguageModel.Session s = live.get(handles[i]);
            if (s == null) {
                throw new IllegalArgumentException("no live sequence " + handles[i]);
            }
            one[0] = tokens[i];
            row[0] = logits[i];
            s.append(one, row);
        }
    }

    @Override
    public void remove(int handle) {
        LanguageModel.Session s = live.remove(handle);
        if (s == null) {
            throw new IllegalArgumentException("no live sequence " + handle);
        }
        s.close();
    }

    @Override
    public void close() {
        live.values().forEach(LanguageModel.Session::close);
        live.clear();
    }
}
