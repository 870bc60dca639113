package dev.hallmark.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.interop.InteropVectors.Row;
import dev.hallmark.scheme.HfKgwKeyed;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.Tails;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden vectors again, this time through the public detection path every entry point uses
 * ({@code Scheme.parse} -> {@code KeyedScheme} -> {@code Detector} / {@code CorpusAccumulator} ->
 * {@code DetectionJson}): the reference's counts, z-scores and per-token decisions come out of the
 * {@code hf-kgw} and {@code synthid-ref} schemes unchanged.
 */
class InteropDetectionVectorsTest {

    static Stream<Row> kgwDetectRows() {
        return InteropVectors.load(InteropVectors.KGW).stream().filter(r -> r.kind().equals("detect"));
    }

    static Stream<Row> synthIdRows() {
        return InteropVectors.load(InteropVectors.SYNTHID).stream();
    }

    static String hfKgwSpec(JsonNode j, boolean ignoreRepeated) {
        return "hf-kgw:gamma=" + j.get("gamma").asText() + ",scheme=" + j.get("scheme").asText()
                + ",vocab=" + j.get("vocab").intValue() + ",ignore_repeated_ngrams=" + ignoreRepeated;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kgwDetectRows")
    void hfKgwReportsTheReferenceCountsAndZScore(Row row) {
        JsonNode j = row.json();
        boolean ignore = j.get("ignore_repeated_ngrams").booleanValue();
        Scheme scheme = Scheme.parse(hfKgwSpec(j, ignore));
        KeyedScheme keyed = KeyedScheme.of(scheme);
        int[] tokens = InteropVectors.ints(j.get("tokens"));
        DetectionResult r = Detector.of(keyed).detect(tokens, DetectOptions.defaults());

        assertEquals(j.get("num_tokens_scored").longValue(), r.tokensScored(), "tokens_scored as the reference counts");
        assertEquals(j.get("num_green_tokens").longValue(), Math.round(r.scoreSum()), "green tokens");
        assertEquals(j.get("z_score").doubleValue(), r.zScore(), 1e-9, "reference z-score");
        assertEquals(scheme.contextWidth(), r.skippedContext());
        assertEquals(tokens.length, r.tokensSeen());

        // the exact p-value is the binomial tail over the independent units, with p = int(V*gamma)/V
        DetectionResult.Independent ind = r.independent();
        assertNotNull(ind);
        assertTrue(ind.count() <= r.tokensScored(), "units are among the counted positions");
        int v = j.get("vocab").intValue();
        double p = (double) (int) (v * j.get("gamma").doubleValue()) / v;
        assertEquals(Tails.log10BinomialUpper(Math.round(ind.scoreSum()), ind.count(), p), r.log10P(), 1e-12);
        if (j.get("scheme").asText().equals("lefthash")) {
            // lefthash seeds are injective in the previous token: units are exactly the distinct bigrams
            DetectionResult dedup = Detector.of(KeyedScheme.of(Scheme.parse(hfKgwSpec(j, true))))
                    .detect(tokens, DetectOptions.defaults());
            assertEquals(dedup.tokensScored(), ind.count(), "lefthash: units = distinct n-grams");
        }

        // every position's green decision, through the keyed scheme, is the reference's mask
        boolean[] mask = InteropVectors.bools(j.get("green_token_mask"));
        int h = scheme.contextWidth();
        assertEquals(tokens.length - h, mask.length, "one mask entry per n-gram");
        long[] tuple = new long[2];
        for (int t = h; t < tokens.length; t++) {
            assertEquals(mask[t - h] ? 1.0 : 0.0, keyed.score(tokens, t, tuple), "position " + t);
        }

        // the corpus accumulator over the one document, and split into two partitions, agrees
        CorpusAccumulator one = new CorpusAccumulator(keyed);
        one.accept(tokens);
        DetectionResult c = one.result(1e-3);
        assertEquals(r.tokensScored(), c.tokensScored());
        assertEquals(r.scoreSum(), c.scoreSum());
        assertEquals(ind, c.independent());

        ObjectNode json = DetectionJson.toJson(r, false);
        assertEquals(scheme.toString(), json.get("scheme").asText());
        assertTrue(!json.has("key_id"), "hf-kgw has no key id");
        assertEquals(r.tokensScored(), json.get("tokens_scored").longValue());
        assertEquals(ind.count(), json.get("independent").get("units").longValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("synthIdRows")
    void synthIdRefReportsUnmaskedPositionsAndTheMeanScore(Row row) {
        JsonNode j = row.json();
        int n = j.get("ngram_len").intValue();
        long[] keys = InteropVectors.longs(j.get("keys"));
        int[] tokens = InteropVectors.ints(j.get("tokens"));
        Scheme scheme = Scheme.parse("synthid-ref:ngram_len=" + n + ",context_history=1024");
        KeyedScheme keyed = KeyedScheme.of(scheme, SynthIdKeys.of(keys));
        DetectionResult r = Detector.of(keyed).detect(tokens, DetectOptions.defaults());

        boolean[] mask = InteropVectors.bools(j.get("context_repetition_mask"));
        JsonNode g = j.get("g_values");
        long unmasked = 0;
        long ones = 0;
        long[] tuple = new long[2];
        for (int row0 = 0; row0 < mask.length; row0++) {
            int[] gRow = InteropVectors.ints(g.get(row0));
            int rowOnes = Arrays.stream(gRow).sum();
            // per-position score through the keyed scheme = the reference's g-value row
            assertEquals(rowOnes, keyed.score(tokens, row0 + n - 1, tuple), "row " + row0);
            if (mask[row0]) {
                unmasked++;
                ones += rowOnes;
            }
        }
        assertEquals(unmasked, r.tokensScored(), "tokens_scored = unmasked positions");
        assertEquals(mask.length - unmasked, r.skippedRepeated(), "masked rows");
        assertEquals(ones, Math.round(r.scoreSum()), "ones over layers and unmasked positions");
        assertEquals((double) ones / (unmasked * keys.length), r.statistic(), 0.0, "Mean score");
        if (j.has("mean_g")) {
            float recorded = (float) j.get("mean_g").doubleValue();
            assertEquals(recorded, (float) r.statistic(), 2 * Math.ulp(recorded), "the reference's float32 mean_g");
        }
        // these texts are short: the unmasked rows are distinct n-grams, so units = the reference count
        assertEquals(new DetectionResult.Independent(unmasked, ones), r.independent());
        assertEquals(Tails.log10BinomialUpper(ones, unmasked * keys.length, 0.5), r.log10P(), 1e-12,
                "exact Binomial(layers x positions, 1/2) tail");
        assertEquals(SynthIdKeys.of(keys).id(), r.keyId());
        if (j.get("kind").asText().equals("sampled")) {
            assertTrue(r.watermarked(), "reference-watermarked text is detected at 1e-3: log10 p = " + r.log10P());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kgwDetectRows")
    void corpusPartitionsCombineToTheWholeForHfKgw(Row row) {
        JsonNode j = row.json();
        KeyedScheme keyed = KeyedScheme.of(Scheme.parse(hfKgwSpec(j, j.get("ignore_repeated_ngrams").booleanValue())));
        int[] tokens = InteropVectors.ints(j.get("tokens"));
        int half = tokens.length / 2;
        int[][] docs = {Arrays.copyOfRange(tokens, 0, half), Arrays.copyOfRange(tokens, half, tokens.length), tokens};
        CorpusAccumulator all = new CorpusAccumulator(keyed);
        CorpusAccumulator a = new CorpusAccumulator(keyed);
        CorpusAccumulator b = new CorpusAccumulator(keyed);
        for (int i = 0; i < docs.length; i++) {
            all.accept(docs[i]);
            (i % 2 == 0 ? a : b).accept(docs[i]);
        }
        DetectionResult whole = all.result(1e-3);
        DetectionResult merged = a.combine(b).result(1e-3);
        assertEquals(whole.tokensScored(), merged.tokensScored());
        assertEquals(whole.scoreSum(), merged.scoreSum());
        assertEquals(whole.independent(), merged.independent());
        assertEquals(whole.skippedRepeated(), merged.skippedRepeated());
        assertEquals(whole.log10P(), merged.log10P());
        assertTrue(keyed instanceof HfKgwKeyed);
    }
}
