package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectOptions;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The {@code watermark} scan type, one streaming pass per scan:
 * <ol>
 *   <li>read documents ({@link CorpusReader}), tokenizing texts in batches ({@link DocumentBatches});
 *   <li>feed every document to one {@link CorpusAccumulator} per key: each distinct (context, token)
 *       tuple of the <em>whole corpus</em> is scored once;
 *   <li>test each document on its own against every key (exact per-key p-values, Holm across keys)
 *       for the per-document histogram, flag counts and the top documents; a document longer than
 *       {@value #MAX_TEST_TOKENS} tokens is tested on its first {@value #MAX_TEST_TOKENS} (a
 *       key-independent rule fixed in advance, so the p-value stays exact; the corpus-level test
 *       sees all of it), which bounds the memory of a single huge document;
 *   <li>note each document's near-duplicate band keys ({@link NearDuplicates}): listed documents
 *       with a near-identical sibling in the corpus, or near-identical to a text the tenant was
 *       answered before ({@link ProbeIndex}), are marked {@code near_duplicate} and not listed to
 *       analysts ({@link Disclosure});
 *   <li>at the end, Holm-adjust the corpus-level results across the keys and write the report.
 * </ol>
 * Memory is bounded: batches are bounded, the top-documents heap and the flagged list are bounded,
 * the near-duplicate table is bounded, and each accumulator stops scoring after
 * {@link ServiceConfig#maxScanPositionsPerKey()} positions. The whole state is saved in checkpoints
 * ({@link Tally#write}) and a resumed scan ends with the report an uninterrupted one would have.
 */
final class WatermarkScan implements ScanAnalysis {

    static final int HISTOGRAM_BINS = 20;
    static final int TOP_DOCUMENTS = 20;
    /** The flagged documents listed in the report, in corpus order (the count covers all). */
    static final int MAX_FLAGGED_LISTED = 1000;
    /** Tokens of a document its own test uses at most (the corpus-level test uses all). */
    static final int MAX_TEST_TOKENS = 1 << 20;

    private final ScanContext ctx;

    WatermarkScan(ScanContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Outcome run(ScanStore.Scan s, Checkpoint.Resume resume) throws IOException {
        Instant started = Instant.now();
        KeyStore.Family family = ctx.family(s);
        Tally tally = new Tally(s, family);
        if (resume != null) {
            try (DataInputStream in = resume.openState()) {
                tally.read(in);
            }
        }
        try (CorpusReader r = ctx.open(s)) {
            CorpusPass.Totals t = CorpusPass.run(ctx, s, ctx.fingerprint(family), r,
                    new DocumentBatches(r, ctx.tokenizer(), family, false), tally, resume);
            if (t.stopped()) {
                return Outcome.interrupted();
            }
            return Outcome.done(tally.report(t, r.gzip(), started), t);
        }
    }

    /** Per-document results kept for the top-documents table and the flagged list. */
    private record Hit(long index, long line, String docId, int tokens, String keyId, double log10p, String preview,
            long[] sig, double[] raw) {}

    /** The least significant first, ties by later position first: a total order, so a resumed heap keeps the same documents. */
    private static final Comparator<Hit> LEAST_SIGNIFICANT_FIRST = Comparator.comparingDouble(Hit::log10p).reversed()
            .thenComparing(Comparator.comparingLong(Hit::index).reversed());

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
        private PriorityQueue<Hit> top = new PriorityQueue<>(LEAST_SIGNIFICANT_FIRST);
        private final List<Hit> flaggedList = new ArrayList<>();
        private NearDuplicates near = new NearDuplicates();
        private long tooShort;
        private long tested;
        private long flaggedDocs;
        private long cut;

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
            for (CorpusAccumulator a : accs) {
                a.accept(ids);
            }
            long[] sig = MinHash.signature(ids);
            boolean tracked = near.add(MinHash.bandKeys(sig));
            if (ids.length < minDocTokens) {
                tooShort++;
                return;
            }
            tested++;
            int len = Math.min(ids.length, MAX_TEST_TOKENS);
            if (len < ids.length) {
                cut++;
            }
            List<DetectionResult> raw = new ArrayList<>(keyed.size());
            double[] rawP = new double[keyed.size()];
            for (int k = 0; k < keyed.size(); k++) {
                DetectionResult dr = Detector.of(keyed.get(k)).detect(ids, 0, len, opts);
                raw.add(dr);
                rawP[k] = dr.log10P();
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
            CorpusReader.Doc d = x.doc();
            long[] keep = tracked ? sig : null; // an untracked document is never listed to analysts
            if (bestLp <= logAlpha) {
                flaggedDocs++;
                if (flaggedList.size() < MAX_FLAGGED_LISTED) {
                    flaggedList.add(new Hit(d.index(), d.line(), d.docId(), ids.length,
                            ScanReports.testId(keyed.get(best)), bestLp, null, keep, rawP));
                }
            }
            Hit h = new Hit(d.index(), d.line(), d.docId(), ids.length, ScanReports.testId(keyed.get(best)), bestLp,
                    null, keep, rawP);
            if (top.size() < TOP_DOCUMENTS || LEAST_SIGNIFICANT_FIRST.compare(h, top.peek()) > 0) {
                top.add(new Hit(h.index(), h.line(), h.docId(), h.tokens(), h.keyId(), h.log10p(), preview(d), keep, rawP));
                if (top.size() > TOP_DOCUMENTS) {
                    top.poll();
                }
            }
        }

        @Override
        public void write(DataOutput out) throws IOException {
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
            near.write(out);
            writeHits(out, new ArrayList<>(top));
            writeHits(out, flaggedList);
        }

        void read(DataInput in) throws IOException {
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
            near = NearDuplicates.read(in);
            top = new PriorityQueue<>(LEAST_SIGNIFICANT_FIRST);
            top.addAll(readHits(in));
            flaggedList.clear();
            flaggedList.addAll(readHits(in));
        }

        private void writeHits(DataOutput out, List<Hit> hits) throws IOException {
            out.writeInt(hits.size());
            for (Hit h : hits) {
                out.writeLong(h.index());
                out.writeLong(h.line());
                writeNullable(out, h.docId());
                out.writeInt(h.tokens());
                out.writeUTF(h.keyId());
                out.writeDouble(h.log10p());
                writeNullable(out, h.preview());
                out.writeBoolean(h.sig() != null);
                if (h.sig() != null) {
                    for (long v : h.sig()) {
                        out.writeLong(v);
                    }
                }
                for (double v : h.raw()) {
                    out.writeDouble(v);
                }
            }
        }

        private List<Hit> readHits(DataInput in) throws IOException {
            int n = in.readInt();
            if (n < 0 || n > MAX_FLAGGED_LISTED + TOP_DOCUMENTS) {
                throw new IOException("corrupt checkpoint: " + n + " listed documents");
            }
            List<Hit> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long index = in.readLong();
                long line = in.readLong();
                String docId = readNullable(in);
                int tokens = in.readInt();
                String keyId = in.readUTF();
                double lp = in.readDouble();
                String preview = readNullable(in);
                long[] sig = null;
                if (in.readBoolean()) {
                    sig = new long[MinHash.BINS];
                    for (int j = 0; j < sig.length; j++) {
                        sig[j] = in.readLong();
                    }
                }
                double[] raw = new double[keyed.size()];
                for (int j = 0; j < raw.length; j++) {
                    raw[j] = in.readDouble();
                }
                out.add(new Hit(index, line, docId, tokens, keyId, lp, preview, sig, raw));
            }
            return out;
        }

        /**
         * Which listed documents are near-duplicates (by index): of another document of this
         * corpus, untracked, or, for an analyst's scan, of a text the tenant was answered before;
         * the rest that an analyst would see are recorded in the tenant's index.
         */
        private Map<Long, Boolean> nearDuplicates() {
            Map<Long, Hit> listed = new HashMap<>();
            for (Hit h : flaggedList) {
                listed.putIfAbsent(h.index(), h);
            }
            for (Hit h : top) {
                listed.putIfAbsent(h.index(), h);
            }
            boolean analyst = ctx.analystToken().test(scan.tokenId());
            Map<Long, Boolean> out = new HashMap<>();
            List<Hit> ordered = new ArrayList<>(listed.values());
            ordered.sort(Comparator.comparingLong(Hit::index));
            for (Hit h : ordered) {
                boolean dup = h.sig() == null || near.clustered(MinHash.bandKeys(h.sig()));
                if (!dup && analyst && h.log10p() <= logAlpha) {
                    ProbeIndex.Answer earlier = ctx.probes().find(scan.tenant(), h.sig());
                    if (earlier != null) {
                        dup = true;
                    } else {
                        ProbeIndex.Answer a = ctx.probes().add(scan.tenant(), h.sig());
                        for (int k = 0; k < keyed.size(); k++) {
                            a.putIfAbsent(ScanReports.testId(keyed.get(k)), h.raw()[k]);
                        }
                    }
                }
                out.put(h.index(), dup);
            }
            return out;
        }

        ObjectNode report(CorpusPass.Totals totals, boolean gzip, Instant started) {
            long[] budgetSkipped = new long[accs.size()];
            for (int i = 0; i < accs.size(); i++) {
                budgetSkipped[i] = accs.get(i).result(scan.alpha()).skippedFiltered();
            }
            Map<Long, Boolean> dups = nearDuplicates();
            Instant finished = Instant.now();
            ObjectNode o = ScanReports.envelope(scan, gzip, ctx.tokenizer().tokenizer());
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
            hits.sort(LEAST_SIGNIFICANT_FIRST.reversed());
            for (Hit x : hits) {
                ObjectNode j = tops.addObject();
                putHit(j, x, dups);
                j.put("watermarked", x.log10p() <= logAlpha);
                j.put("preview", x.preview());
            }
            ObjectNode fl = o.putObject("flagged_documents");
            fl.put("count", flaggedDocs);
            fl.put("truncated", flaggedDocs > flaggedList.size());
            ArrayNode fla = fl.putArray("documents");
            for (Hit x : flaggedList) {
                putHit(fla.addObject(), x, dups);
            }
            ScanReports.putTiming(o, started, finished, totals.tokens());
            return o;
        }
    }

    private static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static String preview(CorpusReader.Doc d) {
        if (d.text() == null) {
            return "(" + d.ids().length + " token ids)";
        }
        String t = d.text().length() > 2000 ? d.text().substring(0, 2000) : d.text();
        t = t.strip().replaceAll("\\s+", " ");
        return t.length() > 160 ? t.substring(0, 160) + "…" : t;
    }

    private static void putHit(ObjectNode j, Hit x, Map<Long, Boolean> dups) {
        j.put("index", x.index());
        j.put("line", x.line());
        if (x.docId() != null) {
            j.put("doc_id", x.docId());
        }
        j.put("tokens", x.tokens());
        j.put("key_id", x.keyId());
        ScanReports.putFinite(j, "log10_p", x.log10p());
        j.put("p_value", Math.pow(10, x.log10p()));
        j.put("near_duplicate", dups.getOrDefault(x.index(), true));
    }
}
