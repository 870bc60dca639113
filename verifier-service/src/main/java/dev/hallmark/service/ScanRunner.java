package dev.hallmark.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.detect.MultiKeyDetector;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.text.HfTokenizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs corpus scans in the background, one streaming pass per scan:
 * <ol>
 *   <li>read documents ({@link CorpusReader}), tokenizing texts in batches (the native tokenizer
 *       spreads a batch over its threads);
 *   <li>feed every document to one {@link CorpusAccumulator} per key: each distinct (context, token)
 *       tuple of the <em>whole corpus</em> is scored once;
 *   <li>test each document on its own against every key (exact per-key p-values, Holm across keys)
 *       for the per-document histogram, flag counts and the top documents;
 *   <li>at the end, Holm-adjust the corpus-level results across the keys and store the report.
 * </ol>
 * Memory is bounded: batches are bounded, the top-documents heap is bounded, and each accumulator
 * stops scoring after {@link ServiceConfig#maxScanPositionsPerKey()} positions (a token budget
 * fixed before the scan, which does not depend on the key, so the p-value stays exact; the rest
 * is reported as skipped with reason "token budget").
 */
public final class ScanRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScanRunner.class.getName());
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Report format version, bumped when fields change meaning. */
    public static final int REPORT_VERSION = 1;
    static final int HISTOGRAM_BINS = 20;
    static final int TOP_DOCUMENTS = 20;
    /** The flagged documents listed in the report, in corpus order (the count covers all). */
    static final int MAX_FLAGGED_LISTED = 1000;
    static final int MAX_ATTEMPTS = 3;
    private static final int BATCH_DOCS = 256;
    private static final int BATCH_CHARS = 4 << 20;

    private final ServiceConfig config;
    private final ScanStore scans;
    private final KeyStore keys;
    private final HfTokenizer tokenizer;
    private final Database db;
    private final ExecutorService pool;
    private final AtomicInteger running = new AtomicInteger();
    private final Counter docsCounter;
    private final Counter tokensCounter;
    private final MeterRegistry registry;
    private volatile boolean closing;

    public ScanRunner(ServiceConfig config, Database db, ScanStore scans, KeyStore keys, HfTokenizer tokenizer,
            MeterRegistry registry) {
        this.config = config;
        this.db = db;
        this.scans = scans;
        this.keys = keys;
        this.tokenizer = tokenizer;
        this.registry = registry;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.scanThreads(), r -> {
            Thread t = new Thread(r, "hallmark-scan-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.docsCounter = Counter.builder("hallmark_scan_documents").description("documents scanned").register(registry);
        this.tokensCounter = Counter.builder("hallmark_scan_tokens").description("tokens scanned").register(registry);
        registry.gauge("hallmark_scans_running", running);
    }

    /**
     * After a restart: scans left queued or running (the process died, e.g. kill -9) are run again
     * from their stored upload; a scan whose upload is gone, or that was interrupted
     * {@value #MAX_ATTEMPTS} times, is marked failed with the reason.
     */
    public int recover() {
        int n = 0;
        for (ScanStore.Scan s : scans.inState(ScanStore.QUEUED, ScanStore.RUNNING)) {
            Path f = config.dataDir().resolve(s.uploadFile());
            if (!Files.isRegularFile(f)) {
                scans.fail(s.id(), "the service stopped during this scan and its upload file is missing, so it cannot be re-run");
                db.audit(null, s.tenant(), "scan.failed", s.id(), "upload missing after restart");
            } else if (s.state().equals(ScanStore.RUNNING) && s.attempts() >= MAX_ATTEMPTS) {
                scans.fail(s.id(), "the service stopped during this scan " + s.attempts()
                        + " times; not retrying (a corpus that crashes the service?)");
                db.audit(null, s.tenant(), "scan.failed", s.id(), "too many interrupted attempts");
            } else {
                if (s.state().equals(ScanStore.RUNNING)) {
                    scans.requeue(s.id(), "interrupted by a service stop during attempt " + s.attempts()
                            + "; re-running from the stored upload");
                    db.audit(null, s.tenant(), "scan.resumed", s.id(), "after interrupted attempt " + s.attempts());
                }
                submit(s.id());
                n++;
            }
        }
        return n;
    }

    public void submit(String scanId) {
        pool.execute(() -> run(scanId));
    }

    private void run(String id) {
        if (closing) {
            return;
        }
        ScanStore.Scan s = scans.get(id);
        if (s == null || !(s.state().equals(ScanStore.QUEUED))) {
            return;
        }
        if (!scans.markRunning(id)) {
            return;
        }
        running.incrementAndGet();
        try {
            ObjectNode report = analyse(scans.get(id));
            if (report == null) {
                return; // deleted while running, or the service is stopping
            }
            scans.finish(id, report.toString(), report.path("verdict").asText());
            db.audit(s.tokenId(), s.tenant(), "scan.done", id, null);
        } catch (Problem p) {
            scans.fail(id, p.detail());
            db.audit(s.tokenId(), s.tenant(), "scan.failed", id, p.detail());
        } catch (RuntimeException | IOException | Error e) {
            LOG.log(Level.WARNING, "scan " + id + " failed", e);
            scans.fail(id, "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            db.audit(s.tokenId(), s.tenant(), "scan.failed", id, e.toString());
        } finally {
            running.decrementAndGet();
        }
    }

    /** Per-document results kept for the top-documents table. */
    private record Hit(long index, long line, String docId, int tokens, String keyId, double log10p, String preview) {}

    /** The scan's analysis; null if the scan disappeared (deleted) or the service is closing. */
    ObjectNode analyse(ScanStore.Scan s) throws IOException {
        if (ScanStore.TYPE_RADIOACTIVITY.equals(s.scanType())) {
            return new RadioactivityScan(config, scans, keys, tokenizer, () -> closing).run(s);
        }
        Instant started = Instant.now();
        KeyStore.Family family;
        try {
            family = keys.family(s.scheme(), s.keyIds());
        } catch (Problem p) {
            throw Problem.unknownKey("keys chosen for this scan are no longer active: " + p.detail());
        }
        List<KeyedScheme> keyed = family.keyed();
        List<CorpusAccumulator> accs = new ArrayList<>();
        long[] budgetSkipped = new long[keyed.size()];
        for (KeyedScheme k : keyed) {
            accs.add(new CorpusAccumulator(k, budget(config.maxScanPositionsPerKey())));
        }
        int idLimit = family.idLimit(tokenizer.vocabularySize());
        int maxH = family.maxContextWidth();
        int minDocTokens = Math.max(config.minTokens(), maxH + 1);
        long[][] hist = new long[keyed.size()][HISTOGRAM_BINS];
        long[] flagged = new long[keyed.size()];
        long docs = 0;
        long tokens = 0;
        long tooShort = 0;
        long tested = 0;
        long flaggedDocs = 0;
        PriorityQueue<Hit> top = new PriorityQueue<>((a, b) -> Double.compare(b.log10p(), a.log10p()));
        List<Hit> flaggedList = new ArrayList<>();
        DetectOptions opts = DetectOptions.defaults().withAlpha(s.alpha());
        double logAlpha = Math.log10(s.alpha());
        ScanPacer pacer = new ScanPacer(config, scans, s.id(), () -> closing);
        Path file = config.dataDir().resolve(s.uploadFile());
        CorpusReader.Format format = CorpusReader.Format.valueOf(s.format().toUpperCase(java.util.Locale.ROOT));
        CorpusReader.Split split = s.split() == null ? CorpusReader.Split.BLANK
                : CorpusReader.Split.valueOf(s.split().toUpperCase(java.util.Locale.ROOT));
        try (CorpusReader r = CorpusReader.open(file, format, split, s.field(), limits(config))) {
            List<CorpusReader.Doc> batch = new ArrayList<>();
            boolean more = true;
            while (more) {
                batch.clear();
                long chars = 0;
                CorpusReader.Doc d;
                while (batch.size() < BATCH_DOCS && chars < BATCH_CHARS && (d = r.next()) != null) {
                    batch.add(d);
                    chars += d.text() == null ? d.ids().length : d.text().length();
                }
                more = batch.size() == BATCH_DOCS || chars >= BATCH_CHARS;
                if (batch.isEmpty()) {
                    break;
                }
                List<String> texts = new ArrayList<>();
                for (CorpusReader.Doc x : batch) {
                    if (x.text() != null) {
                        texts.add(x.text());
                    }
                }
                int[][] enc = texts.isEmpty() ? new int[0][] : tokenizer.encodeBatch(texts);
                int ti = 0;
                for (CorpusReader.Doc x : batch) {
                    int[] ids = x.text() != null ? enc[ti++] : x.ids();
                    if (x.ids() != null) {
                        checkIds(ids, x.line(), idLimit, family);
                    }
                    docs++;
                    tokens += ids.length;
                    for (CorpusAccumulator a : accs) {
                        a.accept(ids);
                    }
                    if (ids.length < minDocTokens) {
                        tooShort++;
                        continue;
                    }
                    tested++;
                    List<DetectionResult> raw = new ArrayList<>(keyed.size());
                    for (int k = 0; k < keyed.size(); k++) {
                        DetectionResult dr = Detector.of(keyed.get(k)).detect(ids, opts);
                        raw.add(dr);
                        int bin = (int) Math.min(HISTOGRAM_BINS - 1, Math.floor(dr.pValue() * HISTOGRAM_BINS));
                        hist[k][bin]++;
                    }
                    MultiKeyDetector.Result adj = MultiKeyDetector.adjust(raw);
                    int best = 0;
                    for (int k = 0; k < keyed.size(); k++) {
                        if (adj.adjusted().get(k).watermarked()) {
                            flagged[k]++;
                        }
                        if (adj.adjusted().get(k).log10P() < adj.adjusted().get(best).log10P()) {
                            best = k;
                        }
                    }
                    double bestLp = adj.adjusted().get(best).log10P();
                    if (bestLp <= logAlpha) {
                        flaggedDocs++;
                        if (flaggedList.size() < MAX_FLAGGED_LISTED) {
                            flaggedList.add(new Hit(x.index(), x.line(), x.docId(), ids.length,
                                    testId(keyed.get(best)), bestLp, null));
                        }
                    }
                    if (top.size() < TOP_DOCUMENTS || bestLp < top.peek().log10p()) {
                        top.add(new Hit(x.index(), x.line(), x.docId(), ids.length, testId(keyed.get(best)), bestLp,
                                preview(x)));
                        if (top.size() > TOP_DOCUMENTS) {
                            top.poll();
                        }
                    }
                    // a deleted scan (no row) or a stopping service ends the run
                    if (!pacer.afterDocument(docs, tokens, r.bytesRead())) {
                        return null;
                    }
                }
                docsCounter.increment(batch.size());
            }
            tokensCounter.increment(tokens);
            if (docs == 0) {
                throw Problem.textTooShort("the corpus holds no documents");
            }
            if (!scans.progress(s.id(), docs, tokens, r.bytesRead())) {
                return null;
            }
            for (int i = 0; i < accs.size(); i++) {
                budgetSkipped[i] = accs.get(i).result(s.alpha()).skippedFiltered();
            }
            Instant finished = Instant.now();
            return report(s, family, accs, hist, flagged, docs, tokens, tooShort, tested, flaggedDocs, top,
                    minDocTokens, r.gzip(), started, finished, budgetSkipped, flaggedList);
        }
    }

    static void checkIds(int[] ids, long line, int idLimit, KeyStore.Family family) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] >= idLimit) {
                if (family.hfKgw() != null) {
                    throw Problem.vocabMismatch("line " + line + ": token id " + ids[i] + " is outside the scheme's vocab [0, "
                            + idLimit + ") of " + family.hfKgw() + ": the ids come from another vocabulary, or the "
                            + "spec's vocab is wrong").with("line", line);
                }
                throw Problem.invalid("line " + line + ": token id " + ids[i] + " is outside the tokenizer vocabulary [0, "
                        + idLimit + ")").with("line", line);
            }
        }
    }

    static CorpusReader.Limits limits(ServiceConfig c) {
        return new CorpusReader.Limits(c.maxDecompressedBytes(), c.maxGzipRatio(), 64 << 20);
    }

    /** Accepts the first {@code n} positions of the scan: fixed before the scan, key-independent. */
    static PositionFilter budget(long n) {
        long[] seen = {0};
        return (ids, t) -> seen[0]++ < n;
    }

    private static String preview(CorpusReader.Doc d) {
        if (d.text() == null) {
            return "(" + d.ids().length + " token ids)";
        }
        String t = d.text().strip().replaceAll("\\s+", " ");
        return t.length() > 160 ? t.substring(0, 160) + "…" : t;
    }

    private ObjectNode report(ScanStore.Scan s, KeyStore.Family family, List<CorpusAccumulator> accs,
            long[][] hist, long[] flagged, long docs, long tokens, long tooShort, long tested, long flaggedDocs,
            PriorityQueue<Hit> top, int minDocTokens, boolean gzip, Instant started, Instant finished,
            long[] budgetSkipped, List<Hit> flaggedList) {
        ObjectNode o = envelope(s, gzip, tokenizer);
        ArrayNode ks = putCorpusTests(o, s, family, accs);
        for (int i = 0; i < ks.size(); i++) {
            ObjectNode k = (ObjectNode) ks.get(i);
            k.put("documents_flagged", flagged[i]);
            k.put("skipped_budget", budgetSkipped[i]);
        }
        ObjectNode d = o.putObject("documents");
        d.put("total", docs);
        d.put("tested", tested);
        d.put("too_short", tooShort);
        d.put("min_tokens", minDocTokens);
        d.put("flagged", flaggedDocs);
        ObjectNode t = o.putObject("tokens");
        t.put("seen", tokens);
        ObjectNode reasons = o.putObject("skipped_reasons");
        reasons.put("context", "the first tokens of each document (the scheme's context width) have no full context");
        reasons.put("repeated", "the (context, token) tuple already occurred earlier in the corpus and is scored once");
        reasons.put("filtered", "beyond the token budget of " + config.maxScanPositionsPerKey()
                + " positions per key fixed before the scan (key-independent, so the p-value stays exact)");
        ObjectNode h = o.putObject("histogram");
        h.put("description", "per-document unadjusted p-values for each key; uniform for text independent of the key");
        h.put("bins", HISTOGRAM_BINS);
        ArrayNode edges = h.putArray("edges");
        for (int i = 0; i <= HISTOGRAM_BINS; i++) {
            edges.add((double) i / HISTOGRAM_BINS);
        }
        ObjectNode per = h.putObject("counts");
        for (int i = 0; i < family.keyed().size(); i++) {
            ArrayNode c = per.putArray(testId(family.keyed().get(i)));
            for (long x : hist[i]) {
                c.add(x);
            }
        }
        ArrayNode tops = o.putArray("top_documents");
        List<Hit> hits = new ArrayList<>(top);
        hits.sort((a, b) -> Double.compare(a.log10p(), b.log10p()));
        for (Hit x : hits) {
            ObjectNode j = tops.addObject();
            putHit(j, x);
            j.put("watermarked", x.log10p() <= Math.log10(s.alpha()));
            j.put("preview", x.preview());
        }
        ObjectNode fl = o.putObject("flagged_documents");
        fl.put("count", flaggedDocs);
        fl.put("truncated", flaggedDocs > flaggedList.size());
        ArrayNode fla = fl.putArray("documents");
        for (Hit x : flaggedList) {
            putHit(fla.addObject(), x);
        }
        putTiming(o, started, finished, tokens);
        return o;
    }

    /** The fields every report starts with: version, scan, type, name, versions, input. */
    static ObjectNode envelope(ScanStore.Scan s, boolean gzip, HfTokenizer tokenizer) {
        ObjectNode o = F.objectNode();
        o.put("report_version", REPORT_VERSION);
        o.put("scan_id", s.id());
        o.put("scan_type", s.scanType());
        o.put("name", s.name());
        ObjectNode v = o.putObject("versions");
        v.put("hallmark", Versions.hallmark());
        v.put("report_format", REPORT_VERSION);
        v.put("tokenizer", Versions.tokenizer(tokenizer));
        ObjectNode in = o.putObject("input");
        in.put("format", s.format());
        in.put("compression", gzip ? "gzip" : "none");
        if (s.field() != null) {
            in.put("field", s.field());
        }
        if (s.split() != null) {
            in.put("split", s.split());
        }
        in.put("bytes", s.uploadBytes());
        return o;
    }

    static void putTiming(ObjectNode o, Instant started, Instant finished, long tokens) {
        ObjectNode tm = o.putObject("timing");
        tm.put("started_at", started.toString());
        tm.put("finished_at", finished.toString());
        double secs = Math.max(1e-3, Duration.between(started, finished).toNanos() / 1e9);
        tm.put("seconds", secs);
        tm.put("tokens_per_second", tokens / secs);
    }

    /**
     * Writes alpha, correction, {@code keys} (the corpus-level result per test, Holm-adjusted
     * across the family, in the shared DetectionJson fields plus the unadjusted p-value and a
     * label), {@code schemes}, {@code detected_key_ids} and {@code verdict}; returns {@code keys}.
     */
    static ArrayNode putCorpusTests(ObjectNode o, ScanStore.Scan s, KeyStore.Family family,
            List<CorpusAccumulator> accs) {
        o.put("alpha", s.alpha());
        o.put("correction", "holm");
        List<DetectionResult> raw = new ArrayList<>();
        for (CorpusAccumulator a : accs) {
            raw.add(a.result(s.alpha()));
        }
        MultiKeyDetector.Result adj = MultiKeyDetector.adjust(raw);
        ArrayNode ks = o.putArray("keys");
        ArrayNode schemes = o.putArray("schemes");
        ArrayNode det = o.putArray("detected_key_ids");
        boolean any = false;
        for (int i = 0; i < raw.size(); i++) {
            DetectionResult a = adj.adjusted().get(i);
            ObjectNode k = DetectionJson.toJson(a, false);
            DetectionEngine.putFinite(k, "log10_p_unadjusted", raw.get(i).log10P());
            k.put("p_value_unadjusted", raw.get(i).pValue());
            k.put("label", family.label(i));
            ks.add(k);
            String spec = family.keyed().get(i).scheme().toString();
            if (!VerifierServer.containsText(schemes, spec)) {
                schemes.add(spec);
            }
            if (a.watermarked()) {
                any = true;
                if (a.keyId() != null) {
                    det.add(a.keyId());
                }
            }
        }
        o.put("verdict", any ? "watermarked" : "no_watermark_detected");
        return ks;
    }

    private static void putHit(ObjectNode j, Hit x) {
        j.put("index", x.index());
        j.put("line", x.line());
        if (x.docId() != null) {
            j.put("doc_id", x.docId());
        }
        j.put("tokens", x.tokens());
        j.put("key_id", x.keyId());
        DetectionEngine.putFinite(j, "log10_p", x.log10p());
        j.put("p_value", Math.pow(10, x.log10p()));
    }

    /** What a test is called in reports: the key id, or for a keyless scheme its spec. */
    static String testId(KeyedScheme k) {
        return k.keyId() != null ? k.keyId() : k.scheme().toString();
    }

    public int running() {
        return running.get();
    }

    @Override
    public void close() {
        closing = true;
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    MeterRegistry registry() {
        return registry;
    }
}
