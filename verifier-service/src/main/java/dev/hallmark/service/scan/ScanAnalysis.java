package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.store.ScanStore;
import java.io.IOException;

/** One scan type's analysis of a stored corpus ({@link ScanStore.Scan#scanType()}). */
interface ScanAnalysis {

    /**
     * Runs the analysis of scan {@code s}.
     *
     * @return the report, or null if the scan was deleted or the service is stopping
     * @throws dev.hallmark.service.Problem a failure to report to the scan's owner
     */
    ObjectNode run(ScanStore.Scan s) throws IOException;
}
