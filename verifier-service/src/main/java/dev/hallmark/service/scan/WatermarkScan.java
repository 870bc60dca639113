package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The {@code watermark} scan type, one streaming pass per scan:
 * <ol>
 *   <li>read documents ({@link ScanCorpus}), tokenizing texts in batches ({@link DocumentBatches});
 *   <li>feed every document to one {@link CorpusAccumulator} per key: each distinct (context, token)
 *       tuple of the <em>whole corpus</em> is scored once;
 *   <li>test each document on its own against every key (exact per-key p-values, Holm across keys)
 *       for the per-document histogram, flag counts and the top documents; a document longer than
 *       {@value #MAX_TEST_TOKENS} tokens is tested on its first {@value #MAX_TEST_TOKENS} (a
 *       key-independent rule fixed in advance, so the p-value stays exact; the corpus-level test
 *       sees all of it), which bounds the memory of a single huge document;
 *   <li>write every document's result to the per-document log ({@link DocumentLog}), flagged ones
 *       with their spans ({@link Evidence}) and text;
 *   <li>note each document's near-duplicate band keys ({@link NearDuplicates}): flagged documents
 *       with a near-identical sibling in the corpus, or near-identical to a text the tenant was
 *       answered before ({@link ProbeIndex}), are marked {@code near_duplicate} and not listed to
 *       analysts ({@link Disclosure});
 *   <li>at the end, Holm-adjust the corpus-level results across the keys and write the report.
 * </ol>
 * Memory is bounded: batches are bounded, the top-documents heap and the flagged list are bounded,
 * the near-duplicate table is bounded, and each accumulator stops scoring after
 * {@link ServiceConfig#maxScanPositionsPerKey()} positions. The whole state is saved in checkpoints
 * ({@link Tally#write}), with how far the per-document log had got, and a resumed scan ends with the
 * report and the log an uninterrupted one would have.
 */
final class WatermarkScan implements ScanAnalysis {

    static final int HISTOGRAM_BINS = 20;
    static final int TOP_DOCUMENTS = 20;
    /** The flagged documents listed in the report, in corpus order (the count covers all). */
    static final int MAX_FLAGGED_LISTED = 1000;
    /** Tokens of a document its own test uses at most (the corpus-level test uses all). */
    static final int MAX_TEST_TOKENS = 1 << 20;
    /** The text kept with a flagged document's results, at most (longer ones are cut; spans past it are not highlighted). */
    static final int MAX_EVIDENCE_CHARS = 200_000;
    /** Internal fields of a flagged entry of the log, used when the log is put in place and then removed. */
    private static final String SIG = "minhash";
    private static final String RAW = "log10_p_unadjusted_by_key";

    private final ScanContext ctx;

    WatermarkScan(ScanContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Outcome run(ScanStore.Scan s, Checkpoint.Resume resume) throws IOException {
        Instant started = Instant.now();
        KeyStore.Family family = ctx.family(s);
        Tally tally = new Tally(s, family);
        DocumentLog log = null;
        try {
            if (resume != null) {
                try (DataInputStream in = resume.openState()) {
                    tally.read(in);
                }
                log = DocumentLog.resume(ctx.documentsLog(s), tally.logPart, tally.logBytes);
            } else {
                log = DocumentLog.start(ctx.documentsLog(s));
            }
            tally.log = log;
            try (ScanCorpus r = ctx.open(s)) {
                CorpusPass.Totals t = CorpusPass.run(ctx, s, ctx.fingerprint(family), r,
                        new DocumentBatches(r, ctx.tokenizer(), family, false), tally, resume);
                if (t.stopped()) {
                    return Outcome.interrupted(); // the part file stays: the checkpoint refers to it
                }
                if (tally.logError != null) {
                    throw tally.logError;
                }
                Map<Long, Boolean> dups = tally.commitLog();
                return Outcome.done(tally.report(t, r, started, dups), t);
            }
        } finally {
            if (log != null) {
                log.close();
            }
        }
    }

    /** What one scan accumulates, document by document. */
    private final class Tally implements CorpusPass.Step {
        private final ScanStore.Scan scan;
        private final KeyStore.Family family;
        private final List<KeyedScheme> keyed;
        private final List<CorpusAccumulator> accs = new ArrayList<>();
        private final List<ScanContext.TokenBudget> budgets = new ArrayList<>();
        private final int minDocTokens;
        private final long[][] hist;
        private final long[] flagged;
        private final DetectOptions opts;
        private final double logAlpha;
        private PriorityQueue<ListedDocument> top = new PriorityQueue<>(ListedDocument.LEAST_SIGNIFICANT_FIRST);
        private final List<ListedDocument> flaggedList = new ArrayList<>();
        private final long[] roleTokens = new long[Role.values().length];
        private NearDuplicates near = new NearDuplicates();
        private long tooShort;
        private long tested;
        private long flaggedDocs;
        private long cut;
        DocumentLog log;
        IOException logError;
        String logPart;
        long logBytes;

        Tally(ScanStore.Scan scan, KeyStore.Family family) {
            this.scan = scan;
            this.family = family;
            this.keyed = family.keyed();
            for (KeyedScheme k : keyed) {
                ScanContext.TokenBudget b = ctx.budget();
                budgets.add(b);
                accs.add(new CorpusAccumulator(k, b));
            }
            this.minDocTokens = Math.max(ctx.config().minTokens(), family.maxContextWidth() + 1);
            this.hist = new long[keyed.size()][HISTOGRAM_BINS];
            this.flagged = new long[keyed.size()];
            this.opts = DetectOptions.defaults().withAlpha(scan.alpha());
            this.logAlpha = Math.log10(scan.alpha());
        }

        @Override
        public void accept(DocumentBatches.Tokenized x) {
            int[] ids = x.ids();
            Document d = x.doc();
            if (d.role() != null) {
                roleTokens[d.role().ordinal()] += ids.length;
            }
            for (CorpusAccumulator a : accs) {
                a.accept(ids);
            }
            long[] sig = MinHash.signature(ids);
            boolean tracked = near.add(MinHash.bandKeys(sig));
            if (ids.length < minDocTokens) {
                tooShort++;
                ObjectNode j = docJson(d, ids.length);
                j.put("tested", false);
                write(j);
                return;
            }
            tested++;
            int len = Math.min(ids.length, MAX_TEST_TOKENS);
            if (len < ids.length) {
                cut++;
            }
            List<DetectionResult> raw = new ArrayList<>(keyed.size());
            for (int k = 0; k < keyed.size(); k++) {
                DetectionResult dr = Detector.of(keyed.get(k)).detect(ids, 0, len, opts);
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
            String bestKey = ScanReports.testId(keyed.get(best));
            long[] keep = tracked ? sig : null; // an untracked document is never listed to analysts
            ObjectNode j = docJson(d, ids.length);
            j.put("tested", true);
            if (len < ids.length) {
                j.put("tested_tokens", len);
            }
            j.put("key_id", bestKey);
            ScanReports.putFinite(j, "log10_p", bestLp);
            j.put("p_value", Math.pow(10, bestLp));
            j.put("flagged", bestLp <= logAlpha);
            if (bestLp <= logAlpha) {
                flaggedDocs++;
                // where in the text: spans over the decoded text (the uploaded text, when decoding gives it back)
                int[] prefix = len < ids.length ? Arrays.copyOf(ids, len) : ids;
                String decoded = ctx.tokenizer().tokenizer().decode(prefix);
                int[] offsets = Evidence.charOffsets(ctx.tokenizer().tokenizer(), prefix);
                List<Evidence.Span> spans = Evidence.spans(keyed, prefix, offsets, scan.alpha());
                int[] grid = Disclosure.grid(offsets);
                Evidence.putSpans(j.putArray("spans"), spans);
                putGrid(j, grid);
                j.put("text", decoded.length() > MAX_EVIDENCE_CHARS ? decoded.substring(0, MAX_EVIDENCE_CHARS) : decoded);
                if (d.text() == null || !d.text().equals(decoded)) {
                    j.put("text_decoded", true);
                }
                if (decoded.length() > MAX_EVIDENCE_CHARS) {
                    j.put("text_truncated", true);
                }
                if (keep != null) {
                    ArrayNode sa = j.putArray(SIG);
                    Arrays.stream(keep).forEach(sa::add);
                }
                ArrayNode ra = j.putArray(RAW);
                raw.forEach(r -> ra.add(r.log10P()));
                if (flaggedList.size() < MAX_FLAGGED_LISTED) {
                    flaggedList.add(ListedDocument.of(d, ids.length, bestKey, bestLp, null, keep, spans, grid));
                }
            }
            write(j);
            ListedDocument h = ListedDocument.of(d, ids.length, bestKey, bestLp, null, keep, null, null);
            if (top.size() < TOP_DOCUMENTS || ListedDocument.LEAST_SIGNIFICANT_FIRST.compare(h, top.peek()) > 0) {
                top.add(h.withPreview(preview(d)));
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
            ListedDocument.putPlace(j, d.index(), d.record(), d.line(), d.turn(), d.recordId());
            j.put("tokens", tokens);
            return j;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            if (logError != null) {
                throw logError; // the log lost lines: no checkpoint may claim them
            }
            out.writeUTF(log.partName());
            out.writeLong(log.flushedBytes());
            out.writeInt(keyed.size());
            for (int i = 0; i < keyed.size(); i++) {
                out.writeLong(budgets.get(i).seen);
                accs.get(i).writeState(out);
                for (long c : hist[i]) {
                    out.writeLong(c);
                }
                out.writeLong(flagged[i]);
            }
            out.writeLong(tooShort);
            out.writeLong(tested);
            out.writeLong(flaggedDocs);
            out.writeLong(cut);
            out.writeInt(roleTokens.length);
            for (long t : roleTokens) {
                out.writeLong(t);
            }
            near.write(out);
            ListedDocument.write(out, new ArrayList<>(top));
            ListedDocument.write(out, flaggedList);
        }

        void read(DataInput in) throws IOException {
            logPart = in.readUTF();
            logBytes = in.readLong();
            if (in.readInt() != keyed.size()) {
                throw new IOException("checkpoint of another number of keys");
            }
            for (int i = 0; i < keyed.size(); i++) {
                ScanContext.TokenBudget b = ctx.budget();
                b.seen = in.readLong();
                budgets.set(i, b);
                accs.set(i, CorpusAccumulator.readState(keyed.get(i), b, in));
                for (int j = 0; j < HISTOGRAM_BINS; j++) {
                    hist[i][j] = in.readLong();
                }
                flagged[i] = in.readLong();
            }
            tooShort = in.readLong();
            tested = in.readLong();
            flaggedDocs = in.readLong();
            cut = in.readLong();
            if (in.readInt() != roleTokens.length) {
                throw new IOException("checkpoint of another set of chat roles");
            }
            for (int i = 0; i < roleTokens.length; i++) {
                roleTokens[i] = in.readLong();
            }
            near = NearDuplicates.read(in);
            top = new PriorityQueue<>(ListedDocument.LEAST_SIGNIFICANT_FIRST);
            top.addAll(ListedDocument.read(in, TOP_DOCUMENTS));
            flaggedList.clear();
            flaggedList.addAll(ListedDocument.read(in, MAX_FLAGGED_LISTED));
        }

        /**
         * Puts the per-document log in place, marking each flagged document's {@code near_duplicate}
         * (its MinHash bands shared with another document of this corpus, untracked, or, for an
         * analyst's scan, near-identical to a text the tenant was answered before; the others an
         * analyst would see are recorded in the tenant's index, in corpus order); returns the marks
         * of the documents the report lists. The internal fields are removed.
         */
        Map<Long, Boolean> commitLog() throws IOException {
            Set<Long> listed = new HashSet<>();
            flaggedList.forEach(h -> listed.add(h.index()));
            top.forEach(h -> listed.add(h.index()));
            boolean analyst = ctx.analystToken().test(scan.tokenId());
            Map<Long, Boolean> out = new HashMap<>();
            log.commit(d -> {
                JsonNode sigNode = d.remove(SIG);
                JsonNode rawNode = d.remove(RAW);
                if (!d.path("flagged").asBoolean()) {
                    return d;
                }
                long[] sig = sigNode == null ? null : new long[sigNode.size()];
                for (int i = 0; sig != null && i < sig.length; i++) {
                    sig[i] = sigNode.get(i).asLong();
                }
                boolean dup = sig == null || near.clustered(MinHash.bandKeys(sig));
                if (!dup && analyst) {
                    ProbeIndex.Match m = ctx.probes().record(scan.tenant(), sig, false);
                    if (m.nearDuplicate()) {
                        dup = true;
                    } else {
                        ProbeIndex.Answer a = m.answer();
                        for (int k = 0; k < keyed.size() && rawNode != null && k < rawNode.size(); k++) {
                            a.putIfAbsent(ScanReports.testId(keyed.get(k)), rawNode.get(k).asDouble());
                        }
                    }
                }
                d.put("near_duplicate", dup);
                long index = d.path("index").asLong();
                if (listed.contains(index)) {
                    out.put(index, dup);
                }
                return d;
            });
            // listed but not flagged (top documents above alpha): never listed to analysts anyway
            for (ListedDocument h : top) {
                out.computeIfAbsent(h.index(), i -> h.sig() == null || near.clustered(MinHash.bandKeys(h.sig())));
            }
            return out;
        }

        ObjectNode report(CorpusPass.Totals totals, ScanCorpus corpus, Instant started, Map<Long, Boolean> dups) {
            long[] budgetSkipped = new long[accs.size()];
            for (int i = 0; i < accs.size(); i++) {
                budgetSkipped[i] = accs.get(i).result(scan.alpha()).skippedFiltered();
            }
            Instant finished = Instant.now();
            ObjectNode o = ScanReports.envelope(scan, corpus.info(), ctx.tokenizer().tokenizer());
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
            d.put("cut", cut);
            d.put("max_test_tokens", MAX_TEST_TOKENS);
            d.put("near_duplicates_listed", dups.values().stream().filter(b -> b).count());
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
            List<ListedDocument> hits = new ArrayList<>(top);
            hits.sort(ListedDocument.LEAST_SIGNIFICANT_FIRST.reversed());
            for (ListedDocument x : hits) {
                ObjectNode j = tops.addObject();
                x.put(j);
                j.put("near_duplicate", dups.getOrDefault(x.index(), true));
                j.put("watermarked", x.log10p() <= logAlpha);
                j.put("preview", x.preview());
            }
            ObjectNode fl = o.putObject("flagged_documents");
            fl.put("count", flaggedDocs);
            fl.put("truncated", flaggedDocs > flaggedList.size());
            ArrayNode fla = fl.putArray("documents");
            for (ListedDocument x : flaggedList) {
                ObjectNode j = fla.addObject();
                x.put(j);
                j.put("near_duplicate", dups.getOrDefault(x.index(), true));
                Evidence.putSpans(j.putArray("spans"), x.spans());
                putGrid(j, x.grid());
            }
            ScanReports.putTiming(o, started, finished, totals.tokens());
            return o;
        }
    }

    private static void putGrid(ObjectNode j, int[] grid) {
        if (grid != null) {
            ArrayNode g = j.putArray(Disclosure.GRID_FIELD);
            for (int x : grid) {
                g.add(x);
            }
        }
    }

    private static String preview(Document d) {
        if (d.text() == null) {
            return "(" + d.ids().length + " token ids)";
        }
        String t = d.text().length() > 2000 ? d.text().substring(0, 2000) : d.text();
        t = t.strip().replaceAll("\\s+", " ");
        return t.length() > 160 ? t.substring(0, 160) + "…" : t;
    }
}
