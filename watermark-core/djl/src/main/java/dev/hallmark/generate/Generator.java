package dev.hallmark.generate;

import dev.hallmark.embed.TokenSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * The generation loop: model forward -> last-position logits over the full vocabulary (one reused
 * {@code float[]} per sequence) -> a {@link TokenSampler} -> append, for a batch of prompts.
 *
 * <p>Each sequence gets its own sampler (from the caller's factory, called with the sequence's
 * index in the prompt list) and its own random source, so a sequence's output does not depend on
 * which other prompts share its batch (up to floating-point differences between batched and single
 * forward passes). Sequences stop independently at the first of: {@code maxNewTokens} tokens; a
 * token in {@code stopIds} (not included in the completion); a stop string appearing in the decoded
 * completion (the tokens that complete it are included; needs a decoder). Finished sequences keep
 * being fed their last token while others in the batch continue; their output is not affected.
 */
public final class Generator {

    /** Decodes token ids to text (e.g. {@code HfTokenizer::decode}). */
    @FunctionalInterface
    public interface Decoder {
        String decode(int[] ids, int off, int len);
    }

    /** Why a sequence stopped. */
    public enum StopReason {
        /** {@code maxNewTokens} reached. */
        MAX_TOKENS,
        /** A stop id (e.g. end of text) was sampled. */
        STOP_ID,
        /** A stop string appeared in the decoded completion. */
        STOP_STRING
    }

    /** One generated sequence. */
    public record Generation(int[] promptIds, int[] completionIds, StopReason stopReason) {
    }

    /**
     * Options.
     *
     * @param maxNewTokens most tokens to generate per sequence (>= 1)
     * @param stopIds sampled ids that end a sequence (not included in the completion)
     * @param stopStrings strings whose appearance in the completion ends it (needs a decoder)
     * @param batchSize prompts processed together (>= 1)
     */
    public record Options(int maxNewTokens, int[] stopIds, List<String> stopStrings, int batchSize) {
        /** Validates and copies. */
        public Options {
            if (maxNewTokens < 1 || batchSize < 1) {
                throw new IllegalArgumentException("maxNewTokens and batchSize must be >= 1: " + maxNewTokens + ", " + batchSize);
            }
            stopIds = stopIds.clone();
            stopStrings = List.copyOf(stopStrings);
            for (String s : stopStrings) {
                if (s.isEmpty()) {
                    throw new IllegalArgumentException("empty stop string");
                }
            }
        }

        /** {@code maxNewTokens} tokens, stopping at the given ids, batches of 8. */
        public static Options of(int maxNewTokens, int... stopIds) {
            return new Options(maxNewTokens, stopIds, List.of(), 8);
        }

        /** The same options with stop strings. */
        public Options withStopStrings(String... strings) {
            return new Options(maxNewTokens, stopIds, List.of(strings), batchSize);
        }

        /** The same options with another batch size. */
        public Options withBatchSize(int size) {
            return new Options(maxNewTokens, stopIds, stopStrings, size);
        }
    }

    private final LanguageModel model;
    private final Options options;
    private final Decoder decoder;

    private Generator(LanguageModel model, Options options, Decoder decoder) {
        this.model = model;
        this.options = options;
        this.decoder = decoder;
    }

    /**
     * @param decoder needed only when {@code options} has stop strings (may be null otherwise)
     */
    public static Generator of(LanguageModel model, Options options, Decoder decoder) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        if (!options.stopStrings().isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop strings need a decoder");
        }
        return new Generator(model, options, decoder);
    }

    /**
     * Generates one completion per prompt.
     *
     * @param prompts token ids of each prompt (may be empty)
     * @param samplers called once per prompt index; must return a fresh (or reset) sampler for
     *     the model's vocabulary size
     * @param randoms called once per prompt index; the random source of that sequence
     */
    public List<Generation> generate(List<int[]> prompts, IntFunction<? extends TokenSampler> samplers,
            IntFunction<? extends RandomGenerator> randoms) {
        return generate(prompts, samplers, randoms, Listener.NONE);
    }

    /** Told after every decoding step, e.g. to show progress. */
    @FunctionalInterface
    public interface Listener {
        /** Does nothing. */
        Listener NONE = (tokens, finished) -> { };

        /**
         * @param tokens completion tokens generated in this step (one per sequence still running)
         * @param finished sequences that finished in this step
         */
        void step(int tokens, int finished);
    }

    /** As {@link #generate(List, IntFunction, IntFunction)}, telling {@code listener} after every step. */
    public List<Generation> generate(List<int[]> prompts, IntFunction<? extends TokenSampler> samplers,
            IntFunction<? extends RandomGenerator> randoms, Listener listener) {
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(listener, "listener");
        List<Generation> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += options.batchSize()) {
            int to = Math.min(prompts.size(), from + options.batchSize());
            out.addAll(batch(prompts, from, to, samplers, randoms, listener));
        }
        return out;
    }

    private List<Generation> batch(List<int[]> prompts, int from, int to, IntFunction<? extends TokenSampler> samplers,
            IntFunction<? extends RandomGenerator> randoms, Listener listener) {
        int b = to - from;
        int vocab = model.vocabularySize();
        int maxNew = options.maxNewTokens();
        float[][] logits = new float[b][vocab];
        TokenSampler[] s = new TokenSampler[b];
        RandomGenerator[] r = new RandomGenerator[b];
        int[][] seq = new int[b][];
        int[] plen = new int[b];
        int[] len = new int[b];
        StopReason[] done = new StopReason[b];
        int[][] start = new int[b][];
        for (int i = 0; i < b; i++) {
            int[] p = Objects.requireNonNull(prompts.get(from + i), "prompt");
            s[i] = Objects.requireNonNull(samplers.apply(from + i), "sampler");
            if (s[i].vocabularySize() != vocab) {
                throw new IllegalArgumentException("sampler vocabulary " + s[i].vocabularySize() + " != model vocabulary " + vocab);
            }
            r[i] = Objects.requireNonNull(randoms.apply(from + i), "random");
            seq[i] = Arrays.copyOf(p, p.length + maxNew);
            plen[i] = p.length;
            len[i] = p.length;
            start[i] = p;
        }
        int maxStop = 0;
        for (String st : options.stopStrings()) {
            maxStop = Math.max(maxStop, st.length());
        }
        int active = b;
        int[] next = new int[b];
        try (LanguageModel.Session session = model.newSession(b)) {
            session.start(start, logits);
            while (active > 0) {
                int stepTokens = 0;
                int stepFinished = active;
                for (int i = 0; i < b; i++) {
                    if (done[i] != null) {
                        next[i] = len[i] > 0 ? seq[i][len[i] - 1] : next[i];
                        continue;
                    }
                    int tok = s[i].next(logits[i], seq[i], 0, len[i], r[i]);
                    if (tok < 0 || tok >= vocab) {
                        throw new IllegalStateException("sampler returned token " + tok + " outside [0, " + vocab + ")");
                    }
                    next[i] = tok;
                    if (contains(options.stopIds(), tok)) {
                        done[i] = StopReason.STOP_ID;
                        active--;
                        continue;
                    }
                    seq[i][len[i]++] = tok;
                    stepTokens++;
                    if (maxStop > 0 && endsWithStop(seq[i], plen[i], len[i], maxStop)) {
                        done[i] = StopReason.STOP_STRING;
                        active--;
                    } else if (len[i] - plen[i] >= maxNew) {
                        done[i] = StopReason.MAX_TOKENS;
                        active--;
                    }
                }
                listener.step(stepTokens, stepFinished - active);
                if (active > 0) {
                    session.append(next, logits);
                }
            }
        }
        List<Generation> res = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            res.add(new Generation(start[i], Arrays.copyOfRange(seq[i], plen[i], len[i]), done[i]));
        }
        return res;
    }

    /** Decodes a tail of the completion long enough to hold any stop string (a token is >= 1 char). */
    private boolean endsWithStop(int[] seq, int plen, int len, int maxStop) {
        int n = len - plen;
        int tail = Math.min(n, maxStop + 1);
        String text = decoder.decode(seq, len - tail, tail);
        for (String st : options.stopStrings()) {
            if (text.contains(st)) {
                // only a stop string that the newest token helped complete: else it was found earlier
                String before = tail > 1 ? decoder.decode(seq, len - tail, tail - 1) : "";
                if (!before.contains(st)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }
}
