package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.Role;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanStore;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code radioactivity} scan type: was a suspect model trained on our watermarked outputs?
 * (Sander et al., "Watermarking Makes Language Models Radioactive", 2024; the service form of
 * {@code hallmark radioactivity}, with the same report fields.)
 *
 * <p>The upload is the suspect model's outputs. For every test of the family (registered keys,
 * Holm-corrected; or an interop scheme):
 * <ul>
 *   <li>each distinct (context, token) tuple of the <em>whole</em> suspect corpus is scored once
 *       ({@link CorpusAccumulator});
 *   <li>positions whose context also occurs in the record's own prompt ({@code prompt_ids}, or
 *       {@code prompt} text tokenized here) are dropped ({@link ContextFilters#excludingPrompt}):
 *       the suspect model may copy its prompt;
 *   <li>optionally, only positions whose context is among the contexts of the data named by
 *       {@code filter_scan} (the corpus of an earlier scan, read up to {@value #MAX_SERVED_TOKENS}
 *       tokens) are kept ({@link ContextFilters#frequentContexts}). The p-value stays exact when that
 *       corpus is an unwatermarked counterpart of the served data; when it is the watermarked served
 *       data itself (the classic served-data filter) the filter depends on the key through that text
 *       and the p-value is heuristic ({@link ContextFilters});
 *   <li>the token budget of the service ({@link ServiceConfig#maxScanPositionsPerKey()}) applies
 *       to the positions the served filter keeps.
 * </ul>
 * Radioactivity is a corpus-level effect (single outputs of a student are not detectable), so the
 * report has no per-document tests.
 *
 * <p>Contexts are those of each scheme's {@link ContextFilters.Window}: for vLLM's schemes the W
 * tokens before a position, padded with -1 before the document's first token (vLLM scores every
 * position, and its generator watermarked the first W tokens of each response with such contexts).
 * A padded position is de-duplicated like any other (its unit includes the padding, so the first
 * tokens of documents that start alike count once), counts in the served-data filter with the
 * served documents' padded contexts, and is excluded as prompt-copied when its known tokens (the
 * document's first t) occur in the prompt (position 0 whenever there is a prompt).
 */
final class RadioactivityScan implements ScanAnalysis {

    /** The served data read for the filter, at most (bounds the context table in memory). */
    static final long MAX_SERVED_TOKENS = 2_000_000;

    private final ScanContext ctx;

    RadioactivityScan(ScanContext ctx) {
        this.ctx = ctx;
    }

    /** Counts the positions a filter rejects. */
    private static final class Counting implements PositionFilter {
        private final PositionFilter inner;
        long rejected;
        final ScanContext.TokenBudget budget; // the inner filter's state, when it is a budget

        Counting(PositionFilter inner) {
            this.inner = inner;
            this.budget = inner instanceof ScanContext.TokenBudget b ? b : null;
        }

        @Override
        public boolean accept(int[] ids, int t) {
            if (inner.accept(ids, t)) {
                return true;
            }
            rejected++;
            return false;
        }
    }

    /** What was read of the served data. */
    private record Served(String scanId, String name, int top, long documents, long tokens, boolean truncated) {}

    @Override
    public Outcome run(ScanStore.Scan s, Checkpoint.Resume resume) throws IOException {
        Instant started = Instant.now();
        KeyStore.Family family = ctx.family(s);
        JsonNode params = s.params() == null ? DetectionJson.mapper().createObjectNode()
                : DetectionJson.mapper().readTree(s.params());
        String filterScan = params.path("filter_scan").isTextual() ? params.path("filter_scan").asText() : null;
        int filterTop = params.path("filter_top").asInt(0);
        List<KeyedScheme> keyed = family.keyed();

        Map<ContextFilters.Window, PositionFilter> servedByWidth = new HashMap<>();
        Served served = null;
        if (filterScan != null) {
            List<int[]> docs = new ArrayList<>();
            served = readServed(filterScan, filterTop, docs, family);
            for (KeyedScheme k : keyed) {
                ContextFilters.Window w = ContextFilters.Window.of(k.scheme());
                if (!servedByWidth.containsKey(w)) {
                    servedByWidth.put(w, ContextFilters.servedContexts(docs, w, filterTop));
                }
            }
        }
        Tally tally = new Tally(keyed, servedByWidth);
        if (resume != null) {
            try (DataInputStream in = resume.openState()) {
                tally.read(in);
            }
        }
        CorpusPass.Totals totals;
        try (ScanCorpus r = ctx.open(s)) {
            // prompt texts were not checked at upload: every batch holding text is checked against the family
            totals = CorpusPass.run(ctx, s, ctx.fingerprint(family), r, new DocumentBatches(r, ctx.tokenizer(), family,
                    true), tally, resume);
            if (totals.stopped()) {
                return Outcome.interrupted();
            }
            return Outcome.done(report(s, family, served, tally, totals, r, started), totals);
        }
    }

    /** What one scan accumulates, document by document. */
    private final class Tally implements CorpusPass.Step {
        private final List<KeyedScheme> keyed;
        private final Map<ContextFilters.Window, PositionFilter> servedByWidth;
        private final List<CorpusAccumulator> accs = new ArrayList<>();
        private final List<Counting> servedCounts = new ArrayList<>();
        private final List<Counting> budgetCounts = new ArrayList<>();
        private final long[] promptSkipped;
        private final long[] roleTokens = new long[Role.values().length];
        private long withPrompt;
        private long promptTokens;

        Tally(List<KeyedScheme> keyed, Map<ContextFilters.Window, PositionFilter> servedByWidth) {
            this.keyed = keyed;
            this.servedByWidth = servedByWidth;
            this.promptSkipped = new long[keyed.size()];
            for (KeyedScheme k : keyed) {
                Counting sv = new Counting(servedByWidth.getOrDefault(ContextFilters.Window.of(k.scheme()),
                        PositionFilter.ALL));
                Counting bg = new Counting(ctx.budget());
                servedCounts.add(sv);
                budgetCounts.add(bg);
                accs.add(new CorpusAccumulator(k, ContextFilters.and(sv, bg)));
            }
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeInt(keyed.size());
            for (int i = 0; i < keyed.size(); i++) {
                out.writeLong(servedCounts.get(i).rejected);
                out.writeLong(budgetCounts.get(i).rejected);
                out.writeLong(budgetCounts.get(i).budget.seen);
                out.writeLong(promptSkipped[i]);
                accs.get(i).writeState(out);
            }
            out.writeLong(withPrompt);
            out.writeLong(promptTokens);
            out.writeInt(roleTokens.length);
            for (long t : roleTokens) {
                out.writeLong(t);
            }
        }

        void read(DataInput in) throws IOException {
            if (in.readInt() != keyed.size()) {
                throw new IOException("checkpoint of another number of keys");
            }
            for (int i = 0; i < keyed.size(); i++) {
                Counting sv = new Counting(servedByWidth.getOrDefault(ContextFilters.Window.of(keyed.get(i).scheme()),
                        PositionFilter.ALL));
                Counting bg = new Counting(ctx.budget());
                sv.rejected = in.readLong();
                bg.rejected = in.readLong();
                bg.budget.seen = in.readLong();
                promptSkipped[i] = in.readLong();
                servedCounts.set(i, sv);
                budgetCounts.set(i, bg);
                accs.set(i, CorpusAccumulator.readState(keyed.get(i), ContextFilters.and(sv, bg), in));
            }
            withPrompt = in.readLong();
            promptTokens = in.readLong();
            if (in.readInt() != roleTokens.length) {
                throw new IOException("checkpoint of another set of chat roles");
            }
            for (int i = 0; i < roleTokens.length; i++) {
                roleTokens[i] = in.readLong();
            }
        }

        @Override
        public void accept(DocumentBatches.Tokenized x) {
            int[] ids = x.ids();
            int[] prompt = x.prompt();
            Map<ContextFilters.Window, PositionFilter> noPrompt = new HashMap<>();
            if (prompt != null) {
                withPrompt++;
                promptTokens += prompt.length;
            }
            if (x.doc().role() != null) {
                roleTokens[x.doc().role().ordinal()] += ids.length;
            }
            for (int i = 0; i < accs.size(); i++) {
                PositionFilter pf = PositionFilter.ALL;
                if (prompt != null) {
                    PositionFilter ex = noPrompt.computeIfAbsent(ContextFilters.Window.of(keyed.get(i).scheme()),
                            w -> ContextFilters.excludingPrompt(prompt, w));
                    long[] count = promptSkipped;
                    int idx = i;
                    pf = (a, t) -> {
                        if (ex.accept(a, t)) {
                            return true;
                        }
                        count[idx]++;
                        return false;
                    };
                }
                accs.get(i).accept(ids, 0, ids.length, pf);
            }
        }
    }

    private ObjectNode report(ScanStore.Scan s, KeyStore.Family family, Served served, Tally tally,
            CorpusPass.Totals totals, ScanCorpus corpus, Instant started) {
        ObjectNode o = ScanReports.envelope(s, corpus.info(), ctx.tokenizer().tokenizer());
        o.put("test", "radioactivity");
        o.put("documents", totals.documents());
        o.put("filter", served == null ? "none" : "served-contexts");
        if (served != null) {
            ObjectNode f = o.putObject("served_data");
            f.put("scan_id", served.scanId());
            f.put("name", served.name());
            f.put("top", served.top());
            f.put("documents", served.documents());
            f.put("tokens", served.tokens());
            f.put("truncated", served.truncated());
            f.put("max_tokens", MAX_SERVED_TOKENS);
        }
        ObjectNode pe = o.putObject("prompt_exclusion");
        pe.put("documents_with_prompt", tally.withPrompt);
        pe.put("prompt_tokens", tally.promptTokens);
        pe.put("description", "positions whose context also occurs in the record's own prompt (prompt_ids, or prompt "
                + "text tokenized here; in chat records the system, user and tool turns before the assistant turn) are "
                + "not scored: the suspect model may copy its prompt");
        ArrayNode ks = ScanReports.putCorpusTests(o, s, family, tally.accs);
        o.put("correction", tally.accs.size() > 1 ? "holm" : "none");
        for (int i = 0; i < ks.size(); i++) {
            ObjectNode k = (ObjectNode) ks.get(i);
            k.put("skipped_served_filter", tally.servedCounts.get(i).rejected);
            k.put("skipped_budget", tally.budgetCounts.get(i).rejected);
            k.put("skipped_prompt", tally.promptSkipped[i]);
        }
        o.putObject("tokens").put("seen", totals.tokens());
        ScanReports.putRecords(o, corpus.info(), corpus.counts(), tally.roleTokens);
        ObjectNode reasons = o.putObject("skipped_reasons");
        reasons.put("context", "the first tokens of each document (the scheme's context width) have no full context");
        reasons.put("repeated", "the (context, token) tuple already occurred earlier in the suspect corpus and is scored once");
        reasons.put("filtered", "the sum of skipped_served_filter (context not among the served contexts), skipped_budget "
                + "(beyond the token budget of " + ctx.config().maxScanPositionsPerKey() + " positions per key, fixed before "
                + "the scan) and skipped_prompt (context occurs in the record's prompt); the budget and the prompt "
                + "are key-independent, and so is the served filter when its scan holds unwatermarked text; built "
                + "from the watermarked served data it depends on the key and the p-value is heuristic");
        ScanReports.putTiming(o, started, Instant.now(), totals.tokens());
        return o;
    }

    /** Reads the served data (the corpus of scan {@code id}) into {@code out}, up to {@link #MAX_SERVED_TOKENS}. */
    private Served readServed(String id, int top, List<int[]> out, KeyStore.Family family) throws IOException {
        ScanStore.Scan f = ctx.scans().get(id);
        if (f == null || !ctx.files().hasCorpus(f)) {
            throw Problem.unknownScan("the served-data scan " + id + " (filter_scan) was deleted before this scan ran");
        }
        long docs = 0;
        long tokens = 0;
        boolean truncated = false;
        try (ScanCorpus r = ctx.open(f)) {
            DocumentBatches batches = new DocumentBatches(r, ctx.tokenizer(), family, false);
            read:
            for (DocumentBatches.Batch b = batches.next(); b.size() > 0; b = batches.next()) {
                for (int i = 0; i < b.size(); i++) {
                    int[] ids = b.get(i).ids();
                    if (tokens + ids.length > MAX_SERVED_TOKENS) {
                        truncated = true;
                        break read;
                    }
                    out.add(ids);
                    docs++;
                    tokens += ids.length;
                }
            }
        }
        return new Served(f.id(), f.name(), top, docs, tokens, truncated);
    }
}
