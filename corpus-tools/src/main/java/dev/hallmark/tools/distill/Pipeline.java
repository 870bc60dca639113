package dev.hallmark.tools.distill;

import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.key.WatermarkKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The tokenizer-free steps of the distillation experiment, on token ids: teacher harvest,
 * training mixes, n-gram students. File handling and models live in {@link DistillExperiment};
 * the miniature pipeline test drives these steps directly.
 */
public final class Pipeline {

    private Pipeline() {
    }

    /** Account value of an unwatermarked document. */
    public static final long UNWATERMARKED = -1;

    /** One teacher completion, served through {@code account} (or {@link #UNWATERMARKED}). */
    public record TeacherDoc(int[] prompt, int[] completion, long account) {
    }

    /** One output of a student: its (fresh) prompt and the completion. */
    public record SuspectDoc(int[] prompt, int[] completion) {
    }

    /**
     * A student's training data.
     *
     * @param docs documents (completions and human text pieces), shuffled together
     * @param watermarkedTokens tokens from watermarked teacher completions
     * @param humanTokens tokens of unwatermarked text
     * @param capped whether the requested size had to be reduced to fit the available data
     */
    public record Mix(List<int[]> docs, long watermarkedTokens, long humanTokens, boolean capped) {
        public long tokens() {
            return watermarkedTokens + humanTokens;
        }

        /** The realised watermarked fraction. */
        public double rho() {
            return tokens() == 0 ? 0 : (double) watermarkedTokens / tokens();
        }
    }

    /** A deterministic simulated key: SHA-256 of a label. Never a production key. */
    public static WatermarkKey simulatedKey(String label) {
        try {
            byte[] s = MessageDigest.getInstance("SHA-256").digest(
                    ("hallmark distill simulated key/" + label).getBytes(StandardCharsets.UTF_8));
            return WatermarkKey.fromSecret(s);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code count} distinct account ids in [0, accounts), drawn with {@code random}. */
    public static long[] drawAccounts(int count, long accounts, SplittableRandom random) {
        Set<Long> s = new LinkedHashSet<>();
        while (s.size() < count) {
            s.add(random.nextLong(accounts));
        }
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Assigns prompts 0..n-1 to harvesting accounts: the first round(shares[0] * n) to
     * {@code accounts[0]}, and so on (the prompt order is already random).
     */
    public static long[] assignAccounts(int n, List<Double> shares, long[] accounts) {
        long[] out = new long[n];
        int from = 0;
        double cum = 0;
        for (int j = 0; j < shares.size(); j++) {
            cum += shares.get(j);
            int to = j == shares.size() - 1 ? n : (int) Math.round(cum * n);
            Arrays.fill(out, from, to, accounts[j]);
            from = to;
        }
        return out;
    }

    /** Per-sequence random source for item {@code i} of a stream seeded with {@code seed}. */
    static SplittableRandom itemRandom(long seed, long i) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL);
    }

    /**
     * Generates teacher completions for {@code prompts[from..)}, {@code batch} prompts at a time;
     * prompt i is served through account {@code accountOf[i]} with that account's coded key
     * schedule, or unwatermarked when {@code keys} is null.
     *
     * @param onBatch receives each finished batch in order (for incremental saving and progress)
     */
    public static void generateTeacher(LanguageModel teacher, List<int[]> prompts, int from, long[] accountOf,
            AccountKeys keys, SamplingConfig sampling, int maxNewTokens, int batch, int[] stopIds, long seed,
            Consumer<List<TeacherDoc>> onBatch) {
        Objects.requireNonNull(teacher, "teacher");
        int vocab = teacher.vocabularySize();
        Generator gen = Generator.of(teacher, new Generator.Options(maxNewTokens, stopIds, List.of(), batch), null);
        for (int b = from; b < prompts.size(); b += batch) {
            int start = b;
            List<int[]> chunk = prompts.subList(b, Math.min(prompts.size(), b + batch));
            List<Generator.Generation> out = gen.generate(chunk,
                    i -> keys == null ? WatermarkSampler.plain(sampling, vocab)
                            : WatermarkSampler.watermarked(keys.scheduleFor(accountOf[start + i]), sampling, vocab),
                    i -> itemRandom(seed, start + i));
            List<TeacherDoc> docs = new ArrayList<>(out.size());
            for (int i = 0; i < out.size(); i++) {
                docs.add(new TeacherDoc(chunk.get(i), out.get(i).completionIds(),
                        keys == null ? UNWATERMARKED : accountOf[start + i]));
            }
            onBatch.accept(docs);
        }
    }

    /**
     * {@link #generateTeacher} for an n-gram teacher at temperature 1 without top-k, drawing from
     * the model's top-p nucleus ({@link NgramModel#nucleus}) instead of full-vocabulary logits: the
     * same law, in O(nucleus) per token. Prompt i is served through {@code accountOf[i]} (or
     * unwatermarked when {@code keys} is null), sampled with {@code itemRandom(seed, i)}.
     *
     * @param onDoc receives each completion in prompt order
     */
    public static void generateNgramTeacher(NgramModel teacher, List<int[]> prompts, int from, long[] accountOf,
            AccountKeys keys, SamplingConfig sampling, int maxNewTokens, int stopId, long seed, Consumer<int[]> onDoc) {
        if (sampling.temperature() != 1.0 || sampling.topK() != 0) {
            throw new IllegalArgumentException("the n-gram nucleus path samples at temperature 1 without top-k");
        }
        NgramModel.Nucleus scratch = teacher.newNucleus();
        int[] ids = new int[scratch.capacity()];
        double[] probs = new double[scratch.capacity()];
        int vocab = teacher.vocabularySize();
        for (int i = from; i < prompts.size(); i++) {
            int[] prompt = prompts.get(i);
            WatermarkSampler sampler = keys == null ? WatermarkSampler.plain(sampling, vocab)
                    : WatermarkSampler.watermarked(keys.scheduleFor(accountOf[i]), sampling, vocab);
            SplittableRandom random = itemRandom(seed, i);
            int[] hist = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
            int len = prompt.length;
            while (len < hist.length) {
                int m = teacher.nucleus(hist, len, sampling.topP(), scratch, ids, probs);
                int x = sampler.nextFromCandidates(ids, probs, m, hist, 0, len, random);
                if (x == stopId) {
                    break;
                }
                hist[len++] = x;
            }
            onDoc.accept(Arrays.copyOfRange(hist, prompt.length, len));
        }
    }

    /**
     * Builds a student's training data: a fraction {@code rho} of {@code trainTokens} from the
     * completions of the harvesting accounts (equal shares; all documents when
     * {@code harvesters} is empty), the rest from {@code human}; whole documents, the last one of
     * each source cut to size, then shuffled together. If the harvest or the human text is too
     * small, the total is reduced so that rho is kept ({@link Mix#capped()}).
     */
    public static Mix mix(List<TeacherDoc> corpus, long[] harvesters, List<int[]> human, double rho, long trainTokens,
            SplittableRandom random) {
        if (!(rho >= 0 && rho <= 1)) {
            throw new IllegalArgumentException("rho must be in [0, 1], got " + rho);
        }
        List<List<int[]>> pools = new ArrayList<>();
        if (harvesters.length == 0) {
            List<int[]> all = new ArrayList<>();
            corpus.forEach(d -> all.add(d.completion()));
            pools.add(all);
        } else {
            for (long a : harvesters) {
                List<int[]> p = new ArrayList<>();
                for (TeacherDoc d : corpus) {
                    if (d.account() == a) {
                        p.add(d.completion());
                    }
                }
                pools.add(p);
            }
        }
        long perPool = Long.MAX_VALUE;
        for (List<int[]> p : pools) {
            perPool = Math.min(perPool, tokens(p));
        }
        long harvestAvail = perPool * pools.size();
        long humanAvail = tokens(human);
        long total = trainTokens;
        boolean capped = false;
        if (rho > 0 && Math.floor(rho * total) > harvestAvail) {
            total = (long) Math.floor(harvestAvail / rho);
            capped = true;
        }
        if (rho < 1 && Math.ceil((1 - rho) * total) > humanAvail) {
            total = (long) Math.floor(humanAvail / (1 - rho));
            capped = true;
        }
        long w = Math.round(rho * total);
        long u = total - w;
        List<int[]> docs = new ArrayList<>();
        long got = 0;
        for (int j = 0; j < pools.size(); j++) {
            long share = w / pools.size() + (j < w % pools.size() ? 1 : 0);
            got += take(pools.get(j), share, random, docs);
        }
        long h = take(human, u, random, docs);
        shuffle(docs, random);
        return new Mix(docs, got, h, capped);
    }

    private static long tokens(List<int[]> docs) {
        long n = 0;
        for (int[] d : docs) {
            n += d.length;
        }
        return n;
    }

    /** Appends shuffled whole documents of {@code pool} until {@code want} tokens (the last one cut). */
    private static long take(List<int[]> pool, long want, SplittableRandom random, List<int[]> out) {
        if (want <= 0) {
            return 0;
        }
        Integer[] order = new Integer[pool.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<Integer> idx = Arrays.asList(order);
        shuffle(idx, random);
        long got = 0;
        for (int i : idx) {
            int[] d = pool.get(i);
            if (d.length == 0) {
                continue;
            }
            long need = want - got;
            if (d.length >= need) {
                out.add(Arrays.copyOf(d, (int) need));
                return want;
            }
            out.add(d);
            got += d.length;
        }
        return got;
    }

    /**
     * Samples an n-gram student: {@code perPrompt} tokens after each prompt, cycling through the
     * prompts in a seeded order, until {@code totalTokens}.
     */
    public static List<SuspectDoc> ngramOutputs(NgramModel student, List<int[]> prompts, int perPrompt,
            long totalTokens, long seed) {
        return ngramOutputs(student::generate, prompts, perPrompt, totalTokens, seed);
    }

    /** A sampler of {@code count} tokens after a prompt (a student, possibly with the rival's neutralisation). */
    @FunctionalInterface
    public interface Continuation {
        int[] generate(int[] prompt, int count, SplittableRandom random);
    }

    /** {@link #ngramOutputs(NgramModel, List, int, long, long)} for any continuation sampler. */
    public static List<SuspectDoc> ngramOutputs(Continuation student, List<int[]> prompts, int perPrompt,
            long totalTokens, long seed) {
        List<SuspectDoc> out = new ArrayList<>();
        long n = 0;
        int round = 0;
        while (n < totalTokens) {
            List<int[]> order = new ArrayList<>(prompts);
            shuffle(order, new SplittableRandom(seed + 7919L * round));
            for (int i = 0; i < order.size() && n < totalTokens; i++) {
                SplittableRandom r = itemRandom(seed, (long) round * prompts.size() + i);
                int len = (int) Math.min(perPrompt, totalTokens - n);
                out.add(new SuspectDoc(order.get(i), student.generate(order.get(i), len, r)));
                n += len;
            }
            round++;
        }
        return out;
    }

    /** Fisher-Yates shuffle with the given random source. */
    static <T> void shuffle(List<T> list, RandomGenerator random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
