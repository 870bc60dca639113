package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.Limits;
import dev.hallmark.corpus.Split;
import dev.hallmark.corpus.Turns;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.KeyScope;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * What every scan analysis works with: the service's limits, the stores, the tokenizer, the scan
 * counters, the tenants' near-duplicate index, whether a scan's uploader is an analyst, and whether
 * the service is stopping.
 */
record ScanContext(ServiceConfig config, ScanStore scans, KeyStore keys, ScanFiles files, ChunkedTokenizer tokenizer,
        Counter documentsScanned, Counter tokensScanned, ProbeIndex probes, Predicate<String> analystToken,
        BooleanSupplier closing) {

    /**
     * The reader caps of the service: decompressed size, compression ratio,
     * {@link ScanCorpus#MAX_DOCUMENT_CHARS} characters per record.
     */
    static Limits limits(ServiceConfig c) {
        return new Limits(c.maxDecompressedBytes(), c.maxGzipRatio(), ScanCorpus.MAX_DOCUMENT_CHARS);
    }

    /**
     * Opens the stored corpus of {@code s} as the upload resolved it (format, field, split, chat
     * turns); with prompts for radioactivity scans.
     */
    ScanCorpus open(ScanStore.Scan s) throws IOException {
        Split split = s.split() == null ? Split.BLANK : Split.valueOf(s.split().toUpperCase(Locale.ROOT));
        Turns turns = Turns.ALL;
        if (s.params() != null) {
            JsonNode p = DetectionJson.mapper().readTree(s.params());
            if (p.path("turns").isTextual()) {
                turns = Turns.valueOf(p.path("turns").asText().toUpperCase(Locale.ROOT));
            }
        }
        CorpusOptions o = new CorpusOptions(CorpusFormat.parse(s.format()), s.field(), split, turns,
                ScanStore.TYPE_RADIOACTIVITY.equals(s.scanType()), limits(config));
        return ScanCorpus.open(files.corpus(s), o);
    }

    /** The per-document results of scan {@code s} ({@link ScanDocuments}), beside its corpus. */
    java.nio.file.Path documentsLog(ScanStore.Scan s) {
        return files.corpus(s).resolveSibling(ScanDocuments.FILE);
    }

    /**
     * The tests of scan {@code s}, resolved again at run time: keys of the scan's tenant and shared
     * ones (every scan, an admin's too, so a report only ever names keys its tenant may see).
     *
     * @throws Problem unknown-key when a chosen key was retired (or moved to another tenant) since the upload
     */
    KeyStore.Family family(ScanStore.Scan s) {
        try {
            return keys.family(KeyScope.of(s.tenant()), s.scheme(), s.keyIds());
        } catch (Problem p) {
            throw Problem.unknownKey("keys chosen for this scan are no longer active: " + p.detail());
        }
    }

    /** What a checkpoint of scan {@code s} must have been made for: its tests and the token budget. */
    String fingerprint(KeyStore.Family family) {
        StringBuilder b = new StringBuilder("budget=").append(config.maxScanPositionsPerKey());
        for (var k : family.keyed()) {
            b.append(';').append(ScanReports.testId(k)).append('|').append(k.scheme());
        }
        return b.toString();
    }

    /** A fresh token budget ({@link TokenBudget}) of {@link ServiceConfig#maxScanPositionsPerKey()} positions. */
    TokenBudget budget() {
        return new TokenBudget(config.maxScanPositionsPerKey());
    }

    /**
     * Accepts the first {@code limit} positions offered to it: a token budget fixed before the scan
     * and independent of the key, so the p-value stays exact. One per accumulator (it counts); its
     * count is part of a checkpoint.
     */
    static final class TokenBudget implements PositionFilter {
        private final long limit;
        long seen;

        TokenBudget(long limit) {
            this.limit = limit;
        }

        @Override
        public boolean accept(int[] ids, int t) {
            return seen++ < limit;
        }
    }

    /** The pacing of one run of scan {@code scanId}. */
    ScanPacer pacer(String scanId) {
        return new ScanPacer(config, scans, scanId, closing);
    }
}
