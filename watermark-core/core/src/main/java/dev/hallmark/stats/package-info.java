/**
 * Exact statistics for watermark detection, in log space.
 *
 * <ul>
 *   <li>{@link dev.hallmark.stats.Tails}: upper tails of the null distributions (binomial for KGW
 *   green counts and SynthID g-value counts, Gamma(n, 1) for the Gumbel/exponential score, standard
 *   normal), as log10 p (and ln p), accurate far below 1e-308; never formed as {@code 1 - cdf}.</li>
 *   <li>{@link dev.hallmark.stats.MultipleTesting}: Holm and Bonferroni corrections on log10 p-values
 *   (several keys, several windows).</li>
 *   <li>{@link dev.hallmark.stats.BinomialInterval}: exact Clopper-Pearson intervals (e.g. for an
 *   empirical false-positive rate).</li>
 * </ul>
 *
 * <p>Algorithms, references and measured accuracy: {@code docs/statistics.md}.
 */
package dev.hallmark.stats;
