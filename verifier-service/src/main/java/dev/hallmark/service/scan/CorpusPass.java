package dev.hallmark.service.scan;

import dev.hallmark.corpus.Document;
import dev.hallmark.service.Problem;
import dev.hallmark.service.store.ScanStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One streaming pass of a scan over its corpus: batch after batch ({@link DocumentBatches}), each
 * document handed to the scan type's step, with the scan's pacing after every document (test
 * delay, progress every 250 ms, stop when the scan is deleted or the service stops), the scan
 * counters after every batch, and checkpoints ({@link Checkpoint}): after a document, when one is
 * due (every {@code checkpointMillis}, and at least ten times as long as the last one took), and
 * when the service stops; only while this instance holds the scan's lease (checked just before).
 * A pass that resumes skips the documents its checkpoint covers (read, not tokenized) and continues
 * with the step's restored state.
 */
final class CorpusPass {

    private static final Logger LOG = Logger.getLogger(CorpusPass.class.getName());

    /** What a scan type does with each document, and how it saves its state. */
    interface Step extends Checkpoint.State {
        void accept(DocumentBatches.Tokenized d);
    }

    /**
     * What the pass read, and the token estimate its documents were charged at upload;
     * {@code stopped} when it ended early (deleted, or the service is stopping: checkpoint saved).
     */
    record Totals(long documents, long tokens, boolean stopped, long estimatedTokens) {}

    private CorpusPass() {}

    /**
     * Runs the pass (from the beginning, or from {@code resume}) and records the final progress.
     *
     * @param resume the checkpoint the step's state was restored from, or null
     * @return the totals; {@code stopped} if the run must end (the scan was deleted, or the service is stopping)
     * @throws Problem text-too-short if the corpus holds no documents, or what reading it raised
     */
    static Totals run(ScanContext ctx, ScanStore.Scan s, String fingerprint, ScanCorpus reader,
            DocumentBatches batches, Step step, Checkpoint.Resume resume) throws IOException {
        ScanPacer pacer = ctx.pacer(s.id());
        long docs = 0;
        long tokens = 0;
        long estimate = 0;
        if (resume != null) {
            for (; docs < resume.documents(); docs++) {
                Document d = reader.next();
                if (d == null) {
                    throw new IOException("the corpus has fewer documents than its checkpoint (" + resume.documents() + ")");
                }
                estimate += ScanIntake.estimateTokens(d);
            }
            tokens = resume.tokens();
        }
        // the claim left the progress of the last run: this run starts from its checkpoint, or from zero
        if (!ctx.scans().progress(s.id(), docs, tokens, reader.bytesRead())) {
            return new Totals(docs, tokens, true, estimate); // deleted, cancelled, or no longer this instance's
        }
        Path dir = ctx.files().scanDir(s.id());
        long interval = ctx.config().checkpointMillis() * 1_000_000L;
        long due = System.nanoTime() + interval;
        for (DocumentBatches.Batch b = batches.next(); b.size() > 0; b = batches.next()) {
            for (int i = 0; i < b.size(); i++) {
                DocumentBatches.Tokenized d = b.get(i);
                docs++;
                tokens += d.ids().length;
                estimate += ScanIntake.estimateTokens(d.doc());
                step.accept(d);
                boolean go = pacer.afterDocument(docs, tokens, reader.bytesRead());
                if (!go && !pacer.stopping()) {
                    return new Totals(docs, tokens, true, estimate); // deleted, cancelled, or the lease was lost
                }
                if (!go || System.nanoTime() >= due) {
                    // only the lease holder writes the checkpoint: check the lease (and record the progress) first
                    if (!ctx.scans().progress(s.id(), docs, tokens, reader.bytesRead())) {
                        return new Totals(docs, tokens, true, estimate);
                    }
                    long t0 = System.nanoTime();
                    save(dir, s, fingerprint, docs, tokens, reader.bytesRead(), step);
                    long took = System.nanoTime() - t0;
                    due = System.nanoTime() + Math.max(interval, 10 * took);
                    if (!go) {
                        return new Totals(docs, tokens, true, estimate);
                    }
                }
            }
            ctx.documentsScanned().increment(b.size());
        }
        ctx.tokensScanned().increment(tokens - (resume == null ? 0 : resume.tokens()));
        if (docs == 0) {
            throw Problem.textTooShort("the corpus holds no documents");
        }
        if (!ctx.scans().progress(s.id(), docs, tokens, reader.bytesRead())) {
            return new Totals(docs, tokens, true, estimate);
        }
        return new Totals(docs, tokens, false, estimate);
    }

    private static void save(Path dir, ScanStore.Scan s, String fingerprint, long docs, long tokens, long bytes,
            Checkpoint.State step) {
        try {
            Checkpoint.save(dir, s, fingerprint, docs, tokens, bytes, step);
        } catch (IOException e) {
            // a checkpoint that cannot be written costs only the work since the last one
            LOG.log(Level.WARNING, "scan " + s.id() + ": checkpoint not written", e);
        }
    }
}
