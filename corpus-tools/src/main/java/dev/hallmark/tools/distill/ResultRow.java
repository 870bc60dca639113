package dev.hallmark.tools.distill;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hallmark.tools.JsonNumbers;
import java.util.Arrays;

/**
 * One tested student output at one budget and filter: a row of the results ({@code rows} in the
 * JSON, one line of {@code -rows.csv}), serialised by Jackson with these names in snake case.
 *
 * @param harvesters the run's number of harvesting accounts
 * @param rhoRealised the watermarked fraction the mix reached (below rho when the harvest ran short)
 * @param seed the student's repetition index
 * @param master {@code lab} (scored with the lab's master key), {@code fresh} (a never-deployed master: a null
 *     trial) or {@code fresh-lab} (a fresh lab's master that also served the data behind the served filter)
 * @param studentFinalLoss the neural student's final training loss; absent for n-gram students
 * @param attack the rival's removal attack ({@code none}, {@code paraphrase:S}, {@code neutralize:D})
 * @param studentPerplexity the n-gram student's held-out perplexity as it samples; absent for neural students
 * @param studentSeconds wall time of the student's training and sampling
 * @param exposedInnocent the non-harvesting account sharing the most groups with the harvesters:
 *     its own test is valid only against the global null, reported to show the contamination,
 *     never an accusation
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record ResultRow(String run, String student, String corpus, String scheme, int harvesters, double rho,
        double rhoRealised, long trainTokens, long watermarkedTokens, long humanTokens, boolean mixCapped, int seed,
        String master, @JsonInclude(JsonInclude.Include.NON_NULL) Double studentFinalLoss, String filter,
        long budget, long tokensRead, long documents, long tuplesScored, long[] harvestingAccounts,
        @JsonSerialize(using = JsonNumbers.NonFiniteAsNullArray.class) double[] accountLog10P,
        @JsonSerialize(using = JsonNumbers.NonFiniteAsNullArray.class) double[] accountStatistic,
        @JsonSerialize(using = JsonNumbers.NonFiniteAsNullArray.class) double[] accountZ,
        long scanBestAccount, double scanLog10P, double distilledLog10P, long[] accused, int found,
        int falseAccused, int innocentMaxPositiveGroups, int threshold, long exposedInnocent,
        int exposedInnocentSharedGroups, double exposedInnocentLog10P, boolean exposedInnocentAccused, String attack,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double studentPerplexity, double studentSeconds) {

    /** The row of one measurement of a student's outputs. */
    static ResultRow of(Students.Outputs o, String scheme, SuspectTester.Measurement m) {
        DistillConfig.Run r = o.student().run();
        Pipeline.Mix mix = o.mix();
        return new ResultRow(r.name(), r.student(), r.corpus(), scheme, r.harvesters(), o.student().rho(), mix.rho(),
                mix.tokens(), mix.watermarkedTokens(), mix.humanTokens(), mix.capped(), o.student().seedIndex(),
                r.freshMasters() ? "fresh" : r.freshLabs() ? "fresh-lab" : "lab", Double.isNaN(o.finalLoss()) ? null : o.finalLoss(), m.filter(),
                m.budget(), m.tokensRead(), m.documents(), m.tuplesScored(), m.harvesters(), m.harvesterLog10P(),
                m.harvesterStatistic(), m.harvesterZ(), m.scanBestAccount(), m.scanLog10P(), m.distilledLog10P(),
                m.accused(), m.found(), m.falseAccused(), m.innocentMaxPositive(), m.threshold(), m.exposedInnocent(),
                m.exposedShared(), m.exposedLog10P(),
                Arrays.stream(m.accused()).anyMatch(a -> a == m.exposedInnocent()), r.attack(),
                Double.isNaN(o.perplexity()) ? null : o.perplexity(), o.seconds());
    }
}
