package dev.hallmark.tools;

import dev.hallmark.key.WatermarkKey;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine.Option;

/**
 * Mixin {@code --null-keys N --null-seed S}: never-deployed keys, drawn from a seed, that score the
 * same texts as the real key to check the null side (their p-values must look uniform).
 */
public final class NullKeyOptions {

    @Option(names = "--null-keys", defaultValue = "9", description = "Extra never-used keys per text (default: ${DEFAULT-VALUE}).")
    int nullKeys;

    @Option(names = "--null-seed", defaultValue = "20240611", description = "Seed of the never-used keys (default: ${DEFAULT-VALUE}).")
    long nullSeed;

    public int count() {
        return nullKeys;
    }

    public long seed() {
        return nullSeed;
    }

    /** The {@code --null-keys} keys of {@code --null-seed}. */
    public List<WatermarkKey> keys() {
        if (nullKeys < 0) {
            throw new IllegalArgumentException("--null-keys must be >= 0, got " + nullKeys);
        }
        return keys(nullSeed, nullKeys);
    }

    /** {@code n} keys whose secrets are drawn in order from a SplittableRandom seeded with {@code seed}. */
    public static List<WatermarkKey> keys(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<WatermarkKey> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] s = new byte[WatermarkKey.SECRET_BYTES];
            r.nextBytes(s);
            keys.add(WatermarkKey.fromSecret(s));
        }
        return keys;
    }
}
