package dev.hallmark.prf;

import dev.hallmark.testing.TestKeys;
import java.util.Locale;

/**
 * Prints src/test/resources/prf/vectors.tsv. Run:
 * {@code mvn -q -pl watermark-core test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.hallmark.prf.PrfVectorsGenerator}. The implementation it prints from is
 * itself checked against Guava's SipHash-2-4 in {@link PrfTest}.
 */
public final class PrfVectorsGenerator {
    private PrfVectorsGenerator() {}

    public static void main(String[] args) {
        System.out.println("# Hallmark PRF test vectors: SipHash-2-4, key = subkey(\"prf/\" + purpose) of TestKeys.key(seed)");
        System.out.println("# (TestKeys.key(seed): 32 secret bytes from new SplittableRandom(seed).nextBytes),");
        System.out.println("# message = LE32(context ids...) || LE32(candidate). Columns: seed, purpose, context, candidate, hex output");
        int[][] contexts = {{}, {0}, {151668}, {1, 2}, {42, 7, 9}, {5, 6, 7, 8}, {9, 8, 7, 6, 5}, {100, 200, 300, 400, 500, 600}};
        String[] purposes = {"kgw/green/v1", "gumbel/r/v1", "synthid/g/v1"};
        for (int s = 0; s < 2; s++) {
            for (String purpose : purposes) {
                for (int[] c : contexts) {
                    int cand = 1000 + c.length;
                    long v = Prf.of(TestKeys.key(s), purpose).hash(c, 0, c.length, cand);
                    StringBuilder cs = new StringBuilder();
                    for (int i = 0; i < c.length; i++) {
                        cs.append(i == 0 ? "" : ",").append(c[i]);
                    }
                    System.out.println(String.format(Locale.ROOT, "%d\t%s\t%s\t%d\t%016x", s, purpose, cs, cand, v));
                }
            }
        }
    }
}
