package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The summary must not present the lab-wide scan's best account as an accused account: an innocent
 * account sharing Reed-Solomon groups with the harvesters can win the scan. Accusations are only
 * the decoder's.
 */
class DistillSummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One results row; the scan's best account is {@code scanBest}, the decoder accused {@code accused}. */
    private static String row(long scanBest, String accused, int found) {
        return """
                {"run": "attr", "student": "ngram", "corpus": "kgw", "scheme": "kgw:gamma=0.25,delta=2,context=1",
                 "harvesters": 2, "rho": 1.0, "rho_realised": 1.0, "train_tokens": 1000, "watermarked_tokens": 1000,
                 "human_tokens": 0, "mix_capped": false, "seed": 0, "master": "lab", "filter": "off", "budget": 500,
                 "tokens_read": 510, "documents": 3, "tuples_scored": 400, "harvesting_accounts": [11, 12],
                 "account_log10_p": [-9.0, -8.0], "account_statistic": [0.3, 0.3], "account_z": [4.0, 3.9],
                 "scan_best_account": %d, "scan_log10_p": -5.0, "distilled_log10_p": -6.0, "accused": %s,
                 "found": %d, "false_accused": 0, "innocent_max_positive_groups": 4, "threshold": 9,
                 "exposed_innocent": 777, "exposed_innocent_shared_groups": 4, "exposed_innocent_log10_p": -4.0}
                """.formatted(scanBest, accused, found);
    }

    private static JsonNode results(String... rows) throws Exception {
        return JSON.readTree("""
                {"experiment": "t",
                 "manifest": {"git_commit": "abc", "git_dirty": false, "java": "17", "djl": "x", "processors": 2,
                              "seconds": 1.0},
                 "config": {"lab": {"accounts": 24000, "code": [31, 16, 2]}},
                 "lab": {"master_key_id": "hk-x", "harvesting_accounts": [11, 12], "code_capacity": 29791,
                         "group_keys": 496, "threshold": 9, "coalition_bound": 4, "alpha": 0.001},
                 "teacher_corpora": [], "rows": [%s], "null_checks": {}, "calibration": {}}
                """.formatted(String.join(",", rows)));
    }

    @Test
    void scanWinnerThatDidNotHarvestIsCountedAsSuchAndNeverAsAnAccusation() throws Exception {
        // seed 1: the scan's best account 777 is innocent (shares groups); seed 2: it is harvester 12
        JsonNode res = results(row(777, "[]", 0), row(12, "[12]", 1));
        assertFalse(DistillSummary.scanBestIsHarvester(res.get("rows").get(0)));
        assertTrue(DistillSummary.scanBestIsHarvester(res.get("rows").get(1)));
        String md = DistillSummary.markdown(res);
        assertTrue(md.contains("| scan's best account harvested |"), md);
        assertTrue(md.contains("| false accusations (decoder) |"), md);
        // the row: scan winner harvested in 1 of 2 seeds, 1 of 4 harvesters found, 0 false accusations
        assertTrue(md.contains("| -5.0 | 1/2 | -6.0 | 1/4 | 0 | 4/9 | 4, -4.0 |"), md);
        assertTrue(md.contains("The scan's best account is NOT an accusation"), md);
    }
}
