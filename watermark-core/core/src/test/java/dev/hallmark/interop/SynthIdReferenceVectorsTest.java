package dev.hallmark.interop;

import dev.hallmark.interop.internal.SynthIdReference;
import dev.hallmark.interop.internal.SynthIdReferenceScore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.interop.InteropVectors.Row;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of {@code synthid-text.jsonl} (google-deepmind/synthid-text at addb4a1, run on CPU; see
 * the README next to it): hash IV, all g-values, the context-repetition mask, and {@code mean_g}.
 */
class SynthIdReferenceVectorsTest {

    static Stream<Row> rows() {
        return InteropVectors.load(InteropVectors.SYNTHID).stream();
    }

    static Stream<Row> sampledRows() {
        return rows().filter(r -> r.kind().equals("sampled"));
    }

    @Test
    void vectorFileHasTheDocumentedShape() {
        Map<String, Long> kinds = rows().collect(Collectors.groupingBy(Row::kind, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("gvalues", 9L, "sampled", 6L), kinds);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void gValuesAndMasks(Row row) {
        JsonNode j = row.json();
        long[] keys = InteropVectors.longs(j.get("keys"));
        int n = j.get("ngram_len").intValue();
        assertEquals(j.get("depth").intValue(), keys.length, "one key per layer");
        SynthIdReference ref = SynthIdReference.of(keys, n, SynthIdReference.DEFAULT_CONTEXT_HISTORY);
        if (j.has("hash_iv")) {
            assertEquals(j.get("hash_iv").longValue(), ref.hashIv(), "hash_iv");
        }
        int[] tokens = InteropVectors.ints(j.get("tokens"));
        SynthIdReference.Scorer scorer = ref.newScorer();
        int rows = ref.rows(tokens.length);

        JsonNode expectedG = j.get("g_values");
        assertEquals(rows, expectedG.size(), "rows = len - n + 1");
        byte[] g = new byte[rows * keys.length];
        assertEquals(rows, scorer.gValues(tokens, 0, tokens.length, g));
        for (int r = 0; r < rows; r++) {
            int[] want = InteropVectors.ints(expectedG.get(r));
            int[] got = new int[keys.length];
            for (int l = 0; l < keys.length; l++) {
                got[l] = g[r * keys.length + l];
            }
            assertArrayEquals(want, got, "g_values row " + r);
        }

        boolean[] expectedMask = InteropVectors.bools(j.get("context_repetition_mask"));
        boolean[] mask = new boolean[rows];
        assertEquals(rows, scorer.contextRepetitionMask(tokens, 0, tokens.length, mask));
        assertArrayEquals(expectedMask, mask, "context_repetition_mask");

        // score() fuses the same computations: its counts must agree with the arrays above.
        SynthIdReferenceScore s = scorer.score(tokens, 0, tokens.length, -1);
        long unmasked = 0;
        long ones = 0;
        for (int r = 0; r < rows; r++) {
            if (expectedMask[r]) {
                unmasked++;
                for (int l = 0; l < keys.length; l++) {
                    ones += g[r * keys.length + l];
                }
            }
        }
        assertEquals(rows, s.rows());
        assertEquals(unmasked, s.unmasked());
        assertEquals(rows - unmasked, s.repeatedContext());
        assertEquals(ones, s.ones());
    }

    /**
     * {@code mean_g} was recorded as float32. Its integer content is checked exactly: the number of
     * ones over unmasked g-values must be the unique integer k with |k / N - mean_g| < 1 / (2N). The
     * float32 value itself is then reproduced bit for bit by the computation the vector generator
     * used (see {@link TorchFloat32Mean}).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sampledRows")
    void meanG(Row row) {
        JsonNode j = row.json();
        long[] keys = InteropVectors.longs(j.get("keys"));
        SynthIdReference ref = SynthIdReference.of(keys, j.get("ngram_len").intValue(),
                SynthIdReference.DEFAULT_CONTEXT_HISTORY);
        int[] tokens = InteropVectors.ints(j.get("tokens"));
        SynthIdReferenceScore s = ref.newScorer().score(tokens, 0, tokens.length, -1);
        double recorded = j.get("mean_g").doubleValue();

        long n = s.gValuesScored();
        assertEquals(Math.round(recorded * n), s.ones(), "ones recovered from mean_g");
        assertEquals(recorded, s.meanG(), 2 * Math.ulp((float) recorded), "mean_g within float32 rounding");

        byte[] g = new byte[ref.rows(tokens.length) * keys.length];
        ref.newScorer().gValues(tokens, 0, tokens.length, g);
        boolean[] mask = new boolean[ref.rows(tokens.length)];
        ref.newScorer().contextRepetitionMask(tokens, 0, tokens.length, mask);
        float emulated = TorchFloat32Mean.meanOfRowMeans(g, keys.length, mask);
        assertEquals((float) recorded, emulated, 0.0f, "mean_g bit for bit (float32, PyTorch summation order)");
    }

    @Test
    void sampledRowsAreWatermarkedAndGValueRowsIncludeRepeats() {
        List<Row> all = rows().collect(Collectors.toList());
        for (Row row : all) {
            JsonNode j = row.json();
            if (row.kind().equals("sampled")) {
                // Tournament sampling pushes g towards 1: with 720+ scored g-values a mean above 0.6
                // is > 5 sigma from 1/2, so these rows carry the watermark the scorer must see.
                assertTrue(j.get("mean_g").doubleValue() > 0.6, row + " mean_g");
            }
        }
        long withRepeats = all.stream().filter(r -> {
            for (JsonNode b : r.json().get("context_repetition_mask")) {
                if (!b.booleanValue()) {
                    return true;
                }
            }
            return false;
        }).count();
        assertTrue(withRepeats >= 3, "the vectors exercise the repetition mask");
    }
}
