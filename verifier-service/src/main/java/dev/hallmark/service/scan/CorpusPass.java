package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import dev.hallmark.service.store.ScanStore;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * One streaming pass of a scan over its corpus: batch after batch ({@link DocumentBatches}), each
 * document handed to the scan type's step, with the scan's pacing after every document (test
 * delay, progress every 250 ms, stop when the scan is deleted or the service stops) and the scan
 * counters after every batch.
 */
final class CorpusPass {

    /** What the pass read. */
    record Totals(long documents, long tokens) {}

    private CorpusPass() {}

    /**
     * Runs the pass and records the final progress.
     *
     * @return the totals, or null if the run must end (the scan was deleted, or the service is stopping)
     * @throws Problem text-too-short if the corpus holds no documents, or what reading it raised
     */
    static Totals run(ScanContext ctx, ScanStore.Scan s, ScanCorpus reader, DocumentBatches batches,
            Consumer<DocumentBatches.Tokenized> step) throws IOException {
        ScanPacer pacer = ctx.pacer(s.id());
        long docs = 0;
        long tokens = 0;
        for (DocumentBatches.Batch b = batches.next(); b.size() > 0; b = batches.next()) {
            for (int i = 0; i < b.size(); i++) {
                DocumentBatches.Tokenized d = b.get(i);
                docs++;
                tokens += d.ids().length;
                step.accept(d);
                if (!pacer.afterDocument(docs, tokens, reader.bytesRead())) {
                    return null;
                }
            }
            ctx.documentsScanned().increment(b.size());
            // here the step's state covers every document so far: the place for a checkpoint
        }
        ctx.tokensScanned().increment(tokens);
        if (docs == 0) {
            throw Problem.textTooShort("the corpus holds no documents");
        }
        if (!ctx.scans().progress(s.id(), docs, tokens, reader.bytesRead())) {
            return null;
        }
        return new Totals(docs, tokens);
    }
}
