package dev.hallmark.attribution;

import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import dev.hallmark.stats.MultipleTesting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Account attribution over a suspect corpus (black-box outputs of a suspect model).
 *
 * <p>Each distinct (context, token) tuple of the corpus is scored once against the q group keys
 * of its code position. Per group g the scores sum to S_g over the n_i tuples of its position,
 * with an exact p-value from the scheme's null model. A group is <em>positive</em> if its p-value
 * is at most alpha / L (Bonferroni over all L = q * length groups); an account is accused if at
 * least {@code degree * d + 1} of its {@code length} groups are positive, where d is the stated
 * coalition bound.
 *
 * <p>Error control: take any innocent account a and any coalition of at most d harvesters. By the
 * code's distance (see {@link AccountCode}), at most degree * d of a's groups are shared with the
 * coalition; the others carry no watermark signal in the suspect corpus, so their p-values are
 * valid. Accusing a therefore needs at least one signal-free group to be positive, and the chance
 * that ANY signal-free group is positive is at most alpha (Bonferroni). So the probability of any
 * false accusation, over all accounts at once, is at most alpha.
 *
 * <p>Cost: q + 1 PRF calls per distinct tuple (31 + 1 by default), against one per account and
 * tuple for testing every account's key separately (24,000 for 24,000 accounts); deciding for all
 * accounts then takes {@code accounts * length} table look-ups. Mergeable ({@link #combine}).
 * Memory: q doubles per distinct tuple.
 */
public final class AttributionAccumulator {

    private final AccountKeys keys;
    private final PositionFilter filter;
    private final int q;
    private final TupleSet tuples = new TupleSet(1 << 12, true);
    private final long[] id = new long[2];
    private final long[] scratch = new long[2];
    private int[] positions = new int[1 << 12];
    private double[] scores;
    private int count;
    private final long[] positionTuples;
    private final double[] groupSums;
    private long tokensSeen;
    private long skippedContext;
    private long skippedRepeated;
    private long skippedFiltered;

    public AttributionAccumulator(AccountKeys keys) {
        this(keys, PositionFilter.ALL);
    }

    public AttributionAccumulator(AccountKeys keys, PositionFilter filter) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.q = keys.code().q();
        this.scores = new double[positions.length * q];
        this.positionTuples = new long[keys.code().length()];
        this.groupSums = new double[keys.code().groups()];
    }

    public void accept(int[] ids) {
        accept(ids, PositionFilter.ALL);
    }

    /** Adds one suspect document, with an extra per-document filter (e.g. its prompt's contexts). */
    public void accept(int[] ids, PositionFilter documentFilter) {
        int h = keys.scheme().contextWidth();
        tokensSeen += ids.length;
        skippedContext += Math.min(h, ids.length);
        for (int t = h; t < ids.length; t++) {
            if (!filter.accept(ids, t) || !documentFilter.accept(ids, t)) {
                skippedFiltered++;
                continue;
            }
            Tuples.of(ids, t - h, h, ids[t], id);
            if (tuples.contains(id[0], id[1])) {
                skippedRepeated++;
                continue;
            }
            ensure(count + 1);
            int pos = keys.position(ids, t);
            positions[count] = pos;
            int base = count * q;
            for (int s = 0; s < q; s++) {
                double v = keys.group(pos, s).score(ids, t, scratch);
                scores[base + s] = v;
                groupSums[keys.code().group(pos, s)] += v;
            }
            positionTuples[pos]++;
            tuples.addWithValue(id[0], id[1], count);
            count++;
        }
    }

    private void ensure(int n) {
        if (n > positions.length) {
            int cap = Math.max(n, positions.length * 2);
            positions = Arrays.copyOf(positions, cap);
            scores = Arrays.copyOf(scores, cap * q);
        }
    }

    /** Merges {@code other} (same keys) into this accumulator and returns this. */
    public AttributionAccumulator combine(AttributionAccumulator other) {
        if (other.keys != keys && (!other.keys.masterId().equals(keys.masterId())
                || !other.keys.scheme().equals(keys.scheme()) || !other.keys.code().equals(keys.code()))) {
            throw new IllegalArgumentException("cannot combine attribution over different keys, schemes or codes");
        }
        tokensSeen += other.tokensSeen;
        skippedContext += other.skippedContext;
        skippedRepeated += other.skippedRepeated;
        skippedFiltered += other.skippedFiltered;
        other.tuples.forEach((hi, lo, v) -> {
            int j = (int) v;
            if (!tuples.contains(hi, lo)) {
                ensure(count + 1);
                int pos = other.positions[j];
                positions[count] = pos;
                System.arraycopy(other.scores, j * q, scores, count * q, q);
                for (int s = 0; s < q; s++) {
                    groupSums[keys.code().group(pos, s)] += other.scores[j * q + s];
                }
                positionTuples[pos]++;
                tuples.addWithValue(hi, lo, count);
                count++;
            } else {
                skippedRepeated++;
            }
        });
        return this;
    }

    public long tuplesScored() {
        return count;
    }

    /**
     * Decides for accounts {@code 0 .. accounts-1}.
     *
     * @param alpha family-wise error rate for false accusations
     * @param coalition the coalition bound d the guarantee is stated for
     * @param accounts how many accounts exist (at most the code's capacity)
     */
    public AttributionResult result(double alpha, int coalition, long accounts) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        AccountCode code = keys.code();
        if (accounts < 1 || accounts > code.capacity()) {
            throw new IllegalArgumentException("accounts must be in [1, " + code.capacity() + "], got " + accounts);
        }
        int threshold = code.threshold(coalition);
        int groups = code.groups();
        NullModel nm = keys.group(0, 0).nullModel();
        double[] lp = new double[groups];
        double min = 0;
        for (int i = 0; i < code.length(); i++) {
            for (int s = 0; s < q; s++) {
                int g = code.group(i, s);
                lp[g] = nm.log10PValue(positionTuples[i], groupSums[g]);
                min = Math.min(min, lp[g]);
            }
        }
        double cut = Math.log10(alpha) - Math.log10(groups);
        double distilled = MultipleTesting.bonferroniLog10(min, groups);
        List<AttributionResult.Accusation> accused = new ArrayList<>();
        double[] mine = new double[code.length()];
        int[] word = new int[code.length()];
        for (long a = 0; a < accounts; a++) {
            code.codeword(a, word);
            int positive = 0;
            for (int i = 0; i < code.length(); i++) {
                mine[i] = lp[code.group(i, word[i])];
                if (mine[i] <= cut) {
                    positive++;
                }
            }
            if (positive >= threshold) {
                Arrays.sort(mine);
                accused.add(new AttributionResult.Accusation(a, positive,
                        MultipleTesting.bonferroniLog10(mine[threshold - 1], groups)));
            }
        }
        accused.sort((x, y) -> Double.compare(x.log10P(), y.log10P()));
        return new AttributionResult(keys.scheme().toString(), keys.masterId(), code, tokensSeen, count,
                skippedRepeated, skippedFiltered, positionTuples.clone(), lp, alpha, coalition, threshold, accounts,
                distilled, List.copyOf(accused));
    }

    /**
     * The radioactivity test of one account: the corpus-level test with that account's own key
     * schedule ({@link AccountKeys#scheduleFor}), i.e. every distinct tuple scored once with the
     * group key the account would have used at the tuple's position. The score sum is
     * S_a = sum over positions i of the sum of group (i, f_a(i)), over all n distinct tuples, so the
     * result equals a {@code CorpusAccumulator} run with the account's schedule (same filters, same
     * de-duplication) at no extra PRF cost. Under the null (corpus independent of the master key)
     * the n scores are independent draws of the scheme's per-tuple null, so the p-value is exact.
     *
     * <p>This p-value is for one account fixed in advance. Testing many accounts needs a
     * correction: {@link #scanAccounts}.
     *
     * <p>What a rejection means: the corpus carries the lab's watermark (the global null "independent
     * of the master key" is rejected), NOT that this account harvested. Accounts share groups (two
     * share at most {@code degree} of their {@code length} groups), so an innocent account that
     * shares groups with the harvesters can reject strongly (docs/experiments/distillation.md, section
     * 5, measures it). Accusations come only from {@link #result}.
     *
     * @param account the account whose schedule is tested
     * @param alpha false-positive rate of the verdict
     */
    public DetectionResult accountResult(long account, double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        AccountCode code = keys.code();
        int[] word = new int[code.length()];
        code.codeword(account, word);
        double sum = 0;
        for (int i = 0; i < code.length(); i++) {
            sum += groupSums[code.group(i, word[i])];
        }
        NullModel nm = keys.group(0, 0).nullModel();
        double lp = nm.log10PValue(count, sum);
        return new DetectionResult(keys.scheme().toString(), accountKeyId(keys.masterId(), account), tokensSeen, count,
                skippedContext, skippedRepeated, skippedFiltered, sum, nm.statistic(count, sum), nm.zScore(count, sum),
                lp, alpha, lp <= Math.log10(alpha), null);
    }

    /**
     * Lab-wide radioactivity test for a coded deployment ("does the corpus carry ANY account's
     * watermark?"): the {@link #accountResult per-account test} of every account 0 .. accounts-1,
     * the most significant one reported with its p-value Bonferroni-corrected over the accounts.
     * Valid under the global null (corpus independent of the master key) only: the best account may
     * be an innocent one sharing groups with the harvesters, so it is never an accusation (use
     * {@link #result}). Every account's test
     * scores the same n tuples, so the smallest p-value belongs to the largest score sum and only
     * one exact tail is evaluated; cost: {@code accounts * length} table look-ups.
     *
     * <p>Power: when one account harvested, its test has the full strength of a single-key test,
     * minus log10(accounts) for the correction (4.4 for 24,000 accounts). When k accounts harvested
     * and their outputs are mixed, each account's signal is diluted roughly by 1/k (their group keys
     * differ at most positions), so the z-score falls roughly as 1/k.
     */
    public AccountScan scanAccounts(long accounts, double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        AccountCode code = keys.code();
        if (accounts < 1 || accounts > code.capacity()) {
            throw new IllegalArgumentException("accounts must be in [1, " + code.capacity() + "], got " + accounts);
        }
        long best = 0;
        double bestSum = Double.NEGATIVE_INFINITY;
        int[] word = new int[code.length()];
        for (long a = 0; a < accounts; a++) {
            code.codeword(a, word);
            double sum = 0;
            for (int i = 0; i < code.length(); i++) {
                sum += groupSums[code.group(i, word[i])];
            }
            if (sum > bestSum) {
                bestSum = sum;
                best = a;
            }
        }
        DetectionResult r = accountResult(best, alpha);
        double corrected = MultipleTesting.bonferroniLog10(r.log10P(), accounts);
        return new AccountScan(accounts, best, r.log10P(), corrected, alpha, corrected <= Math.log10(alpha), r);
    }

    /** The key id reported for an account's schedule: {@code <master id>/account/<a>}. */
    public static String accountKeyId(String masterId, long account) {
        return masterId + "/account/" + account;
    }

    /**
     * Outcome of {@link #scanAccounts}.
     *
     * @param accounts accounts scanned (0 .. accounts-1)
     * @param bestAccount the account with the largest score sum
     * @param bestLog10P its uncorrected log10 p-value
     * @param log10P the scan's log10 p-value: bestLog10P Bonferroni-corrected over {@code accounts}
     * @param alpha false-positive rate of the verdict
     * @param radioactive {@code log10P <= log10(alpha)}
     * @param best the best account's full result (uncorrected)
     */
    public record AccountScan(long accounts, long bestAccount, double bestLog10P, double log10P, double alpha,
            boolean radioactive, DetectionResult best) {}

    /** The group keys' scheme bound to the master (for reports). */
    public KeyedScheme representative() {
        return keys.group(0, 0);
    }
}
