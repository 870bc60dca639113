package dev.hallmark.tools.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.generate.IdMap;
import dev.hallmark.generate.TransformerConfig;
import dev.hallmark.generate.TransformerLm;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The experiment adapter over the project's transformer, on a tiny untrained model (random
 * weights, context 16): generation lengths, windowed log-probabilities against a direct
 * computation, and distributions.
 */
class LmTextModelTest {

    static LmTextModel model;
    static TransformerLm lm;
    static final int VOCAB = 100;

    @BeforeAll
    static void build() {
        int[] ids = new int[50];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 2 * i; // even ids only
        }
        lm = TransformerLm.create(new TransformerConfig(16, 1, 2, 32, 16), IdMap.of(ids, VOCAB), 0, "tiny", 7);
        model = LmTextModel.of(lm, 2, new int[] {0}, null);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void generatesFullLengthCompletionsFromCoveredIds() {
        List<int[]> prompts = List.of(new int[] {2, 4}, new int[] {6}, new int[] {8, 10, 12});
        List<int[]> out = model.generate(prompts, 20,
                i -> WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB), i -> new SplittableRandom(i), n -> { });
        assertEquals(3, out.size());
        for (int[] c : out) {
            assertEquals(20, c.length);
            assertTrue(Arrays.stream(c).allMatch(id -> id % 2 == 0), Arrays.toString(c));
        }
        assertTrue(model.describe().startsWith("tiny ("), model.describe());
    }

    @Test
    void logProbsMatchADirectForwardAndWindowLongSequences() {
        int[] prompt = {2, 4, 6};
        int[] completion = new int[40];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < completion.length; i++) {
            completion[i] = 2 * r.nextInt(50);
        }
        double[] lp = model.logProbs(prompt, completion);
        assertEquals(40, lp.length);
        // the first window covers positions 1..15 of prompt + completion: compare with one forward
        int[] seq = new int[16];
        System.arraycopy(prompt, 0, seq, 0, 3);
        System.arraycopy(completion, 0, seq, 3, 13);
        float[][] logits = lm.fullLogits(new int[][] {seq})[0];
        for (int pos = 3; pos < 16; pos++) {
            float[] l = logits[pos - 1];
            double max = Double.NEGATIVE_INFINITY;
            for (float v : l) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : l) {
                sum += Math.exp(v - max);
            }
            double direct = l[lm.idMap().indexOf(seq[pos])] - max - Math.log(sum);
            assertEquals(direct, lp[pos - 3], 1e-5, "position " + pos);
        }
        for (double v : lp) {
            assertTrue(v < 0 && Double.isFinite(v));
        }
        // windowed: the position after the first window is scored with half a context of history
        double[] dist = model.distributions(concat(prompt, completion), new int[] {20, 42})[1];
        assertEquals(50, dist.length);
        assertEquals(1.0, Arrays.stream(dist).sum(), 1e-9);
        double[] d20 = model.distributions(concat(prompt, completion), new int[] {20})[0];
        int target = lm.idMap().indexOf(completion[17]);
        assertEquals(Math.log(d20[target]), lp[17], 1e-5, "distributions and log-probs agree");
    }

    @Test
    void windowsCoverEachPositionOnceWithHalfAContextOfHistory() {
        // length 40, scoring from 3, context 16: [0,16) scores 3..15, [8,24) 16..23, [16,32) 24..31, [24,40) 32..39
        List<int[]> w = LmTextModel.windows(40, 3, 16);
        assertEquals(4, w.size());
        assertArrayEquals(new int[] {0, 16, 3}, w.get(0));
        assertArrayEquals(new int[] {8, 24, 16}, w.get(1));
        assertArrayEquals(new int[] {24, 40, 32}, w.get(3));
        // a long prompt: the same windows (a position always gets the same history), minus those
        // with nothing to score
        List<int[]> late = LmTextModel.windows(40, 30, 16);
        assertEquals(2, late.size());
        assertArrayEquals(new int[] {16, 32, 30}, late.get(0));
        assertArrayEquals(new int[] {24, 40, 32}, late.get(1));
    }

    @Test
    void batchedLogProbsEqualOneByOne() {
        List<int[]> prompts = List.of(new int[] {2, 4}, new int[] {6, 8, 10, 12, 14});
        List<int[]> comps = List.of(new int[] {20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52, 54},
                new int[] {60, 62, 64});
        List<double[]> batch = model.logProbs(prompts, comps);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(model.logProbs(prompts.get(i), comps.get(i)), batch.get(i), 1e-5);
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
