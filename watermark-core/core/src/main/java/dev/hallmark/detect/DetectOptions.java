package dev.hallmark.detect;

/**
 * Options for one detection.
 *
 * @param alpha the false-positive rate the verdict is taken at: watermarked iff p &lt;= alpha
 * @param tokenScores whether to return per-token scores (for analysts with the right; the
 *     service never returns them to non-admin callers)
 * @param deduplicate score each distinct tuple once (the default; turning it off gives invalid
 *     p-values on repetitive text and exists only for research comparisons)
 */
public record DetectOptions(double alpha, boolean tokenScores, boolean deduplicate) {

    public DetectOptions {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("false-positive rate must be in (0, 1), got " + alpha);
        }
    }

    /** alpha = 1e-3, no per-token scores, de-duplication on. */
    public static DetectOptions defaults() {
        return new DetectOptions(1e-3, false, true);
    }

    public DetectOptions withAlpha(double a) {
        return new DetectOptions(a, tokenScores, deduplicate);
    }

    public DetectOptions withTokenScores(boolean on) {
        return new DetectOptions(alpha, on, deduplicate);
    }

    public DetectOptions withDeduplicate(boolean on) {
        return new DetectOptions(alpha, tokenScores, on);
    }
}
