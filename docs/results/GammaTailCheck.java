import dev.hallmark.stats.Tails;
import java.util.SplittableRandom;

/**
 * Monte Carlo check of the Gumbel null used in docs/model.md: the rate at which the exact Gamma
 * tail (Tails.log10GammaUpper) of a sum of n iid Exp(1) scores falls at or below 1e-3, 1e-2, 0.1.
 * Run from the repository root after building the CLI:
 *   java -cp corpus-tools/target/hallmark.jar docs/results/GammaTailCheck.java 400000
 */
public class GammaTailCheck {
    public static void main(String[] args) {
        int trials = Integer.parseInt(args[0]);
        for (int n : new int[] {50, 190, 1500}) {
            SplittableRandom r = new SplittableRandom(n * 31L + 7);
            long c3 = 0;
            long c2 = 0;
            long c1 = 0;
            for (int i = 0; i < trials; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += -Math.log1p(-r.nextDouble());
                }
                double l = Tails.log10GammaUpper(s, n);
                c3 += l <= -3 ? 1 : 0;
                c2 += l <= -2 ? 1 : 0;
                c1 += l <= -1 ? 1 : 0;
            }
            System.out.printf("n=%d trials=%d  1e-3: %d (expected %.1f)  1e-2: %d (%.1f)  0.1: %d (%.1f)%n", n, trials, c3,
                    trials * 1e-3, c2, trials * 1e-2, c1, trials * 0.1);
        }
    }
}
