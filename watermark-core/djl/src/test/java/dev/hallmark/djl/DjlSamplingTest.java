package dev.hallmark.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DjlSamplingTest {

    @Test
    void ndarrayLogitsGiveTheSameTokensAsFloatArrays() {
        int vocab = 500;
        SplittableRandom r = new SplittableRandom(3);
        float[][] rows = new float[3][vocab];
        for (float[] row : rows) {
            for (int i = 0; i < vocab; i++) {
                row[i] = (float) (3 * r.nextDouble());
            }
        }
        WatermarkKey key = WatermarkKey.fromSecret(new byte[32]);
        SamplingConfig cfg = SamplingConfig.defaults();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray twoD = m.create(new float[][] {rows[0], rows[1], rows[2]});
            NDArray oneD = m.create(rows[2]);
            int[] ctx = {5, 6, 7, 8, 9};
            for (String spec : new String[] {"kgw", "gumbel", "synthid"}) {
                Scheme s = Scheme.parse(spec);
                int expect = WatermarkSampler.watermarked(s, key, cfg, vocab).next(rows[2], ctx, 0, 5,
                        new SplittableRandom(9));
                DjlSampling a = new DjlSampling(WatermarkSampler.watermarked(s, key, cfg, vocab));
                assertEquals(expect, a.next(twoD, ctx, 0, 5, new SplittableRandom(9)), spec + " 2-D");
                a.reset();
                assertEquals(expect, a.next(oneD, ctx, 0, 5, new SplittableRandom(9)), spec + " 1-D");
            }
            DjlSampling a = new DjlSampling(WatermarkSampler.plain(cfg, vocab));
            NDArray wrong = m.zeros(new Shape(2, 7));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> a.next(wrong, ctx, 0, 5, r)).getMessage()
                    .contains("does not end in the vocabulary size 500"));
        }
    }
}
