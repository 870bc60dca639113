package dev.hallmark.testing;

import dev.hallmark.key.WatermarkKey;
import java.util.SplittableRandom;

/** Deterministic keys for tests: the same seed always gives the same key. */
public final class TestKeys {
    private TestKeys() {}

    public static WatermarkKey key(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] s = new byte[WatermarkKey.SECRET_BYTES];
        r.nextBytes(s);
        return WatermarkKey.fromSecret(s);
    }
}
