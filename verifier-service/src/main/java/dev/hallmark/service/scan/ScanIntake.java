package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.AuditLog;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import dev.hallmark.text.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/**
 * How a corpus becomes a queued scan: checks that need no corpus ({@link #precheck}), then, once
 * the upload is on disk, validation of the whole corpus, the file moved into place, the row, the
 * audit entry, and the scan queued ({@link #accept}). Nothing partial is ever stored. Blocking:
 * call from worker threads.
 */
public final class ScanIntake {

    private final ServiceConfig config;
    private final ScanStore scans;
    private final KeyStore keys;
    private final AuditLog audit;
    private final ScanFiles files;
    private final HfTokenizer tokenizer;
    private final ScanRunner runner;
    private final QueryBudget budget;
    private final SecureRandom random;

    public ScanIntake(ServiceConfig config, Store store, ScanFiles files, HfTokenizer tokenizer, ScanRunner runner,
            QueryBudget budget, SecureRandom random) {
        this.config = config;
        this.scans = store.scans();
        this.keys = store.keys();
        this.audit = store.audit();
        this.files = files;
        this.tokenizer = tokenizer;
        this.runner = runner;
        this.budget = budget;
        this.random = random;
    }

    /** An accepted upload: the queued scan, its documents, and the estimate of its tokens it was charged. */
    public record Accepted(ScanStore.Scan scan, long documents, long estimatedTokens) {}

    /**
     * The token estimate a scan is charged at upload (and corrected by at its end): text counts one
     * token per 4 characters (rounded up), token ids one each. The same function at both ends.
     */
    static long estimateTokens(CorpusReader.Doc d) {
        return d.text() != null ? (d.text().length() + 3L) / 4 : d.ids().length;
    }

    /** A fresh, unguessable scan id. */
    public String newScanId() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return "scan_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('-', 'x').replace('_', 'y');
    }

    /**
     * What can be checked before the corpus arrives: the keys (or scheme) resolve, a text corpus
     * fits the scheme's vocabulary, and a radioactivity scan's served-data filter is usable by
     * {@code who}.
     *
     * @throws Problem naming the problem
     */
    public void precheck(ScanRequest req, ApiTokens.Principal who) {
        KeyStore.Family family = keys.family(req.scheme(), req.keyIds());
        if (req.format() == CorpusReader.Format.TEXT) {
            family.checkText(tokenizer.vocabularySize());
        }
        checkFilter(req, family, who);
    }

    /**
     * A radioactivity scan's served-data filter: the referenced scan must be the caller's (admins:
     * any), still hold its upload, and every tested scheme must have a context to filter on.
     */
    private void checkFilter(ScanRequest req, KeyStore.Family family, ApiTokens.Principal who) {
        if (req.filterScan() == null) {
            return;
        }
        ScanStore.Scan f = scans.get(req.filterScan());
        if (f == null || !(who.isAdmin() || f.tenant().equals(who.tenant()))) {
            throw Problem.unknownScan("'filter_scan': no scan with id '" + req.filterScan() + "' (upload the served "
                    + "watermarked data as a scan first, then give its id)");
        }
        if (!files.hasCorpus(f)) {
            throw Problem.unknownScan("'filter_scan': the corpus of scan " + f.id() + " is no longer stored");
        }
        for (var k : family.keyed()) {
            if (k.scheme().contextWidth() < 1) {
                throw Problem.invalid("the served-data filter keeps positions whose context occurred in the served "
                        + "data; scheme " + k.scheme() + " has no context (width 0): scan without 'filter_scan'");
            }
        }
    }

    /**
     * Validates the uploaded corpus end to end, then commits it (file move, then row), audits and
     * queues the scan.
     *
     * @param upload the received corpus ({@link ScanFiles#partFile}); moved away on success
     * @param bytes its size as uploaded
     * @return the queued scan
     * @throws Problem naming what is wrong with the corpus (nothing is stored then)
     */
    public Accepted accept(Path upload, ScanRequest req, ApiTokens.Principal who, String scanId, long bytes)
            throws IOException {
        if (bytes == 0) {
            throw Problem.textTooShort("the upload is empty: no documents to scan");
        }
        boolean gz;
        long docs = 0;
        long estimate = 0;
        try (CorpusReader r = CorpusReader.open(upload, req.format(), req.split() == null ? CorpusReader.Split.BLANK
                : req.split(), req.field(), ScanContext.limits(config))) {
            gz = r.gzip();
            if (req.radioactivity()) {
                r.withPrompts(); // validates prompt_ids now, so the scan cannot fail on them later
            }
            if (req.declaredGzip() && !gz) {
                throw Problem.invalid("the upload was declared gzip but does not start with the gzip magic bytes");
            }
            // the scan's tests decide which token ids and whether text are acceptable (hf-kgw: its vocab)
            KeyStore.Family family = keys.family(req.scheme(), req.keyIds());
            int idLimit = family.idLimit(tokenizer.vocabularySize());
            boolean textChecked = false;
            CorpusReader.Doc d;
            while ((d = r.next()) != null) {
                docs++;
                estimate += estimateTokens(d);
                if (d.text() != null && d.text().length() > ChunkedTokenizer.CHUNK_CHARS) {
                    try {
                        ChunkedTokenizer.cuts(d.text()); // a document the scan could not tokenize in bounded memory
                    } catch (Problem p) {
                        throw Problem.tooLarge("line " + d.line() + ": " + p.detail()).with("line", d.line());
                    }
                }
                if (d.ids() != null) {
                    DocumentBatches.checkIds(d.ids(), d.line(), idLimit, family);
                } else if (!textChecked) {
                    family.checkText(tokenizer.vocabularySize());
                    textChecked = true;
                }
            }
        }
        if (docs == 0) {
            throw Problem.textTooShort("the upload holds no documents (only blank lines)");
        }
        if (!who.isAdmin()) {
            budget.charge(who.tokenId(), who.tenant(), docs, estimate);
        }
        ScanStore.Scan s;
        try {
            String stored = files.commit(upload, scanId, gz);
            s = new ScanStore.Scan(scanId, req.scanType(), who.tenant(), who.tokenId(), req.name(),
                    ScanStore.QUEUED, req.format().text(), gz ? "gzip" : "none", req.field(),
                    req.split() == null ? null : req.split().text(), req.alpha(), req.keyIds(), stored, bytes, Instant.now(),
                    null, null, 0, 0, 0, 0, null, null, req.scheme(), req.params());
            try {
                scans.insert(s);
            } catch (RuntimeException e) {
                files.delete(scanId);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (!who.isAdmin()) {
                budget.adjust(who.tokenId(), who.tenant(), -docs, -estimate); // nothing was stored: give it back
            }
            throw e;
        }
        audit.append(who.tokenId(), who.tenant(), "scan.create", scanId, docs + " documents, " + bytes + " bytes, alpha "
                + req.alpha() + (who.isAdmin() ? "" : ", about " + estimate + " tokens charged to the daily budget"));
        ScanStore.Scan queued = scans.get(scanId);
        runner.submit(scanId);
        return new Accepted(queued, docs, estimate);
    }

    /**
     * Makes a scan of a corpus file already on disk (the demo seeder): copied to the uploads
     * directory, then {@linkplain #accept accepted} like an upload.
     */
    public ScanStore.Scan acceptFile(Path file, ScanRequest req, ApiTokens.Principal who) throws IOException {
        String scanId = newScanId();
        Path tmp = files.partFile(scanId);
        Files.copy(file, tmp);
        try {
            return accept(tmp, req, who, scanId, Files.size(tmp)).scan();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
