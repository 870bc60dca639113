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
import dev.hallmark.text.TextTokenizer;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * What every scan analysis works with: the service's limits, the stores, the tokenizer, the scan
 * counters, whether the service is stopping.
 */
record ScanContext(ServiceConfig config, ScanStore scans, KeyStore keys, ScanFiles files, TextTokenizer tokenizer,
        Counter documentsScanned, Counter tokensScanned, BooleanSupplier closing) {

    /** The reader caps of the service: decompressed size, compression ratio, 64 Mi characters per record. */
    static Limits limits(ServiceConfig c) {
        return new Limits(c.maxDecompressedBytes(), c.maxGzipRatio(), 64 << 20);
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
