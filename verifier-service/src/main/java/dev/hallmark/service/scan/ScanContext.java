package dev.hallmark.service.scan;

import dev.hallmark.detect.PositionFilter;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
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

    /** The reader caps of the service: decompressed size, gzip ratio, {@link CorpusReader#MAX_DOCUMENT_CHARS} per document. */
    static CorpusReader.Limits limits(ServiceConfig c) {
        return new CorpusReader.Limits(c.maxDecompressedBytes(), c.maxGzipRatio(), CorpusReader.MAX_DOCUMENT_CHARS);
    }

    /** Opens the stored corpus of {@code s} as it was uploaded (format, split, field). */
    CorpusReader open(ScanStore.Scan s) throws IOException {
        CorpusReader.Format format = CorpusReader.Format.valueOf(s.format().toUpperCase(Locale.ROOT));
        CorpusReader.Split split = s.split() == null ? CorpusReader.Split.BLANK
                : CorpusReader.Split.valueOf(s.split().toUpperCase(Locale.ROOT));
        return CorpusReader.open(files.corpus(s), format, split, s.field(), limits(config));
    }

    /**
     * The tests of scan {@code s}, resolved again at run time.
     *
     * @throws Problem unknown-key when a chosen key was retired since the upload
     */
    KeyStore.Family family(ScanStore.Scan s) {
        try {
            return keys.family(s.scheme(), s.keyIds());
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
