package dev.hallmark.tools.distill;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.attribution.AttributionAccumulator;
import dev.hallmark.attribution.AttributionResult;
import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tests a suspect corpus (a student's outputs) the way the lab would, at several reading budgets:
 * <ul>
 *   <li>the radioactivity test of each harvesting account (its own coded key schedule; exact
 *       p-value; {@link AttributionAccumulator#accountResult}),
 *   <li>the lab-wide scan over all N accounts (Bonferroni over N;
 *       {@link AttributionAccumulator#scanAccounts}),
 *   <li>the group-level "carries some account's watermark" test and account attribution with its
 *       accusations ({@link AttributionAccumulator#result}),
 * </ul>
 * each with and without the served-data filter, always de-duplicating tuples across the whole
 * corpus and (optionally) excluding what a record's prompt contains ({@link PromptExclusion}).
 */
public final class SuspectTester {

    /** What of a record's prompt is excluded when scoring its completion. */
    public enum PromptExclusion {
        /** Positions whose h-token context occurs in the prompt ({@code ContextFilters.excludingPrompt}). */
        CONTEXTS,
        /** Positions whose (context, token) tuple occurs in the prompt: exactly the copied tuples. */
        TUPLES,
        /** Nothing (valid when prompts are independent of the key, e.g. human text). */
        NONE;

        public static PromptExclusion parse(String s) {
            return switch (s) {
                case "contexts" -> CONTEXTS;
                case "tuples" -> TUPLES;
                case "none" -> NONE;
                default -> throw new IllegalArgumentException("suspect.exclude_prompt must be contexts, tuples or none, "
                        + "got '" + s + "'");
            };
        }

        /** The per-document filter for a record with this prompt. */
        public PositionFilter filter(int[] prompt, int h) {
            return switch (this) {
                case CONTEXTS -> ContextFilters.excludingPrompt(prompt, h);
                case TUPLES -> excludingPromptTuples(prompt, h);
                case NONE -> PositionFilter.ALL;
            };
        }
    }

    /**
     * A scoring variant: a key-independent corpus-level filter, optionally restricted to tuples the
     * suspect corpus itself repeats at least {@code minRepeats} times (within the budget read).
     * Both choices look only at text, never at the key, so every kept tuple is still a fair draw
     * under the null.
     */
    public record Variant(String name, PositionFilter base, int minRepeats) {
        public Variant {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(base, "base");
        }
    }

    /**
     * A parsed filter spec: {@code off}, {@code served-all}, {@code served-top-N},
     * {@code repeated-M}, or a served spec and a repeated spec joined by {@code +}.
     *
     * @param servedTop -1 without the served-data filter, 0 for every served context, else N
     * @param minRepeats 0 without the repeat restriction, else M >= 2
     */
    public record FilterSpec(String name, int servedTop, int minRepeats) {

        public static FilterSpec parse(String spec) {
            int served = -1;
            int repeats = 0;
            String bad = "filter '" + spec + "': use off, served-all, served-top-N, repeated-M or served-...+repeated-M";
            if (spec.equals("off")) {
                return new FilterSpec(spec, -1, 0);
            }
            for (String part : spec.split("\\+", -1)) {
                try {
                    if (part.equals("served-all") && served < 0) {
                        served = 0;
                    } else if (part.startsWith("served-top-") && served < 0) {
                        served = Integer.parseInt(part.substring("served-top-".length()));
                        if (served < 1) {
                            throw new IllegalArgumentException(bad);
                        }
                    } else if (part.startsWith("repeated-") && repeats == 0) {
                        repeats = Integer.parseInt(part.substring("repeated-".length()));
                        if (repeats < 2) {
                            throw new IllegalArgumentException(bad + " (M >= 2)");
                        }
                    } else {
                        throw new IllegalArgumentException(bad);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(bad, e);
                }
            }
            return new FilterSpec(spec, served, repeats);
        }
    }

    /** Drops positions whose whole (h-token context, token) tuple occurs in {@code prompt}. */
    static PositionFilter excludingPromptTuples(int[] prompt, int h) {
        if (prompt.length <= h) {
            return PositionFilter.ALL;
        }
        TupleSet set = new TupleSet(prompt.length, false);
        long[] id = new long[2];
        for (int t = h; t < prompt.length; t++) {
            Tuples.of(prompt, t - h, h, prompt[t], id);
            set.add(id[0], id[1]);
        }
        return (ids, t) -> {
            long[] x = new long[2];
            Tuples.of(ids, t - h, h, ids[t], x);
            return !set.contains(x[0], x[1]);
        };
    }

    /**
     * The tests at one reading budget, for one filter mode.
     *
     * @param filter {@code off} or {@code served-top-N}
     * @param budget the budget (suspect tokens read)
     * @param tokensRead completion tokens actually read (whole documents; may exceed the budget by
     *     less than one document, or fall short if the corpus is smaller)
     * @param documents suspect documents read
     * @param tuplesScored distinct tuples scored
     * @param harvesters the harvesting accounts
     * @param harvesterLog10P log10 p of each harvester's own radioactivity test
     * @param harvesterStatistic its statistic (green fraction for KGW, mean score for Gumbel)
     * @param harvesterZ its z-score
     * @param scanBestAccount the account with the largest score in the lab-wide scan
     * @param scanLog10P the scan's log10 p (Bonferroni over N accounts)
     * @param distilledLog10P log10 p of "some group key fires" (Bonferroni over groups)
     * @param accused accused accounts
     * @param found harvesters accused
     * @param falseAccused accused accounts that did not harvest
     * @param innocentMaxPositive the largest number of positive groups of any non-harvesting
     *     account (accusation needs {@code threshold})
     * @param threshold positive groups needed to accuse
     * @param exposedInnocent the non-harvesting account sharing the most groups with the harvesters
     *     (fixed by the code and the harvesters alone, before any text is read; -1 if none)
     * @param exposedShared how many of its groups it shares with the harvesters
     * @param exposedLog10P log10 p of ITS OWN account test: valid only against the global null
     *     (the corpus carries none of the lab's watermark); small when the harvesters' signal leaks
     *     into the shared groups, so it is never evidence that this account harvested
     */
    public record Measurement(String filter, long budget, long tokensRead, long documents, long tuplesScored,
            long[] harvesters, double[] harvesterLog10P, double[] harvesterStatistic, double[] harvesterZ,
            long scanBestAccount, double scanLog10P, double distilledLog10P, long[] accused, int found,
            int falseAccused, int innocentMaxPositive, int threshold, long exposedInnocent, int exposedShared,
            double exposedLog10P) {

        /** The smallest harvester log10 p. */
        public double bestHarvesterLog10P() {
            return Arrays.stream(harvesterLog10P).min().orElse(0);
        }
    }

    private final AccountKeys keys;
    private final List<Variant> variants;
    private final PromptExclusion excludePrompt;
    private final long[] harvesters;
    private final long accounts;
    private final double alpha;
    private final int coalition;
    private final long exposedInnocent;
    private final int exposedShared;

    /**
     * @param filters filter mode name to key-independent position filter (e.g. {@code off} to
     *     {@link PositionFilter#ALL})
     */
    public SuspectTester(AccountKeys keys, Map<String, PositionFilter> filters, PromptExclusion excludePrompt,
            long[] harvesters, long accounts, double alpha, int coalition) {
        this(keys, filters.entrySet().stream().map(e -> new Variant(e.getKey(), e.getValue(), 0)).toList(),
                excludePrompt, harvesters, accounts, alpha, coalition);
    }

    /** With scoring variants, some of them restricted to tuples the suspect repeats. */
    public SuspectTester(AccountKeys keys, List<Variant> variants, PromptExclusion excludePrompt,
            long[] harvesters, long accounts, double alpha, int coalition) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.variants = List.copyOf(variants);
        this.excludePrompt = excludePrompt;
        this.harvesters = harvesters.clone();
        this.accounts = accounts;
        this.alpha = alpha;
        this.coalition = coalition;
        keys.code().threshold(coalition);
        long[] exposed = mostExposedInnocent(keys.code(), this.harvesters, accounts);
        this.exposedInnocent = exposed[0];
        this.exposedShared = (int) exposed[1];
    }

    /**
     * The non-harvesting account (among 0 .. accounts-1) whose codeword shares the most groups
     * (position, symbol) with the union of the harvesters' codewords; ties go to the smallest id.
     * Depends only on the code and the harvesters, never on the suspect text.
     *
     * @return {account, shared groups}, or {-1, 0} if every account harvested
     */
    static long[] mostExposedInnocent(AccountCode code, long[] harvesters, long accounts) {
        boolean[] covered = new boolean[code.groups()];
        int[] word = new int[code.length()];
        for (long h : harvesters) {
            code.codeword(h, word);
            for (int i = 0; i < code.length(); i++) {
                covered[code.group(i, word[i])] = true;
            }
        }
        long best = -1;
        int bestShared = -1;
        for (long a = 0; a < accounts; a++) {
            boolean harvester = false;
            for (long h : harvesters) {
                harvester |= h == a;
            }
            if (harvester) {
                continue;
            }
            code.codeword(a, word);
            int shared = 0;
            for (int i = 0; i < code.length(); i++) {
                shared += covered[code.group(i, word[i])] ? 1 : 0;
            }
            if (shared > bestShared) {
                bestShared = shared;
                best = a;
            }
        }
        return new long[] {best, Math.max(0, bestShared)};
    }

    /**
     * The served-data filter over the lab's served completions (the watermarked corpora), over the
     * scheme's context window ({@link ContextFilters.Window#of}).
     */
    public static PositionFilter servedFilter(List<int[]> served, ContextFilters.Window window, int top) {
        return ContextFilters.servedContexts(served, window, top);
    }

    /** Runs every test at every budget (ascending), reading {@code docs} in order. */
    public List<Measurement> run(List<Pipeline.SuspectDoc> docs, List<Long> budgets) {
        int h = keys.scheme().contextWidth();
        // where each budget is reached (whole documents): the prefix [0, ends[b]) and its token count
        int[] ends = new int[budgets.size()];
        long[] reads = new long[budgets.size()];
        long read = 0;
        int next = 0;
        for (int i = 0; i < docs.size() && next < budgets.size(); i++) {
            read += docs.get(i).completion().length;
            while (next < budgets.size() && read >= budgets.get(next)) {
                ends[next] = i + 1;
                reads[next] = read;
                next++;
            }
        }
        for (; next < budgets.size(); next++) {
            ends[next] = docs.size();
            reads[next] = read;
        }
        Measurement[][] res = new Measurement[budgets.size()][variants.size()];
        // variants without the repeat restriction: one pass, measured at every budget
        Map<Integer, AttributionAccumulator> accs = new LinkedHashMap<>();
        for (int v = 0; v < variants.size(); v++) {
            if (variants.get(v).minRepeats() < 2) {
                accs.put(v, new AttributionAccumulator(keys, variants.get(v).base()));
            }
        }
        if (!accs.isEmpty()) {
            int b = 0;
            for (int i = 0; i < docs.size() && b < budgets.size(); i++) {
                Pipeline.SuspectDoc d = docs.get(i);
                PositionFilter doc = excludePrompt.filter(d.prompt(), h);
                for (AttributionAccumulator a : accs.values()) {
                    a.accept(d.completion(), doc);
                }
                for (; b < budgets.size() && ends[b] == i + 1; b++) {
                    for (Map.Entry<Integer, AttributionAccumulator> e : accs.entrySet()) {
                        res[b][e.getKey()] = measure(variants.get(e.getKey()).name(), e.getValue(), budgets.get(b),
                                reads[b], ends[b]);
                    }
                }
            }
            for (; b < budgets.size(); b++) {
                for (Map.Entry<Integer, AttributionAccumulator> e : accs.entrySet()) {
                    res[b][e.getKey()] = measure(variants.get(e.getKey()).name(), e.getValue(), budgets.get(b),
                            reads[b], ends[b]);
                }
            }
        }
        // repeat-restricted variants: which tuples repeat depends on the prefix read, so one pass per budget
        for (int v = 0; v < variants.size(); v++) {
            Variant var = variants.get(v);
            if (var.minRepeats() < 2) {
                continue;
            }
            for (int b = 0; b < budgets.size(); b++) {
                List<Pipeline.SuspectDoc> prefix = docs.subList(0, ends[b]);
                PositionFilter repeated = repeatedTuples(prefix, var.minRepeats(), h, var.base(), excludePrompt);
                AttributionAccumulator a = new AttributionAccumulator(keys,
                        ContextFilters.and(var.base(), repeated));
                for (Pipeline.SuspectDoc d : prefix) {
                    a.accept(d.completion(), excludePrompt.filter(d.prompt(), h));
                }
                res[b][v] = measure(var.name(), a, budgets.get(b), reads[b], ends[b]);
            }
        }
        List<Measurement> out = new ArrayList<>();
        for (Measurement[] row : res) {
            out.addAll(Arrays.asList(row));
        }
        return out;
    }

    /**
     * Positions whose tuple occurs at least {@code min} times among the scoreable positions
     * (passing {@code base} and the prompt exclusion) of {@code docs}. Counts text only.
     */
    static PositionFilter repeatedTuples(List<Pipeline.SuspectDoc> docs, int min, int h, PositionFilter base,
            PromptExclusion excludePrompt) {
        TupleSet[] atLeast = new TupleSet[min];
        for (int k = 0; k < min; k++) {
            atLeast[k] = new TupleSet(1 << 12, false);
        }
        long[] id = new long[2];
        for (Pipeline.SuspectDoc d : docs) {
            PositionFilter doc = excludePrompt.filter(d.prompt(), h);
            int[] c = d.completion();
            for (int t = h; t < c.length; t++) {
                if (!base.accept(c, t) || !doc.accept(c, t)) {
                    continue;
                }
                Tuples.of(c, t - h, h, c[t], id);
                // atLeast[k] holds the tuples seen at least k + 1 times
                for (int k = 0; k < min; k++) {
                    if (atLeast[k].add(id[0], id[1])) {
                        break;
                    }
                }
            }
        }
        TupleSet keep = atLeast[min - 1];
        return (ids, t) -> {
            long[] x = new long[2];
            Tuples.of(ids, t - h, h, ids[t], x);
            return keep.contains(x[0], x[1]);
        };
    }

    private Measurement measure(String filter, AttributionAccumulator acc, long budget, long read, long n) {
        double[] lp = new double[harvesters.length];
        double[] stat = new double[harvesters.length];
        double[] z = new double[harvesters.length];
        for (int i = 0; i < harvesters.length; i++) {
            DetectionResult r = acc.accountResult(harvesters[i], alpha);
            lp[i] = r.log10P();
            stat[i] = r.statistic();
            z[i] = r.zScore();
        }
        AttributionAccumulator.AccountScan scan = acc.scanAccounts(accounts, alpha);
        AttributionResult res = acc.result(alpha, coalition, accounts);
        long[] accused = res.accused().stream().mapToLong(AttributionResult.Accusation::account).toArray();
        int found = 0;
        for (long a : accused) {
            found += isHarvester(a) ? 1 : 0;
        }
        double exposedLp = exposedInnocent < 0 ? 0 : acc.accountResult(exposedInnocent, alpha).log10P();
        return new Measurement(filter, budget, read, n, res.tuplesScored(), harvesters.clone(), lp, stat, z,
                scan.bestAccount(), scan.log10P(), res.distilledLog10P(), accused, found, accused.length - found,
                innocentMaxPositive(res), res.threshold(), exposedInnocent, exposedShared, exposedLp);
    }

    private boolean isHarvester(long a) {
        for (long h : harvesters) {
            if (h == a) {
                return true;
            }
        }
        return false;
    }

    /** The most positive groups any non-harvesting account has (the margin to a false accusation). */
    private int innocentMaxPositive(AttributionResult res) {
        AccountCode code = keys.code();
        double cut = Math.log10(alpha) - Math.log10(code.groups());
        boolean[] positive = new boolean[code.groups()];
        for (int g = 0; g < positive.length; g++) {
            positive[g] = res.groupLog10P()[g] <= cut;
        }
        int[] word = new int[code.length()];
        int max = 0;
        for (long a = 0; a < accounts; a++) {
            if (isHarvester(a)) {
                continue;
            }
            code.codeword(a, word);
            int p = 0;
            for (int i = 0; i < word.length; i++) {
                p += positive[code.group(i, word[i])] ? 1 : 0;
            }
            max = Math.max(max, p);
        }
        return max;
    }

    /**
     * Calibration: the corpus-level test of {@code docs} (same filter variant, de-duplication and
     * prompt exclusion) under keys that were never deployed; under the null their p-values are
     * uniform.
     *
     * @return log10 p per key
     */
    public static double[] calibrate(List<Pipeline.SuspectDoc> docs, List<WatermarkKey> neverDeployed,
            dev.hallmark.scheme.Scheme scheme, Variant variant, PromptExclusion excludePrompt) {
        int h = scheme.contextWidth();
        PositionFilter filter = variant.base();
        if (variant.minRepeats() >= 2) {
            // the same text-only selection as the test itself
            filter = ContextFilters.and(variant.base(),
                    repeatedTuples(docs, variant.minRepeats(), h, variant.base(), excludePrompt));
        }
        List<CorpusAccumulator> accs = new ArrayList<>();
        for (WatermarkKey k : neverDeployed) {
            accs.add(new CorpusAccumulator(KeyedScheme.of(scheme, k), filter));
        }
        for (Pipeline.SuspectDoc d : docs) {
            PositionFilter doc = excludePrompt.filter(d.prompt(), h);
            for (CorpusAccumulator a : accs) {
                a.accept(d.completion(), 0, d.completion().length, doc);
            }
        }
        double[] out = new double[accs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = accs.get(i).result(0.5).log10P();
        }
        return out;
    }
}
