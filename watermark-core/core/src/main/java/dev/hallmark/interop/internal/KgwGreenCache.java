package dev.hallmark.interop.internal;

import dev.hallmark.interop.internal.KgwReference;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Memoised green-list membership for one {@link KgwReference}, shared by all threads.
 *
 * <p>A green decision is a function of the generator seed's low 32 bits (all that
 * {@code manual_seed} keeps) and the target id; computing it costs up to {@code int(V * gamma)}
 * MT19937 outputs (about 38,000 at V = 151,669). Natural text repeats seeds heavily (a lefthash
 * seed is the previous token, and token frequencies are Zipfian), so two bounded caches sit in front
 * of the computation:
 * <ol>
 *   <li><b>decisions</b>: a direct-mapped table of (seed, target) → green, one {@code long} per entry
 *       (seed in the high 32 bits, the decision in bit 31, the target in bits 0..30). Serves
 *       repeated n-grams and, for self-salted schemes, repeated (anchor, token) pairs.</li>
 *   <li><b>green lists</b> (schemes that are not self-salted, where one seed serves every candidate
 *       token): a direct-mapped table of whole green lists as bitsets of V bits, within a byte
 *       budget. A list is built (the first {@code int(V * gamma)} randperm steps with their swaps,
 *       about ten membership walks) only after {@link #BUILD_AFTER_WALKS} walks of its seed missed
 *       (counted in a small direct-mapped table), so uniformly random text, whose seeds rarely
 *       repeat, pays nothing for it.</li>
 * </ol>
 * A miss everywhere walks the permutation for the one target ({@link TorchRandperm#inPrefix}).
 *
 * <p>Thread-safety: entries are single atomic words or immutable objects published through
 * atomic arrays; a racing writer can only replace an entry by another correct one. Per-thread
 * workspaces (generator, randperm buffer) live in a {@link ThreadLocal}. Counters of hits are per
 * thread ({@link #threadStats()}).
 */
public final class KgwGreenCache {

    /** Default byte budget for the green-list bitsets (system property {@code hallmark.interop.kgwCacheMiB}). */
    static final long DEFAULT_LIST_BYTES = 64L << 20;
    private static final int DECISION_BITS = 20;
    private static final int SEEN_BITS = 14;
    /**
     * Walks of one seed before its whole list is built. A build (the prefix of the permutation with
     * its swaps, memory-bound) costs about ten walks, so building after eight misses keeps the total
     * within about twice the better of "always walk" and "always build" (the ski-rental bound).
     */
    static final int BUILD_AFTER_WALKS = 8;
    private static final long EMPTY = -1L;

    private final TorchRandperm randperm;
    private final int vocab;
    private final int greenlistSize;
    private final AtomicLongArray decisions = new AtomicLongArray(1 << DECISION_BITS);
    private final AtomicReferenceArray<GreenList> lists;
    private final AtomicLongArray seen;
    private final int listSlots;
    private final ThreadLocal<Worker> workers;

    /** An immutable green list: bit {@code x} of {@code bits} is set iff x is green after {@code seed}. */
    private record GreenList(int seed, long[] bits) {
        boolean contains(int x) {
            return (bits[x >>> 6] & (1L << x)) != 0;
        }
    }

    /** Per-thread scratch and counters. */
    static final class Worker {
        final TorchMt19937 rng = TorchMt19937.seeded(0);
        TorchRandperm.Workspace workspace;
        int[] prefix;
        long decisionHits;
        long listHits;
        long listBuilds;
        long walks;
    }

    /** Counts of how this thread's queries were answered. */
    record Stats(long decisionHits, long listHits, long listBuilds, long walks) {
        long queries() {
            return decisionHits + listHits + listBuilds + walks;
        }
    }

    /**
     * @param randperm  the green-list prefix machinery ({@code randperm(V)}, prefix {@code int(V * gamma)})
     * @param selfSalt  whether seeds depend on the candidate (then whole lists are not cached)
     * @param listBytes byte budget for whole green lists
     */
    KgwGreenCache(TorchRandperm randperm, boolean selfSalt, long listBytes) {
        this.randperm = randperm;
        this.vocab = randperm.size();
        this.greenlistSize = randperm.prefixLength();
        for (int i = 0; i < decisions.length(); i++) {
            decisions.set(i, EMPTY);
        }
        long perList = 8L * ((vocab + 63) / 64) + 64;
        int slots = selfSalt ? 0 : (int) Math.min(1 << 20, listBytes / perList);
        this.listSlots = slots;
        this.lists = slots > 0 ? new AtomicReferenceArray<>(slots) : null;
        this.seen = slots > 0 ? new AtomicLongArray(1 << SEEN_BITS) : null;
        this.workers = ThreadLocal.withInitial(Worker::new);
    }

    /** @return how many whole green lists the cache may hold (0 for self-salted schemes) */
    int listSlots() {
        return listSlots;
    }

    /** Drops every cached decision and green list (for cold-cache benchmarks, or to release memory). */
    void clear() {
        for (int i = 0; i < decisions.length(); i++) {
            decisions.set(i, EMPTY);
        }
        if (lists != null) {
            for (int i = 0; i < listSlots; i++) {
                lists.set(i, null);
            }
            for (int i = 0; i < seen.length(); i++) {
                seen.set(i, 0L);
            }
        }
    }

    Stats threadStats() {
        Worker w = workers.get();
        return new Stats(w.decisionHits, w.listHits, w.listBuilds, w.walks);
    }

    void resetThreadStats() {
        Worker w = workers.get();
        w.decisionHits = 0;
        w.listHits = 0;
        w.listBuilds = 0;
        w.walks = 0;
    }

    private static long mix(long v) {
        v *= 0x9E3779B97F4A7C15L;
        return v ^ (v >>> 29);
    }

    /**
     * Whether {@code target} (in [0, V)) is green after a generator seeded with {@code seed}.
     */
    boolean isGreen(long seed, int target) {
        final int s32 = (int) seed;
        final long key = ((long) s32 << 32) | target;
        final int di = (int) (mix(key) >>> (64 - DECISION_BITS));
        long e = decisions.getOpaque(di);
        Worker w = workers.get();
        if (e != EMPTY && (e & ~(1L << 31)) == key) {
            w.decisionHits++;
            return (e & (1L << 31)) != 0;
        }
        boolean green;
        if (lists != null) {
            green = fromLists(s32, target, w);
        } else {
            w.walks++;
            green = walk(s32, target, w);
        }
        decisions.setOpaque(di, key | (green ? 1L << 31 : 0L));
        return green;
    }

    private boolean fromLists(int s32, int target, Worker w) {
        long h = mix(s32 & 0xFFFF_FFFFL);
        int li = (int) (((h >>> 32) * listSlots) >>> 32);
        GreenList gl = lists.get(li);
        if (gl != null && gl.seed == s32) {
            w.listHits++;
            return gl.contains(target);
        }
        // Per-seed walk counter (seed in the high word, count in the low word), direct-mapped.
        int si = (int) (h & ((1 << SEEN_BITS) - 1));
        long entry = seen.getOpaque(si);
        int walks = (int) (entry >>> 32) == s32 && entry != 0 ? (int) entry : 0;
        if (walks >= BUILD_AFTER_WALKS) {
            w.listBuilds++;
            GreenList built = build(s32, w);
            lists.set(li, built);
            return built.contains(target);
        }
        seen.setOpaque(si, ((long) s32 << 32) | (walks + 1));
        w.walks++;
        return walk(s32, target, w);
    }

    private boolean walk(int s32, int target, Worker w) {
        w.rng.manualSeed(s32 & 0xFFFF_FFFFL);
        return randperm.inPrefix(w.rng, target);
    }

    private GreenList build(int s32, Worker w) {
        if (w.workspace == null) {
            w.workspace = randperm.newWorkspace();
            w.prefix = new int[greenlistSize];
        }
        w.rng.manualSeed(s32 & 0xFFFF_FFFFL);
        randperm.prefix(w.rng, w.workspace, w.prefix, 0);
        long[] bits = new long[(vocab + 63) / 64];
        for (int i = 0; i < greenlistSize; i++) {
            int x = w.prefix[i];
            bits[x >>> 6] |= 1L << x;
        }
        return new GreenList(s32, bits);
    }
}
