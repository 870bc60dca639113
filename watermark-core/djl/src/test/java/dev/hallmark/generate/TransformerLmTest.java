package dev.hallmark.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny model (vocabulary 1,000, 40 covered ids) trained for a few steps on a synthetic stream. */
class TransformerLmTest {

    static final int VOCAB = 1000;
    static final TransformerConfig TINY = new TransformerConfig(32, 2, 4, 64, 16);

    /** Covered ids: 100, 110, ..., 490 (40 ids); begin token 100. */
    static IdMap idMap() {
        int[] ids = new int[40];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 100 + 10 * i;
        }
        return IdMap.of(ids, VOCAB);
    }

    /** A periodic stream (period 8 over covered ids) with occasional uncovered ids. */
    static int[] stream(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextInt(50) == 0 ? 7 : 100 + 10 * ((i * 3) % 8);
        }
        return s;
    }

    static LmTrainer.Options options(int steps) {
        return new LmTrainer.Options(4, steps, 3e-3f, 2, 0.01f, 1f, 42);
    }

    @Test
    void trainingLowersTheLoss() {
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 1)) {
            LmTrainer t = new LmTrainer(lm, stream(2000, 5), options(30));
            t.train(30, null, 10, null);
            List<LmTrainer.StepLog> h = t.history();
            assertEquals(30, h.size());
            float first = h.get(0).loss();
            float last = (h.get(27).loss() + h.get(28).loss() + h.get(29).loss()) / 3;
            // the initial loss is about ln(40) = 3.7; the stream is nearly deterministic
            assertTrue(first > 3.0f, "initial loss " + first);
            assertTrue(last < first - 1.0f, "loss did not fall: " + first + " -> " + last);
        }
    }

    @Test
    void cachedGenerationMatchesFullRecompute() {
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 3)) {
            new LmTrainer(lm, stream(2000, 5), options(5)).train(5, null, 10, null);
            int[] a = {100, 130, 160, 190, 120};
            int[] b = {250, 7, 300}; // shorter, with an uncovered id: exercises left padding and unknown input
            int[] extra = {140, 170, 200, 230, 260, 290};
            float[][] logits = new float[2][VOCAB];
            try (LanguageModel.Session s = lm.newSession(2)) {
                s.start(new int[][] {a, b}, logits);
                int[] ha = a.clone();
                int[] hb = b.clone();
                checkAgainstFull(lm, ha, logits[0]);
                checkAgainstFull(lm, hb, logits[1]);
                for (int tok : extra) {
                    s.append(new int[] {tok, tok + 10}, logits);
                    ha = append(ha, tok);
                    hb = append(hb, tok + 10);
                    checkAgainstFull(lm, ha, logits[0]);
                    checkAgainstFull(lm, hb, logits[1]);
                }
            }
        }
    }

    @Test
    void historiesLongerThanTheContextAreReencoded() {
        // the session's rule: when the cache is full, re-encode the most recent maxContext/2 tokens
        int ctx = TINY.maxContext();
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 4)) {
            int[] h = {100, 110, 120};
            float[][] logits = new float[1][VOCAB];
            try (LanguageModel.Session s = lm.newSession(1)) {
                s.start(new int[][] {h}, logits);
                int cacheLen = h.length;
                int wraps = 0;
                for (int i = 0; i < 2 * ctx; i++) {
                    int tok = 100 + 10 * ((i * 7) % 40);
                    s.append(new int[] {tok}, logits);
                    h = append(h, tok);
                    if (cacheLen + 1 > ctx) {
                        cacheLen = ctx / 2;
                        wraps++;
                    } else {
                        cacheLen++;
                    }
                    int[] window = java.util.Arrays.copyOfRange(h, h.length - cacheLen, h.length);
                    checkAgainstFull(lm, window, logits[0]);
                }
                assertTrue(wraps >= 2, "the loop should wrap the context at least twice: " + wraps);
            }
        }
    }

    @Test
    void scatterPutsMinusInfinityOutsideTheIdMap() {
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 5)) {
            float[][] logits = {new float[VOCAB]};
            java.util.Arrays.fill(logits[0], 123f);
            try (LanguageModel.Session s = lm.newSession(1)) {
                s.start(new int[][] {{}}, logits);
            }
            IdMap map = lm.idMap();
            int finite = 0;
            for (int id = 0; id < VOCAB; id++) {
                if (map.contains(id)) {
                    assertTrue(Float.isFinite(logits[0][id]) && logits[0][id] != 123f, "id " + id);
                    finite++;
                } else {
                    assertEquals(Float.NEGATIVE_INFINITY, logits[0][id], "id " + id);
                }
            }
            assertEquals(40, finite);
        }
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) {
        int[][] w = {{100, 110, 7, 130}};
        float[][][] before;
        long params;
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 6)) {
            new LmTrainer(lm, stream(2000, 5), options(3)).train(3, null, 10, null);
            before = lm.fullLogits(w);
            params = lm.parameterCount();
            lm.save(dir);
        }
        assertEquals(TINY.parameterCount(40), params);
        try (TransformerLm lm = TransformerLm.load(dir)) {
            assertEquals(TINY, lm.config());
            assertEquals(VOCAB, lm.vocabularySize());
            assertArrayEquals(idMap().ids(), lm.idMap().ids());
            float[][][] after = lm.fullLogits(w);
            for (int t = 0; t < 4; t++) {
                assertArrayEquals(before[0][t], after[0][t], 0f);
            }
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> TransformerLm.load(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void resumedTrainingMatchesAnUninterruptedRun(@TempDir Path dir) {
        int[] data = stream(3000, 9);
        float[][][] straight;
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 7)) {
            LmTrainer t = new LmTrainer(lm, data, options(8));
            t.train(8, null, 100, null);
            straight = lm.fullLogits(new int[][] {{100, 110, 120}});
        }
        Path ck = dir.resolve("ck");
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 7)) {
            LmTrainer t = new LmTrainer(lm, data, options(8));
            t.train(5, ck, 5, null); // "killed" after step 5
        }
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 7)) {
            LmTrainer t = new LmTrainer(lm, data, options(8));
            assertTrue(t.restore(ck));
            assertEquals(5, t.step());
            t.train(8, ck, 5, null);
            assertEquals(8, t.history().size());
            float[][][] resumed = lm.fullLogits(new int[][] {{100, 110, 120}});
            for (int p = 0; p < 3; p++) {
                assertArrayEquals(straight[0][p], resumed[0][p], 1e-4f);
            }
        }
        try (TransformerLm lm = TransformerLm.create(TINY, idMap(), 100, "tiny", 7)) {
            LmTrainer other = new LmTrainer(lm, data, options(9));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.restore(ck));
            assertTrue(e.getMessage().contains("delete the checkpoint"), e.getMessage());
        }
    }

    static void checkAgainstFull(TransformerLm lm, int[] history, float[] cached) {
        float[] full = lm.fullLogits(new int[][] {history})[0][history.length - 1];
        assertTrue(close(full, cached, lm.idMap()), "cached logits differ from the full recompute");
    }

    static boolean close(float[] compact, float[] fullVocab, IdMap map) {
        for (int i = 0; i < map.size(); i++) {
            if (Math.abs(compact[i] - fullVocab[map.id(i)]) > 1e-4f) {
                return false;
            }
        }
        return true;
    }

    static int[] append(int[] a, int x) {
        int[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = x;
        return b;
    }
}
