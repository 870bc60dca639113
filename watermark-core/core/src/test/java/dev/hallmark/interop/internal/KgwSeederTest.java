package dev.hallmark.interop.internal;
import dev.hallmark.interop.KgwPrf;

import dev.hallmark.interop.KgwSeeding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The PRFs against a model that follows the reference source line by line, with Python integers as
 * {@link BigInteger} (exact, floor modulo) and int64 tensor arithmetic as explicitly wrapped
 * BigIntegers, so that no Java {@code long} shortcut of the production code is reused.
 */
class KgwSeederTest {

    private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger MERSENNE = TWO64.subtract(BigInteger.ONE);
    private static final BigInteger TABLE_SIZE = BigInteger.valueOf(1_000_003);

    /** int64 tensor arithmetic: wrap to [-2^63, 2^63). */
    private static BigInteger wrap(BigInteger v) {
        BigInteger m = v.mod(TWO64);
        return m.testBit(63) ? m.subtract(TWO64) : m;
    }

    private static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }

    /** {@code fixed_table[x % table_size] + 1} on an int64 tensor element. */
    private static BigInteger hashint(int[] table, BigInteger x) {
        return big(table[x.mod(TABLE_SIZE).intValueExact()] + 1L);
    }

    /** The reference PRF value (before {@code % (2**64 - 1)}). */
    static BigInteger model(KgwPrf prf, int[] c, long keyLong, int[] table) {
        BigInteger k = big(keyLong);
        int w = c.length;
        switch (prf) {
            case ADDITIVE: { // salt_key * input_ids.sum().item()
                BigInteger sum = BigInteger.ZERO;
                for (int x : c) {
                    sum = wrap(sum.add(big(x)));
                }
                return k.multiply(sum);
            }
            case MULTIPLICATIVE: { // salt_key * input_ids.prod().item()
                BigInteger prod = BigInteger.ONE;
                for (int x : c) {
                    prod = wrap(prod.multiply(big(x)));
                }
                return k.multiply(prod);
            }
            case MINFUNC: { // salt_key * input_ids.min().item()
                int min = Integer.MAX_VALUE;
                for (int x : c) {
                    min = Math.min(min, x);
                }
                return k.multiply(big(min));
            }
            case SIMPLE_SKIP: { // hashint(salt_key * input_ids[::2]).prod().item()
                BigInteger prod = BigInteger.ONE;
                for (int i = 0; i < w; i += 2) {
                    prod = wrap(prod.multiply(hashint(table, wrap(k.multiply(big(c[i]))))));
                }
                return prod;
            }
            case SKIPGRAM: // hashint(salt_key * input_ids[0]).item()
                return hashint(table, wrap(k.multiply(big(c[0]))));
            case ANCHORED_SKIPGRAM: // (hashint(salt_key * input_ids[0]) * hashint(salt_key * input_ids[-1])).item()
                return wrap(hashint(table, wrap(k.multiply(big(c[0]))))
                        .multiply(hashint(table, wrap(k.multiply(big(c[w - 1]))))));
            case MINHASH: { // hashint(salt_key * input_ids).min().item()
                BigInteger min = null;
                for (int x : c) {
                    BigInteger v = hashint(table, wrap(k.multiply(big(x))));
                    min = min == null ? v : min.min(v);
                }
                return min;
            }
            case ANCHORED_MINHASH:
            case HF_SELFHASH: { // (salt_key * hashint(input_ids) * hashint(input_ids[-1])).min().item()
                BigInteger anchor = hashint(table, big(c[w - 1]));
                BigInteger min = null;
                for (int x : c) {
                    BigInteger v = wrap(wrap(k.multiply(hashint(table, big(x)))).multiply(anchor));
                    min = min == null ? v : min.min(v);
                }
                return min;
            }
            case MINSKIPGRAM: { // min over combinations(hashint(salt_key * input_ids), 2) of products
                BigInteger min = null;
                for (int i = 0; i < w; i++) {
                    for (int j = i + 1; j < w; j++) {
                        BigInteger v = wrap(hashint(table, wrap(k.multiply(big(c[i]))))
                                .multiply(hashint(table, wrap(k.multiply(big(c[j]))))));
                        min = min == null ? v : min.min(v);
                    }
                }
                return min;
            }
            case NONCOMM: { // key *= hashint(key * entry); key %= 2**32
                BigInteger acc = k;
                for (int x : c) {
                    acc = wrap(acc.multiply(hashint(table, wrap(acc.multiply(big(x))))));
                    acc = acc.mod(BigInteger.ONE.shiftLeft(32));
                }
                return acc;
            }
            case POSITION: { // (salt_key * input_ids * arange(1, n + 1)).sum().item()
                BigInteger sum = BigInteger.ZERO;
                for (int i = 0; i < w; i++) {
                    sum = wrap(sum.add(wrap(wrap(k.multiply(big(c[i]))).multiply(big(i + 1)))));
                }
                return sum;
            }
            case HF_LEFTHASH: // self.hash_key * input_seq[-1].item()
                return k.multiply(big(c[w - 1]));
            default:
                throw new AssertionError(prf);
        }
    }

    @Test
    void everyPrfMatchesTheModelIncludingOverflowingKeys() {
        SplittableRandom r = new SplittableRandom(41);
        for (KgwPrf prf : KgwPrf.values()) {
            for (int trial = 0; trial < 300; trial++) {
                int width = r.nextInt(prf == KgwPrf.MINSKIPGRAM ? 2 : 1, 7);
                long key = switch (trial % 4) {
                    case 0 -> KgwSeeding.DEFAULT_HASH_KEY;
                    case 1 -> Long.MAX_VALUE - r.nextInt(1000);
                    case 2 -> r.nextLong(0, 1L << 40);
                    default -> r.nextLong(0, Long.MAX_VALUE);
                };
                if (prf == KgwPrf.HF_SELFHASH) {
                    // Each hashing key has its own 4 MB table: exercise a few.
                    key = new long[] {KgwSeeding.DEFAULT_HASH_KEY, 42L, Long.MAX_VALUE - 5}[trial % 3];
                }
                boolean salt = prf == KgwPrf.HF_SELFHASH || (prf != KgwPrf.HF_LEFTHASH && r.nextBoolean());
                KgwSeeding seeding = new KgwSeeding(prf, width, salt, key);
                int[] c = new int[width];
                for (int i = 0; i < width; i++) {
                    c[i] = trial % 7 == 0 ? r.nextInt(0, 4) : r.nextInt(0, 260_000);
                }
                int[] table = prf == KgwPrf.HF_SELFHASH ? KgwSeeder.transformersTable(key) : KgwSeeder.lmwTable();
                BigInteger expected = model(prf, c, key, table).mod(MERSENNE);
                long got = new KgwSeeder(seeding).seed(c, 0);
                assertEquals(expected, new BigInteger(Long.toUnsignedString(got)), seeding + " on " + java.util.Arrays.toString(c));
            }
        }
    }

    @Test
    void transformersLefthashSeedsLikeLefthashFromTheLastToken() {
        KgwSeeder lm = new KgwSeeder(KgwSeeding.lefthash());
        KgwSeeder hf = new KgwSeeder(KgwSeeding.transformersLefthash(3, KgwSeeding.DEFAULT_HASH_KEY));
        int[] c = {5, 900, 77};
        assertEquals(lm.seed(c, 2), hf.seed(c, 0));
    }
}
