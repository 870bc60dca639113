package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.Document;
import dev.hallmark.corpus.Role;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.detect.MultiKeyDetector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code watermark} scan type, one streaming pass per scan:
 * <ol>
 *   <li>read documents ({@link ScanCorpus}), tokenizing texts in batches ({@link DocumentBatches});
 *   <li>feed every document to one {@link CorpusAccumulator} per key: each distinct (context, token)
 *       tuple of the <em>whole corpus</em> is scored once;
 *   <li>test each document on its own against every key (exact per-key p-values, Holm across keys)
 *       for the per-document histogram, flag counts and the top documents;
 *   <li>at the end, Holm-adjust the corpus-level results across the keys and write the report.
 * </ol>
 * Memory is bounded: batches are bounded, the top-documents heap is bounded, and each accumulator
 * stops scoring after {@link ServiceConfig#maxScanPositionsPerKey()} positions (a token budget
 * fixed before the scan, which does not depend on the key, so the p-value stays exact; the rest
 * is reported as skipped with reason "token budget").
 */
final class WatermarkScan implements ScanAnalysis {

    static final int HISTOGRAM_BINS = 20;
    static final int TOP_DOCUMENTS = 20;
    /** The flagged documents listed in the report, in corpus order (the count covers all). */
    static final int MAX_FLAGGED_LISTED = 1000;

    private final ScanContext ctx;

    WatermarkScan(ScanContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public ObjectNode run(ScanStore.Scan s) throws IOException {
        Instant started = Instant.now();
        KeyStore.Family family = ctx.family(s);
        try (ScanCorpus r = ctx.open(s); DocumentLog log = new DocumentLog(ctx.documentsLog(s))) {
            Tally tally = new Tally(s, family, log);
            CorpusPass.Totals t = CorpusPass.run(ctx, s, r, new DocumentBatches(r, ctx.tokenizer(), family, false),
                    tally::accept);
            if (t == null) {
                return null;
            }
            if (tally.logError != null) {
                throw tally.logError;
            }
            ObjectNode report = tally.report(t, r, started);
            log.commit();
            return report;
        }
    }

    /** Per-document results kept for the top-documents table and the flagged list. */
    private record Hit(Document doc, int tokens, String keyId, double log10p, String preview, List<Evidence.Span> spans) {}

    /** The text kept with a flagged document's results, at most (longer ones are cut; spans past it are not highlighted). */
    static final int MAX_EVIDENCE_CHARS = 200_000;

    /** What one scan accumulates, document by document. */
    private final class Tally {
        private final ScanStore.Scan scan;
        private final KeyStore.Family family;
        private final List<KeyedScheme> keyed;
        private final List<CorpusAccumulator> accs = new ArrayList<>();
        private final int minDocTokens;
        private final long[][] hist;
        private final long[] flagged;
        private final DetectOptions opts;
        private final double logAlpha;
        private final PriorityQueue<Hit> top = new PriorityQueue<>((a, b) -> Double.compare(b.log10p(), a.log10p()));
        private final List<Hit> flaggedList = new ArrayList<>();
        private final long[] roleTokens = new long[Role.values().length];
        private long tooShort;
        private long tested;
        private long flaggedDocs;

        private final DocumentLog log;
        IOException logError;

        Tally(ScanStore.Scan scan, KeyStore.Family family, DocumentLog log) {
            this.scan = scan;
            this.log = log;
            this.family = family;
            this.keyed = family.keyed();
            for (KeyedScheme k : keyed) {
                accs.add(new CorpusAccumulator(k, ctx.budget()));
            }
            this.minDocTokens = Math.max(ctx.config().minTokens(), family.maxContextWidth() + 1);
            this.hist = new long[keyed.size()][HISTOGRAM_BINS];
            this.flagged = new long[keyed.size()];
            this.opts = DetectOptions.defaults().withAlpha(scan.alpha());
            this.logAlpha = Math.log10(scan.alpha());
        }

        void accept(DocumentBatches.Tokenized x) {
            int[] ids = x.ids();
            if (x.doc().role() != null) {
                roleTokens[x.doc().role().ordinal()] += ids.length;
            }
            for (CorpusAccumulator a : accs) {
                a.accept(ids);
            }
            if (ids.length < minDocTokens) {
                tooShort++;
                ObjectNode j = docJson(x.doc(), ids.length);
                j.put("tested", false);
                write(j);
                return;
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
            Document d = x.doc();
            String bestKey = ScanReports.testId(keyed.get(best));
            ObjectNode j = docJson(d, ids.length);
            j.put("tested", true);
            j.put("key_id", bestKey);
            ScanReports.putFinite(j, "log10_p", bestLp);
            j.put("p_value", Math.pow(10, bestLp));
            j.put("flagged", bestLp <= logAlpha);
            List<Evidence.Span> spans = null;
            if (bestLp <= logAlpha) {
                flaggedDocs++;
                // where in the text: spans over the decoded text (the uploaded text, when decoding gives it back)
                String decoded = ctx.tokenizer().decode(ids);
                int[] offsets = Evidence.charOffsets(ctx.tokenizer(), ids);
                spans = Evidence.spans(keyed, ids, offsets, scan.alpha());
                Evidence.putSpans(j.putArray("spans"), spans);
                j.put("text", decoded.length() > MAX_EVIDENCE_CHARS ? decoded.substring(0, MAX_EVIDENCE_CHARS) : decoded);
                if (d.text() == null || !d.text().equals(decoded)) {
                    j.put("text_decoded", true);
                }
                if (decoded.length() > MAX_EVIDENCE_CHARS) {
                    j.put("text_truncated", true);
                }
                if (flaggedList.size() < MAX_FLAGGED_LISTED) {
                    flaggedList.add(new Hit(d, ids.length, bestKey, bestLp, null, spans));
                }
            }
            write(j);
            if (top.size() < TOP_DOCUMENTS || bestLp < top.peek().log10p()) {
                top.add(new Hit(d, ids.length, bestKey, bestLp, preview(d), null));
                if (top.size() > TOP_DOCUMENTS) {
                    top.poll();
                }
            }
        }

        private void write(ObjectNode j) {
            if (logError == null) {
                try {
                    log.write(j);
                } catch (IOException e) {
                    logError = e;
                }
            }
        }

        private ObjectNode docJson(Document d, int tokens) {
            ObjectNode j = DetectionJson.mapper().createObjectNode();
            putPlace(j, d);
            j.put("tokens", tokens);
            return j;
        }

        ObjectNode report(CorpusPass.Totals totals, ScanCorpus corpus, Instant started) {
            long[] budgetSkipped = new long[accs.size()];
            for (int i = 0; i < accs.size(); i++) {
                budgetSkipped[i] = accs.get(i).result(scan.alpha()).skippedFiltered();
            }
            Instant finished = Instant.now();
            ObjectNode o = ScanReports.envelope(scan, corpus.info(), ctx.tokenizer());
            ArrayNode ks = ScanReports.putCorpusTests(o, scan, family, accs);
            for (int i = 0; i < ks.size(); i++) {
                ObjectNode k = (ObjectNode) ks.get(i);
                k.put("documents_flagged", flagged[i]);
                k.put("skipped_budget", budgetSkipped[i]);
            }
            ObjectNode d = o.putObject("documents");
            d.put("total", totals.documents());
            d.put("tested", tested);
            d.put("too_short", tooShort);
            d.put("min_tokens", minDocTokens);
            d.put("flagged", flaggedDocs);
            ObjectNode t = o.putObject("tokens");
            t.put("seen", totals.tokens());
            ScanReports.putRecords(o, corpus.info(), corpus.counts(), roleTokens);
            ObjectNode reasons = o.putObject("skipped_reasons");
            reasons.put("context", "the first tokens of each document (the scheme's context width) have no full context");
            reasons.put("repeated", "the (context, token) tuple already occurred earlier in the corpus and is scored once");
            reasons.put("filtered", "beyond the token budget of " + ctx.config().maxScanPositionsPerKey()
                    + " positions per key fixed before the scan (key-independent, so the p-value stays exact)");
            ObjectNode h = o.putObject("histogram");
            h.put("description", "per-document unadjusted p-values for each key; uniform for text independent of the key");
            h.put("bins", HISTOGRAM_BINS);
            ArrayNode edges = h.putArray("edges");
            for (int i = 0; i <= HISTOGRAM_BINS; i++) {
                edges.add((double) i / HISTOGRAM_BINS);
            }
            ObjectNode per = h.putObject("counts");
            for (int i = 0; i < keyed.size(); i++) {
                ArrayNode c = per.putArray(ScanReports.testId(keyed.get(i)));
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
                j.put("watermarked", x.log10p() <= Math.log10(scan.alpha()));
                j.put("preview", x.preview());
            }
            ObjectNode fl = o.putObject("flagged_documents");
            fl.put("count", flaggedDocs);
            fl.put("truncated", flaggedDocs > flaggedList.size());
            ArrayNode fla = fl.putArray("documents");
            for (Hit x : flaggedList) {
                ObjectNode j = fla.addObject();
                putHit(j, x);
                Evidence.putSpans(j.putArray("spans"), x.spans());
            }
            ScanReports.putTiming(o, started, finished, totals.tokens());
            return o;
        }
    }

    private static String preview(Document d) {
        if (d.text() == null) {
            return "(" + d.ids().length + " token ids)";
        }
        String t = d.text().strip().replaceAll("\\s+", " ");
        return t.length() > 160 ? t.substring(0, 160) + "…" : t;
    }

    private static void putHit(ObjectNode j, Hit x) {
        putPlace(j, x.doc());
        j.put("tokens", x.tokens());
        j.put("key_id", x.keyId());
        ScanReports.putFinite(j, "log10_p", x.log10p());
        j.put("p_value", Math.pow(10, x.log10p()));
    }

    /** Where a document is: index, record, line (where there are lines), turn (chats), the record's id. */
    private static void putPlace(ObjectNode j, Document d) {
        j.put("index", d.index());
        j.put("record", d.record());
        if (d.line() > 0) {
            j.put("line", d.line());
        }
        if (d.turn() >= 0) {
            j.put("turn", d.turn());
        }
        if (d.recordId() != null) {
            j.put("doc_id", d.recordId());
        }
    }
}
