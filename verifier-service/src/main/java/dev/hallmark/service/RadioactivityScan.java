package dev.hallmark.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.text.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

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
 *   <li>optionally, only positions whose context is among the contexts of the watermarked data the
 *       lab served are kept ({@link ContextFilters#servedContexts}): the served data is the corpus
 *       of an earlier scan, named by {@code filter_scan}, read up to {@value #MAX_SERVED_TOKENS}
 *       tokens (a bound fixed before the scan, so the filter stays key-independent and the p-value
 *       exact);
 *   <li>the token budget of the service ({@link ServiceConfig#maxScanPositionsPerKey()}) applies
 *       to the positions the served filter keeps.
 * </ul>
 * Radioactivity is a corpus-level effect (single outputs of a student are not detectable), so the
 * report has no per-document tests.
 */
final class RadioactivityScan {

    /** The served data read for the filter, at most (bounds the context table in memory). */
    static final long MAX_SERVED_TOKENS = 2_000_000;
    private static final int BATCH_DOCS = 256;
    private static final int BATCH_CHARS = 4 << 20;

    private final ServiceConfig config;
    private final ScanStore scans;
    private final KeyStore keys;
    private final HfTokenizer tokenizer;
    private final BooleanSupplier closing;

    RadioactivityScan(ServiceConfig config, ScanStore scans, KeyStore keys, HfTokenizer tokenizer, BooleanSupplier closing) {
        this.config = config;
        this.scans = scans;
        this.keys = keys;
        this.tokenizer = tokenizer;
        this.closing = closing;
    }

    /** Counts the positions a filter rejects. */
    private static final class Counting implements PositionFilter {
        private final PositionFilter inner;
        long rejected;

        Counting(PositionFilter inner) {
            this.inner = inner;
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

    /** The analysis; null if the scan disappeared (deleted) or the service is stopping. */
    ObjectNode run(ScanStore.Scan s) throws IOException {
        Instant started = Instant.now();
        KeyStore.Family family;
        try {
            family = keys.family(s.scheme(), s.keyIds());
        } catch (Problem p) {
            throw Problem.unknownKey("keys chosen for this scan are no longer active: " + p.detail());
        }
        JsonNode params = s.params() == null ? DetectionJson.mapper().createObjectNode()
                : DetectionJson.mapper().readTree(s.params());
        String filterScan = params.path("filter_scan").isTextual() ? params.path("filter_scan").asText() : null;
        int filterTop = params.path("filter_top").asInt(0);
        List<KeyedScheme> keyed = family.keyed();
        int idLimit = family.idLimit(tokenizer.vocabularySize());

        Map<Integer, PositionFilter> servedByWidth = new HashMap<>();
        Served served = null;
        if (filterScan != null) {
            List<int[]> docs = new ArrayList<>();
            served = readServed(filterScan, filterTop, docs, family, idLimit);
            for (KeyedScheme k : keyed) {
                int h = k.scheme().contextWidth();
                if (!servedByWidth.containsKey(h)) {
                    servedByWidth.put(h, ContextFilters.servedContexts(docs, h, filterTop));
                }
            }
        }
        List<CorpusAccumulator> accs = new ArrayList<>();
        List<Counting> servedCounts = new ArrayList<>();
        List<Counting> budgetCounts = new ArrayList<>();
        long[] promptSkipped = new long[keyed.size()];
        for (KeyedScheme k : keyed) {
            Counting sv = new Counting(servedByWidth.getOrDefault(k.scheme().contextWidth(), PositionFilter.ALL));
            Counting bg = new Counting(ScanRunner.budget(config.maxScanPositionsPerKey()));
            servedCounts.add(sv);
            budgetCounts.add(bg);
            accs.add(new CorpusAccumulator(k, ContextFilters.and(sv, bg)));
        }

        long docs = 0;
        long tokens = 0;
        long withPrompt = 0;
        ScanPacer pacer = new ScanPacer(config, scans, s.id(), closing);
        Path file = config.dataDir().resolve(s.uploadFile());
        boolean gzip;
        try (CorpusReader r = open(s, file)) {
            r.withPrompts();
            gzip = r.gzip();
            List<CorpusReader.Doc> batch = new ArrayList<>();
            boolean more = true;
            while (more) {
                more = fill(r, batch);
                if (batch.isEmpty()) {
                    break;
                }
                List<String> texts = new ArrayList<>();
                for (CorpusReader.Doc x : batch) {
                    if (x.text() != null) {
                        texts.add(x.text());
                    }
                    if (x.promptIds() == null && x.prompt() != null) {
                        texts.add(x.prompt());
                    }
                }
                if (!texts.isEmpty()) {
                    family.checkText(tokenizer.vocabularySize());
                }
                int[][] enc = texts.isEmpty() ? new int[0][] : tokenizer.encodeBatch(texts);
                int ti = 0;
                for (CorpusReader.Doc x : batch) {
                    int[] ids = x.text() != null ? enc[ti++] : x.ids();
                    int[] prompt = x.promptIds() != null ? x.promptIds() : x.prompt() != null ? enc[ti++] : null;
                    if (x.ids() != null) {
                        ScanRunner.checkIds(ids, x.line(), idLimit, family);
                    }
                    docs++;
                    tokens += ids.length;
                    Map<Integer, PositionFilter> noPrompt = new HashMap<>();
                    if (prompt != null) {
                        withPrompt++;
                    }
                    for (int i = 0; i < accs.size(); i++) {
                        PositionFilter pf = PositionFilter.ALL;
                        if (prompt != null) {
                            int h = keyed.get(i).scheme().contextWidth();
                            PositionFilter ex = noPrompt.computeIfAbsent(h, w -> ContextFilters.excludingPrompt(prompt, w));
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
                    // a deleted scan (no row) or a stopping service ends the run
                    if (!pacer.afterDocument(docs, tokens, r.bytesRead())) {
                        return null;
                    }
                }
            }
            if (docs == 0) {
                throw Problem.textTooShort("the corpus holds no documents");
            }
            if (!scans.progress(s.id(), docs, tokens, r.bytesRead())) {
                return null;
            }
        }

        ObjectNode o = ScanRunner.envelope(s, gzip, tokenizer);
        o.put("test", "radioactivity");
        o.put("documents", docs);
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
        pe.put("documents_with_prompt", withPrompt);
        pe.put("description", "positions whose context also occurs in the record's own prompt (prompt_ids, or prompt "
                + "text tokenized here) are not scored: the suspect model may copy its prompt");
        ArrayNode ks = ScanRunner.putCorpusTests(o, s, family, accs);
        o.put("correction", accs.size() > 1 ? "holm" : "none");
        for (int i = 0; i < ks.size(); i++) {
            ObjectNode k = (ObjectNode) ks.get(i);
            k.put("skipped_served_filter", servedCounts.get(i).rejected);
            k.put("skipped_budget", budgetCounts.get(i).rejected);
            k.put("skipped_prompt", promptSkipped[i]);
        }
        o.putObject("tokens").put("seen", tokens);
        ObjectNode reasons = o.putObject("skipped_reasons");
        reasons.put("context", "the first tokens of each document (the scheme's context width) have no full context");
        reasons.put("repeated", "the (context, token) tuple already occurred earlier in the suspect corpus and is scored once");
        reasons.put("filtered", "the sum of skipped_served_filter (context not among the served contexts), skipped_budget "
                + "(beyond the token budget of " + config.maxScanPositionsPerKey() + " positions per key, fixed before "
                + "the scan) and skipped_prompt (context occurs in the record's prompt); all key-independent, so the "
                + "p-value stays exact");
        ScanRunner.putTiming(o, started, Instant.now(), tokens);
        return o;
    }

    private CorpusReader open(ScanStore.Scan s, Path file) throws IOException {
        CorpusReader.Format format = CorpusReader.Format.valueOf(s.format().toUpperCase(Locale.ROOT));
        CorpusReader.Split split = s.split() == null ? CorpusReader.Split.BLANK
                : CorpusReader.Split.valueOf(s.split().toUpperCase(Locale.ROOT));
        return CorpusReader.open(file, format, split, s.field(), ScanRunner.limits(config));
    }

    /** Fills {@code batch} with the next documents; false once the reader is exhausted. */
    private static boolean fill(CorpusReader r, List<CorpusReader.Doc> batch) throws IOException {
        batch.clear();
        long chars = 0;
        CorpusReader.Doc d;
        while (batch.size() < BATCH_DOCS && chars < BATCH_CHARS && (d = r.next()) != null) {
            batch.add(d);
            chars += d.text() == null ? d.ids().length : d.text().length();
            if (d.prompt() != null) {
                chars += d.prompt().length();
            }
        }
        return batch.size() == BATCH_DOCS || chars >= BATCH_CHARS;
    }

    /** Reads the served data (the corpus of scan {@code id}) into {@code out}, up to {@link #MAX_SERVED_TOKENS}. */
    private Served readServed(String id, int top, List<int[]> out, KeyStore.Family family, int idLimit)
            throws IOException {
        ScanStore.Scan f = scans.get(id);
        Path file = f == null ? null : config.dataDir().resolve(f.uploadFile());
        if (f == null || !Files.isRegularFile(file)) {
            throw Problem.unknownScan("the served-data scan " + id + " (filter_scan) was deleted before this scan ran");
        }
        long docs = 0;
        long tokens = 0;
        boolean truncated = false;
        try (CorpusReader r = open(f, file)) {
            List<CorpusReader.Doc> batch = new ArrayList<>();
            boolean more = true;
            while (more && !truncated) {
                more = fill(r, batch);
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
                        ScanRunner.checkIds(ids, x.line(), idLimit, family);
                    }
                    if (tokens + ids.length > MAX_SERVED_TOKENS) {
                        truncated = true;
                        break;
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
