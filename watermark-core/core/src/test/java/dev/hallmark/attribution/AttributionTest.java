package dev.hallmark.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttributionTest {

    private static final int VOCAB = 2_000;

    @Test
    void codewordsOfDistinctAccountsAgreeOnAtMostDegreePositions() {
        AccountCode c = new AccountCode(13, 9, 2);
        assertEquals(2197, c.capacity());
        int[][] words = new int[(int) c.capacity()][c.length()];
        for (int a = 0; a < words.length; a++) {
            for (int i = 0; i < c.length(); i++) {
                words[a][i] = c.symbol(a, i);
            }
        }
        int worst = 0;
        for (int a = 0; a < words.length; a++) {
            for (int b = a + 1; b < words.length; b++) {
                int agree = 0;
                for (int i = 0; i < c.length(); i++) {
                    agree += words[a][i] == words[b][i] ? 1 : 0;
                }
                worst = Math.max(worst, agree);
            }
        }
        assertEquals(2, worst, "a degree-2 Reed-Solomon code: distinct codewords share at most 2 symbols");
        assertEquals(29_791, AccountCode.defaults().capacity());
        assertEquals(5, c.threshold(2));
        assertEquals(4, c.maxCoalition());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.threshold(5)).getMessage()
                .contains("separates coalitions of at most 4 accounts"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AccountCode(12, 5, 2)).getMessage()
                .contains("must be a prime"));
    }

    private static List<int[]> harvest(AccountKeys keys, long account, int docs, int tokens, long seed) {
        List<int[]> out = new ArrayList<>();
        WatermarkSampler s = WatermarkSampler.watermarked(keys.scheduleFor(account), SamplingConfig.defaults(), VOCAB);
        SplittableRandom r = new SplittableRandom(seed);
        for (int d = 0; d < docs; d++) {
            out.add(RandomText.generate(s, 6, tokens, 2.0, r));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kgw", "gumbel:context=2", "synthid:context=2,layers=20,leaves=2"})
    void findsTheHarvestingAccountsAndNoOthers(String spec) {
        AccountKeys keys = new AccountKeys(TestKeys.key(77), Scheme.parse(spec), AccountCode.defaults());
        long[] harvesters = {12, 4_711, 23_999};
        AttributionAccumulator acc = new AttributionAccumulator(keys);
        AttributionAccumulator half1 = new AttributionAccumulator(keys);
        AttributionAccumulator half2 = new AttributionAccumulator(keys);
        int i = 0;
        for (long a : harvesters) {
            for (int[] doc : harvest(keys, a, 12, 300, a)) {
                acc.accept(doc);
                (i++ % 2 == 0 ? half1 : half2).accept(doc);
            }
        }
        AttributionResult r = acc.result(1e-3, 3, 24_000);
        assertEquals(List.of(12L, 4_711L, 23_999L),
                r.accused().stream().map(AttributionResult.Accusation::account).sorted().collect(Collectors.toList()),
                spec);
        assertTrue(r.distilledLog10P() < -10);
        AttributionResult merged = half1.combine(half2).result(1e-3, 3, 24_000);
        assertEquals(r.tuplesScored(), merged.tuplesScored());
        assertEquals(r.accused().size(), merged.accused().size());
        for (int g = 0; g < r.groupLog10P().length; g++) {
            assertEquals(r.groupLog10P()[g], merged.groupLog10P()[g], 1e-9 * Math.max(1, Math.abs(r.groupLog10P()[g])));
        }
    }

    @Test
    void innocentsSharingGroupsWithTheCoalitionAreNotAccused() {
        // small code so that many innocents share 2 symbols with some harvester
        AccountCode code = new AccountCode(7, 7, 2);
        AccountKeys keys = new AccountKeys(TestKeys.key(5), Scheme.parse("kgw"), code);
        AttributionAccumulator acc = new AttributionAccumulator(keys);
        for (long a : new long[] {3, 100, 200}) {
            harvest(keys, a, 15, 300, a).forEach(acc::accept);
        }
        AttributionResult r = acc.result(1e-3, 3, code.capacity());
        assertEquals(List.of(3L, 100L, 200L),
                r.accused().stream().map(AttributionResult.Accusation::account).sorted().toList());
        // the innocents covered the most: every one shares <= 2 groups per harvester, never 7 = 2*3+1
        assertEquals(7, r.threshold());
    }

    /**
     * Null side: unwatermarked corpora (random masters, Zipf text with repeated spans) never lead to an accusation
     * more often than alpha. 200 corpora at alpha = 0.05: the false-accusation count must stay
     * within the 99.9% upper binomial bound (<= 22), and the "distilled" p-value must be valid too.
     */
    @Test
    void falseAccusationRateIsControlledOnUnwatermarkedCorpora() {
        int trials = 200;
        int falseAccusations = 0;
        int distilledHits = 0;
        SplittableRandom r = new SplittableRandom(2026);
        AccountCode code = new AccountCode(31, 8, 2);
        Scheme scheme = Scheme.parse("kgw");
        double[] cdf = RandomText.zipfCdf(VOCAB, 1.1);
        for (int t = 0; t < trials; t++) {
            byte[] secret = new byte[32];
            r.nextBytes(secret);
            AccountKeys keys = new AccountKeys(WatermarkKey.fromSecret(secret), scheme, code);
            AttributionAccumulator acc = new AttributionAccumulator(keys);
            for (int d = 0; d < 4; d++) {
                acc.accept(RandomText.withRepeatedSpans(RandomText.zipf(150, VOCAB, r, cdf), r));
            }
            AttributionResult res = acc.result(0.05, 1, 24_000);
            if (!res.accused().isEmpty()) {
                falseAccusations++;
            }
            if (res.distilledLog10P() <= Math.log10(0.05)) {
                distilledHits++;
            }
        }
        assertTrue(falseAccusations <= 22, "false accusations in " + falseAccusations + " of " + trials);
        assertTrue(distilledHits <= 22, "'distilled' false alarms in " + distilledHits + " of " + trials);
    }

    @Test
    void selfhashAndUnigramAreRejectedWithReasons() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AccountKeys(TestKeys.key(1),
                Scheme.parse("kgw:seeding=selfhash,context=3"), AccountCode.defaults())).getMessage().contains("selfhash"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AccountKeys(TestKeys.key(1),
                Scheme.parse("unigram"), AccountCode.defaults())).getMessage().contains("not unigram"));
        assertFalse(AccountCode.defaults().capacity() < 24_000);
    }
}
