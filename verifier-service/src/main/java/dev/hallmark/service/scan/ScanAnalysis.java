package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.store.ScanStore;
import java.io.IOException;

/** One scan type's analysis of a stored corpus ({@link ScanStore.Scan#scanType()}). */
interface ScanAnalysis {

    /**
     * How a run ended: with the report and the token estimate the corpus was charged at upload
     * ({@code ScanIntake.estimateTokens} over its documents), or stopped early (the scan was
     * deleted, or the service is stopping).
     */
    record Outcome(ObjectNode report, boolean stopped, long estimatedTokens) {

        static Outcome done(ObjectNode report, CorpusPass.Totals t) {
            return new Outcome(report, false, t.estimatedTokens());
        }

        static Outcome interrupted() {
            return new Outcome(null, true, 0);
        }
    }

    /**
     * Runs the analysis of scan {@code s}, from the beginning or from a checkpoint.
     *
     * @param resume the checkpoint to continue from, or null
     * @throws dev.hallmark.service.Problem a failure to report to the scan's owner
     * @throws IOException if the corpus or the checkpoint cannot be read
     */
    Outcome run(ScanStore.Scan s, Checkpoint.Resume resume) throws IOException;

    /** The scan type its checkpoints are saved under (the type of the pass that saves them). */
    default String checkpointType(ScanStore.Scan s) {
        return s.scanType();
    }
}
