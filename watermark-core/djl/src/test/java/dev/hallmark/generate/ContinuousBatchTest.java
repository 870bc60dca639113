package dev.hallmark.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Continuous batching must compute, for every sequence, what a single-sequence session computes:
 * sequences join and leave at random steps, prompts are longer and shorter than the context (16),
 * and generations run past the sliding window several times.
 */
class ContinuousBatchTest {

    /** One sequence driven through the batch, with its reference session. */
    private static final class Seq {
        final int[] prompt;
        final int steps;
        LanguageModel.Session ref;
        final float[] refLogits;
        final float[] batchLogits;
        int handle;
        int done;
        int pending;

        Seq(int[] prompt, int steps, int vocab) {
            this.prompt = prompt;
            this.steps = steps;
            this.refLogits = new float[vocab];
            this.batchLogits = new float[vocab];
        }
    }

    private static int[] prompt(SplittableRandom r, int len) {
        int[] p = new int[len];
        for (int i = 0; i < len; i++) {
            p[i] = 100 + 10 * r.nextInt(40);
        }
        return p;
    }

    /** A covered id chosen from the logits (the largest plus a seeded offset), as a sampler would. */
    private static int pick(float[] logits, SplittableRandom r) {
        int best = 100;
        for (int id = 100; id < 500; id += 10) {
            if (logits[id] > logits[best]) {
                best = id;
            }
        }
        return r.nextInt(3) == 0 ? 100 + 10 * r.nextInt(40) : best;
    }

    private static void assertSame(Seq s, String where) {
        for (int id = 0; id < s.refLogits.length; id++) {
            float a = s.refLogits[id];
            float b = s.batchLogits[id];
            if (Float.isInfinite(a) || Float.isInfinite(b)) {
                assertEquals(a, b, where + " id " + id);
            } else {
                assertEquals(a, b, 2e-4f, where + " id " + id);
            }
        }
    }

    @Test
    void everySequenceMatchesItsOwnSessionWhileOthersJoinAndLeave() {
        SplittableRandom r = new SplittableRandom(20261207);
        try (TransformerLm lm = TransformerLm.create(TransformerLmTest.TINY, TransformerLmTest.idMap(), 100, "tiny", 3);
                ContinuousBatch batch = ContinuousBatch.of(lm)) {
            int vocab = lm.vocabularySize();
            List<Seq> waiting = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                int[] p = i == 3 ? new int[0] : prompt(r, 1 + r.nextInt(i % 4 == 0 ? 24 : 8));
                waiting.add(new Seq(p, 1 + r.nextInt(40), vocab));
            }
            List<Seq> live = new ArrayList<>();
            int finished = 0;
            int stepNo = 0;
            while (finished < 14) {
                // 1. every live sequence appends its pending token
                if (!live.isEmpty()) {
                    int n = live.size();
                    int[] handles = new int[n];
                    int[] tokens = new int[n];
                    float[][] logits = new float[n][];
                    // feed in a shuffled order: handles, not positions, identify sequences
                    List<Seq> order = new ArrayList<>(live);
                    java.util.Collections.shuffle(order, new java.util.Random(stepNo));
                    for (int i = 0; i < n; i++) {
                        Seq s = order.get(i);
                        handles[i] = s.handle;
                        tokens[i] = s.pending;
                        logits[i] = s.batchLogits;
                        s.ref.append(new int[] {s.pending}, new float[][] {s.refLogits});
                    }
                    batch.step(handles, tokens, n, logits);
                }
                // 2. some waiting sequences join
                int join = waiting.isEmpty() ? 0 : Math.min(waiting.size(), r.nextInt(3));
                if (join > 0 || (live.isEmpty() && !waiting.isEmpty())) {
                    join = Math.max(join, 1);
                    int[][] prompts = new int[join][];
                    float[][] logits = new float[join][];
                    int[] handles = new int[join];
                    List<Seq> fresh = new ArrayList<>(waiting.subList(0, join));
                    waiting.subList(0, join).clear();
                    for (int i = 0; i < join; i++) {
                        Seq s = fresh.get(i);
                        prompts[i] = s.prompt;
                        logits[i] = s.batchLogits;
                        s.ref = lm.newSession(1);
                        s.ref.start(new int[][] {s.prompt}, new float[][] {s.refLogits});
                    }
                    batch.add(prompts, join, handles, logits);
                    for (int i = 0; i < join; i++) {
                        fresh.get(i).handle = handles[i];
                    }
                    live.addAll(fresh);
                }
                // 3. compare, sample, and let finished sequences leave
                for (Seq s : new ArrayList<>(live)) {
                    assertSame(s, "step " + stepNo + " handle " + s.handle + " token " + s.done);
                    s.pending = pick(s.batchLogits, r);
                    if (++s.done >= s.steps) {
                        batch.remove(s.handle);
                        s.ref.close();
                        live.remove(s);
                        finished++;
                    }
                }
                assertEquals(live.size(), batch.size());
                stepNo++;
            }
            assertTrue(stepNo > 40, "the run should pass the 16-token window several times: " + stepNo);
        }
    }

    @Test
    void stepMustNameEveryLiveSequence() {
        try (TransformerLm lm = TransformerLm.create(TransformerLmTest.TINY, TransformerLmTest.idMap(), 100, "tiny", 3);
                ContinuousBatch batch = ContinuousBatch.of(lm)) {
            int vocab = lm.vocabularySize();
            int[] handles = new int[2];
            batch.add(new int[][] {{100, 110}, {120}}, 2, handles, new float[][] {new float[vocab], new float[vocab]});
            assertThrows(IllegalArgumentException.class,
                    () -> batch.step(new int[] {handles[0]}, new int[] {100}, 1, new float[][] {new float[vocab]}));
            assertThrows(IllegalArgumentException.class, () -> batch.step(new int[] {handles[0], handles[0]},
                    new int[] {100, 100}, 2, new float[][] {new float[vocab], new float[vocab]}));
            assertThrows(IllegalArgumentException.class, () -> batch.remove(handles[1] + 5));
        }
    }
}
