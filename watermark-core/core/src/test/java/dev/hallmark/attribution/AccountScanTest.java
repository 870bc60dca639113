package dev.hallmark.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.embed.KeySchedule;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Per-account radioactivity results and the lab-wide account scan of {@link AttributionAccumulator}. */
class AccountScanTest {

    private static final int VOCAB = 2_000;

    private static List<int[]> harvest(AccountKeys keys, long account, int docs, int tokens, long seed) {
        List<int[]> out = new ArrayList<>();
        WatermarkSampler s = WatermarkSampler.watermarked(keys.scheduleFor(account), SamplingConfig.defaults(), VOCAB);
        SplittableRandom r = new SplittableRandom(seed);
        for (int d = 0; d < docs; d++) {
            out.add(RandomText.generate(s, 6, tokens, 2.0, r));
        }
        return out;
    }

    /** Brute force: score each distinct tuple once with the key the account's schedule picks there. */
    private static double[] bruteForce(AccountKeys keys, long account, List<int[]> docs, PositionFilter filter) {
        KeySchedule sched = keys.scheduleFor(account);
        int h = keys.scheme().contextWidth();
        TupleSet seen = new TupleSet(64, false);
        long[] id = new long[2];
        long[] scratch = new long[2];
        double sum = 0;
        long n = 0;
        for (int[] d : docs) {
            for (int t = h; t < d.length; t++) {
                if (!filter.accept(d, t)) {
                    continue;
                }
                Tuples.of(d, t - h, h, d[t], id);
                if (seen.add(id[0], id[1])) {
                    sum += sched.keyFor(d, t).score(d, t, scratch);
                    n++;
                }
            }
        }
        return new double[] {n, sum};
    }

    @ParameterizedTest
    @ValueSource(strings = {"kgw", "gumbel:context=2", "synthid:context=2,layers=20,leaves=2"})
    void accountResultEqualsScoringWithTheAccountsOwnSchedule(String spec) {
        AccountKeys keys = new AccountKeys(TestKeys.key(9), Scheme.parse(spec), AccountCode.defaults());
        List<int[]> docs = new ArrayList<>(harvest(keys, 321, 6, 200, 1));
        SplittableRandom r = new SplittableRandom(3);
        double[] cdf = RandomText.zipfCdf(VOCAB, 1.1);
        for (int d = 0; d < 4; d++) {
            docs.add(RandomText.withRepeatedSpans(RandomText.zipf(300, VOCAB, r, cdf), r));
        }
        // a key-independent filter: only even previous tokens
        PositionFilter even = (ids, t) -> ids[t - 1] % 2 == 0;
        AttributionAccumulator acc = new AttributionAccumulator(keys, even);
        docs.forEach(acc::accept);
        NullModel nm = keys.group(0, 0).nullModel();
        for (long a : new long[] {321, 0, 29_790}) {
            double[] bf = bruteForce(keys, a, docs, even);
            DetectionResult res = acc.accountResult(a, 1e-3);
            assertEquals((long) bf[0], res.tokensScored(), spec);
            assertEquals(bf[1], res.scoreSum(), 1e-9 * Math.max(1, bf[1]), spec);
            double expected = nm.log10PValue((long) bf[0], bf[1]); // sums differ only in summation order
            assertEquals(expected, res.log10P(), 1e-9 * Math.max(1, Math.abs(expected)), spec);
            assertEquals(AttributionAccumulator.accountKeyId(keys.masterId(), a), res.keyId());
            assertEquals(keys.scheme().toString(), res.scheme());
        }
        // the harvester is detected with its own schedule; the two others are not
        assertTrue(acc.accountResult(321, 1e-3).watermarked(), spec);
        assertFalse(acc.accountResult(0, 1e-6).watermarked(), spec);
        assertFalse(acc.accountResult(29_790, 1e-6).watermarked(), spec);
    }

    @Test
    void codewordMatchesSymbolByPosition() {
        for (AccountCode c : List.of(AccountCode.defaults(), new AccountCode(13, 9, 2), new AccountCode(7, 7, 0),
                new AccountCode(5, 5, 4), new AccountCode(65_521, 40, 2), new AccountCode(65_521, 30, 1))) {
            int[] w = new int[c.length()];
            for (long a = 0; a < c.capacity(); a += 1 + c.capacity() / 500) {
                c.codeword(a, w);
                for (int i = 0; i < c.length(); i++) {
                    assertEquals(c.symbol(a, i), w[i], c + " account " + a + " position " + i);
                }
            }
        }
    }

    @Test
    void scanFindsASingleHarvesterAndCorrectsForTheNumberOfAccounts() {
        AccountKeys keys = new AccountKeys(TestKeys.key(10), Scheme.parse("kgw"), AccountCode.defaults());
        AttributionAccumulator acc = new AttributionAccumulator(keys);
        harvest(keys, 17_001, 10, 300, 4).forEach(acc::accept);
        AttributionAccumulator.AccountScan scan = acc.scanAccounts(24_000, 1e-3);
        assertEquals(17_001, scan.bestAccount());
        assertEquals(acc.accountResult(17_001, 1e-3).log10P(), scan.bestLog10P(), 1e-12);
        assertEquals(scan.bestLog10P() + Math.log10(24_000), scan.log10P(), 1e-9);
        assertTrue(scan.radioactive());
        assertEquals(24_000, scan.accounts());
    }

    /**
     * Null side: on unwatermarked Zipf corpora with repeated spans and fresh master keys, the scan over
     * all 1,331 accounts rejects at alpha = 0.05 in at most 22 of 200 trials (the 99.9% upper binomial bound
     * for a rate of 0.05; Bonferroni makes the true rate lower still), and the uncorrected best-account
     * p-value is far from valid (it is a minimum over 1,331), which is why the correction is applied.
     */
    @Test
    void scanFalsePositiveRateIsControlledOnUnwatermarkedCorpora() {
        int trials = 200;
        int corrected = 0;
        int uncorrected = 0;
        SplittableRandom r = new SplittableRandom(77);
        double[] cdf = RandomText.zipfCdf(VOCAB, 1.1);
        AccountCode code = new AccountCode(11, 8, 2); // 1,331 accounts, 88 group keys: cheap to derive 200 times
        for (int t = 0; t < trials; t++) {
            byte[] secret = new byte[32];
            r.nextBytes(secret);
            AccountKeys keys = new AccountKeys(WatermarkKey.fromSecret(secret), Scheme.parse("kgw"), code);
            AttributionAccumulator acc = new AttributionAccumulator(keys);
            for (int d = 0; d < 4; d++) {
                acc.accept(RandomText.withRepeatedSpans(RandomText.zipf(150, VOCAB, r, cdf), r));
            }
            AttributionAccumulator.AccountScan scan = acc.scanAccounts(code.capacity(), 0.05);
            corrected += scan.radioactive() ? 1 : 0;
            uncorrected += scan.bestLog10P() <= Math.log10(0.05) ? 1 : 0;
        }
        assertTrue(corrected <= 22, "scan false positives: " + corrected + " of " + trials);
        assertTrue(uncorrected > 100, "the uncorrected minimum over 1,331 accounts should reject most of the time: "
                + uncorrected + " of " + trials);
    }
}
