package dev.hallmark.service.scan;

import dev.hallmark.corpus.Compression;
import dev.hallmark.corpus.CorpusCounts;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusInfo;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.Document;
import dev.hallmark.corpus.Split;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.AuditLog;
import dev.hallmark.service.store.KeyScope;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import dev.hallmark.text.TextTokenizer;
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
    private final Store store;
    private final ScanStore scans;
    private final KeyStore keys;
    private final AuditLog audit;
    private final ScanFiles files;
    private final TextTokenizer tokenizer;
    private final ScanRunner runner;
    private final QueryBudget budget;
    private final SecureRandom random;

    public ScanIntake(ServiceConfig config, Store store, ScanFiles files, TextTokenizer tokenizer, ScanRunner runner,
            QueryBudget budget, SecureRandom random) {
        this.config = config;
        this.store = store;
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
    static long estimateTokens(Document d) {
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
        KeyStore.Family family = keys.family(KeyScope.of(who.tenant()), req.scheme(), req.keyIds());
        if (req.format() == CorpusFormat.TEXT) {
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
            if (dev.hallmark.detect.ContextFilters.Window.of(k.scheme()).width() < 1) {
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
        long docs = 0;
        long estimate = 0;
        CorpusOptions opts = new CorpusOptions(req.format(), req.field(), req.split() == null ? Split.BLANK : req.split(),
                req.turns(), req.radioactivity(), ScanContext.limits(config));
        CorpusInfo info;
        CorpusCounts counts;
        // prompts are read for radioactivity scans: a malformed prompt_ids fails now, not in the scan
        try (ScanCorpus r = ScanCorpus.open(upload, opts)) {
            Compression c = r.info().compression();
            if (req.declared() != null && c != req.declared()) {
                throw Problem.invalid("the upload was declared " + req.declared().text() + " but does not start with the "
                        + req.declared().text() + " magic bytes");
            }
            // the scan's tests decide which token ids and whether text are acceptable (hf-kgw: its vocab)
            KeyStore.Family family = keys.family(KeyScope.of(who.tenant()), req.scheme(), req.keyIds());
            int idLimit = family.idLimit(tokenizer.vocabularySize());
            boolean textChecked = false;
            Document d;
            while ((d = r.next()) != null) {
                docs++;
                estimate += estimateTokens(d);
                if (d.text() != null && d.text().length() > ChunkedTokenizer.CHUNK_CHARS) {
                    try {
                        ChunkedTokenizer.cuts(d.text()); // a document the scan could not tokenize in bounded memory
                    } catch (Problem p) {
                        Problem big = Problem.tooLarge(d.where() + ": " + p.detail());
                        throw d.line() > 0 ? big.with("line", d.line()) : big.with("record", d.record());
                    }
                }
                if (d.ids() != null) {
                    DocumentBatches.checkIds(d.ids(), d.where(), d.line(), idLimit, family);
                } else if (!textChecked) {
                    family.checkText(tokenizer.vocabularySize());
                    textChecked = true;
                }
            }
            info = r.info();
            counts = r.counts();
        }
        if (!req.accepts().isEmpty() && !req.accepts().contains(info.format())) {
            throw Problem.invalid("the upload reads as " + info.format().text() + ", which its Content-Type does not "
                    + "allow: send it as application/octet-stream, or say ?format=");
        }
        if (docs == 0) {
            throw Problem.textTooShort("the upload holds no documents (only blank lines)");
        }
        String suffix = switch (info.compression()) {
            case GZIP -> ".gz";
            case ZSTD -> ".zst";
            case NONE -> info.format() == CorpusFormat.PARQUET ? ".parquet" : "";
        };
        if (!who.isAdmin()) {
            budget.charge(who.tokenId(), who.tenant(), docs, estimate);
        }
        long documents = docs;
        long charged = estimate;
        try {
            String stored = files.commit(upload, scanId, suffix);
            ScanStore.Scan s = new ScanStore.Scan(scanId, req.scanType(), who.tenant(), who.tokenId(), req.name(),
                    ScanStore.QUEUED, info.format().text(), info.compression().text(), info.field(),
                    info.format() == CorpusFormat.TEXT ? opts.split().text() : null, req.alpha(), req.keyIds(), stored,
                    bytes, Instant.now(), null, null, 0, 0, 0, 0, null, null, req.scheme(), req.params(info));
            try {
                // the row and its audit entry together: a scan is never queued unaudited
                store.atomically(() -> {
                    scans.insert(s);
                    audit.append(who.tokenId(), who.tenant(), "scan.create", scanId, documents + " documents in "
                            + counts.records() + " records (" + info.format().text() + "), " + bytes + " bytes, alpha "
                            + req.alpha() + (who.isAdmin() ? "" : ", about " + charged
                            + " tokens charged to the daily budget"));
                    return null;
                });
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
