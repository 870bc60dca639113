package example;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * A serving loop in miniature, with hallmark-core as its only dependency: a stand-in "model" gives
 * next-token logits, the watermark sampler picks each token, and the detector finds the watermark
 * in the output (and not in output sampled without it). Exits non-zero if either side is wrong.
 */
public final class EmbedAndDetect {

    public static void main(String[] args) {
        int vocab = 32_000;
        int length = 300;
        WatermarkKey key = WatermarkKey.generate(new SecureRandom());
        Scheme scheme = Scheme.parse("kgw");
        WatermarkSampler marked = WatermarkSampler.watermarked(scheme, key, SamplingConfig.defaults(), vocab);
        WatermarkSampler plain = WatermarkSampler.plain(SamplingConfig.defaults(), vocab);

        int[] withMark = generate(marked, vocab, length, 1);
        int[] without = generate(plain, vocab, length, 1);

        Detector detector = Detector.of(scheme, key);
        DetectionResult a = detector.detect(withMark, DetectOptions.defaults());
        DetectionResult b = detector.detect(without, DetectOptions.defaults());
        System.out.printf("watermarked:   %d tokens scored, log10 p = %.1f, watermarked = %b%n",
                a.tokensScored(), a.log10P(), a.watermarked());
        System.out.printf("unwatermarked: %d tokens scored, log10 p = %.1f, watermarked = %b%n",
                b.tokensScored(), b.log10P(), b.watermarked());
        if (!a.watermarked() || b.watermarked()) {
            System.exit(1);
        }
    }

    /** Stands in for a model: logits from a seeded generator, peaked enough to leave choice. */
    static int[] generate(WatermarkSampler sampler, int vocab, int length, long seed) {
        SplittableRandom model = new SplittableRandom(seed);
        SplittableRandom sampling = new SplittableRandom(seed + 1);
        float[] logits = new float[vocab];
        int[] out = new int[length];
        for (int t = 0; t < length; t++) {
            for (int v = 0; v < vocab; v++) {
                logits[v] = (float) (3 * model.nextGaussian());
            }
            out[t] = sampler.next(logits, out, 0, t, sampling);
        }
        return out;
    }
}
