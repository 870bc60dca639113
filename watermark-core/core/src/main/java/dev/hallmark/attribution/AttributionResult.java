package dev.hallmark.attribution;

import java.util.List;

/**
 * Outcome of account attribution over a suspect corpus.
 *
 * @param scheme canonical scheme spec of the group keys
 * @param masterId id of the master key the accounts derive from
 * @param code the account code
 * @param tokensSeen tokens in the corpus
 * @param tuplesScored distinct tuples scored (each against the q group keys of its position)
 * @param skippedRepeated positions whose tuple was already scored
 * @param skippedFiltered positions removed by filters
 * @param positionTuples distinct tuples per code position
 * @param groupLog10P exact log10 p-value of every group key (index {@code position * q + symbol})
 * @param alpha family-wise error rate: the chance of accusing any innocent account, given the
 *     coalition bound holds
 * @param coalitionBound d, the largest number of harvesting accounts the guarantee covers
 * @param threshold positive groups needed to accuse: degree * d + 1
 * @param accountsTested accounts 0 .. accountsTested-1 were evaluated
 * @param distilledLog10P log10 p-value of "the corpus carries some account's watermark at all"
 *     (smallest group p-value, Bonferroni-corrected over all groups)
 * @param accused accounts with at least {@code threshold} positive groups, most significant first
 */
public record AttributionResult(
        String scheme,
        String masterId,
        AccountCode code,
        long tokensSeen,
        long tuplesScored,
        long skippedRepeated,
        long skippedFiltered,
        long[] positionTuples,
        double[] groupLog10P,
        double alpha,
        int coalitionBound,
        int threshold,
        long accountsTested,
        double distilledLog10P,
        List<Accusation> accused) {

    /**
     * One accused account.
     *
     * @param account the account index
     * @param positiveGroups how many of its groups are positive (at least the threshold)
     * @param log10P the account's attribution p-value: its threshold-th smallest group p-value,
     *     Bonferroni-corrected over all groups (valid when the coalition bound holds)
     */
    public record Accusation(long account, int positiveGroups, double log10P) {}
}
