package dev.hallmark.service.scan;

import dev.hallmark.detect.PositionFilter;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.text.HfTokenizer;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * What every scan analysis works with: the service's limits, the stores, the tokenizer, the scan
 * counters, and whether the service is stopping.
 */
record ScanContext(ServiceConfig config, ScanStore scans, KeyStore keys, ScanFiles files, HfTokenizer tokenizer,
        Counter documentsScanned, Counter tokensScanned, BooleanSupplier closing) {

    /** The reader caps of the service: decompressed size, gzip ratio, 64 Mi characters per line. */
    static CorpusReader.Limits limits(ServiceConfig c) {
        return new CorpusReader.Limits(c.maxDecompressedBytes(), c.maxGzipRatio(), 64 << 20);
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

    /**
     * Accepts the first {@link ServiceConfig#maxScanPositionsPerKey()} positions offered to it: a
     * token budget fixed before the scan and independent of the key, so the p-value stays exact.
     * One filter per accumulator (it counts).
     */
    PositionFilter budget() {
        long n = config.maxScanPositionsPerKey();
        long[] seen = {0};
        return (ids, t) -> seen[0]++ < n;
    }

    /** The pacing of one run of scan {@code scanId}. */
    ScanPacer pacer(String scanId) {
        return new ScanPacer(config, scans, scanId, closing);
    }
}
