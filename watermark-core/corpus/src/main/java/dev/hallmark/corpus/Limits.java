package dev.hallmark.corpus;

/**
 * Caps against oversized records and decompression bombs.
 *
 * @param maxDecompressedBytes the most a compressed file may inflate to
 * @param maxCompressionRatio inflated/compressed, enforced once {@link #RATIO_FLOOR_BYTES} (or a
 *     quarter of the size cap, if smaller) have been inflated: small files of repetitive text
 *     compress very well too
 * @param maxRecordChars the longest line, record or Parquet value, in characters
 */
public record Limits(long maxDecompressedBytes, double maxCompressionRatio, int maxRecordChars) {

    /** Where the ratio cap starts to apply: 16 MiB. */
    public static final long RATIO_FLOOR_BYTES = 16L << 20;

    public Limits {
        if (maxDecompressedBytes <= 0 || !(maxCompressionRatio > 1) || maxRecordChars <= 0) {
            throw new IllegalArgumentException("limits must be positive (ratio > 1): " + maxDecompressedBytes + ", "
                    + maxCompressionRatio + ", " + maxRecordChars);
        }
    }

    /** 16 GiB inflated, ratio 200, 64 Mi characters per record. */
    public static Limits defaults() {
        return new Limits(16L << 30, 200, 64 << 20);
    }
}
