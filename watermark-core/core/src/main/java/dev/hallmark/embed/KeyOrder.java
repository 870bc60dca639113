package dev.hallmark.embed;

/**
 * Partial ordering of candidate keys: a key is {@code (floatBits(w) << 32) | id} for a weight
 * {@code w > 0}, so keys order like (weight, id) and are distinct. "Descending" is the order in
 * which the sampler walks its candidates (most likely first, ties by larger id first).
 *
 * <p>Quickselect with a branch-free partition (Lomuto with an unconditional swap): expected O(n)
 * instead of the O(n log n) of a sort. {@link #selectMass} is its weighted form: it isolates the
 * few keys around the point where the running sum of weights, in descending order, crosses a
 * target, without sorting the keys above it. Instances hold that result (reused, no allocation).
 */
final class KeyOrder {

    /** Regions this small are sorted instead of partitioned further. */
    static final int SMALL = 24;

    /** After {@link #selectMass}: {@code a[from..lo)} holds the keys above the region, unsorted. */
    int lo;
    /** After {@link #selectMass}: the region {@code a[lo..hi)}, sorted ascending. */
    int hi;
    /** After {@link #selectMass}: the sum of the weights of {@code a[from..lo)}, added in arbitrary order. */
    double base;

    static float weight(long key) {
        return Float.intBitsToFloat((int) (key >>> 32));
    }

    static int id(long key) {
        return (int) key;
    }

    static long key(float w, int id) {
        return ((long) Float.floatToRawIntBits(w) << 32) | id;
    }

    /**
     * Finds where the descending running sum of weights over {@code a[from..to)} first reaches
     * {@code target}, up to the rounding of the partial sums: afterwards {@code a[from..lo)} are
     * the keys larger than every key of {@code a[lo..hi)} (their weights sum to {@link #base}),
     * {@code a[lo..hi)} is sorted ascending and, if the sums are exact, contains the crossing
     * (unless the keys' total is below the target).
     */
    void selectMass(long[] a, int from, int to, double target) {
        int l = from;
        int h = to;
        double b = 0;
        while (h - l > SMALL) {
            int p = partition(a, l, h, medianOfThree(a, l, (l + h) >>> 1, h - 1));
            double up = upperSum;
            if (b + up >= target) {
                h = p; // the crossing is among the keys above the pivot
            } else if (b + up + weight(a[p]) >= target) {
                b += up;
                l = p;
                h = p + 1;
                break;
            } else {
                b += up + weight(a[p]);
                l = p + 1;
            }
        }
        java.util.Arrays.sort(a, l, h);
        lo = l;
        hi = h;
        base = b;
    }

    /** Rearranges {@code a[from..to)} so that its {@code k} largest keys come first (unsorted); k <= to - from. */
    void selectTop(long[] a, int from, int to, int k) {
        if (k >= to - from) {
            return;
        }
        int l = from;
        int h = to;
        int want = from + k; // the first index that must hold a key outside the top k
        while (h - l > SMALL) {
            int p = partition(a, l, h, medianOfThree(a, l, (l + h) >>> 1, h - 1));
            if (p == want || p + 1 == want) {
                return;
            } else if (p > want) {
                h = p;
            } else {
                l = p + 1;
            }
        }
        // small region: sort it descending-by-position (ascending sort, then reverse)
        java.util.Arrays.sort(a, l, h);
        for (int i = l, j = h - 1; i < j; i++, j--) {
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Sum of the weights of the keys above the pivot, from the last {@link #partition}. */
    private double upperSum;

    /**
     * Partitions {@code a[l..h)} around the key at {@code pivotIndex}: larger keys first, then the
     * pivot, then smaller keys. Returns the pivot's final index and leaves the larger keys' weight
     * sum in {@link #upperSum}.
     */
    private int partition(long[] a, int l, int h, int pivotIndex) {
        long pivot = a[pivotIndex];
        a[pivotIndex] = a[h - 1];
        a[h - 1] = pivot;
        int store = l;
        double sum = 0;
        for (int i = l; i < h - 1; i++) {
            long x = a[i];
            int larger = x > pivot ? 1 : 0;
            a[i] = a[store];
            a[store] = x;
            store += larger;
            sum += larger * (double) weight(x);
        }
        a[h - 1] = a[store];
        a[store] = pivot;
        upperSum = sum;
        return store;
    }

    private static int medianOfThree(long[] a, int i, int j, int k) {
        long x = a[i];
        long y = a[j];
        long z = a[k];
        if (x < y) {
            return y < z ? j : x < z ? k : i;
        }
        return x < z ? i : y < z ? k : j;
    }
}
