package dev.hallmark.tools.attack;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What some attacks need beyond the text: WordNet (synonyms), a tokenizer (token-level attacks on
 * text, dilution), the human-text pool as token ids (dilution), a language model (paraphrase).
 * Each is loaded on first use, once, so a chain that needs none of them loads none.
 */
public final class AttackResources {

    private final Lazy<WordNet> wordNet;
    private final Lazy<TokenCodec> codec;
    private final Lazy<List<int[]>> human;
    private final Lazy<Paraphraser> paraphraser;

    private AttackResources(Supplier<WordNet> wordNet, Supplier<TokenCodec> codec, Supplier<List<int[]>> human,
            Supplier<Paraphraser> paraphraser) {
        this.wordNet = new Lazy<>(wordNet, "WordNet");
        this.codec = new Lazy<>(codec, "a tokenizer");
        this.human = new Lazy<>(human, "a human-text pool");
        this.paraphraser = new Lazy<>(paraphraser, "a language model");
    }

    /**
     * Resources from suppliers; a {@code null} supplier means "not available" and an attack that
     * needs it fails with a message naming what is missing.
     */
    public static AttackResources of(Supplier<WordNet> wordNet, Supplier<TokenCodec> codec,
            Supplier<List<int[]>> human, Supplier<Paraphraser> paraphraser) {
        return new AttackResources(wordNet, codec, human, paraphraser);
    }

    /** No resources: only attacks that need nothing (token attacks on ids, most word attacks). */
    public static AttackResources none() {
        return new AttackResources(null, null, null, null);
    }

    public WordNet wordNet() {
        return wordNet.get();
    }

    public TokenCodec codec() {
        return codec.get();
    }

    public boolean hasCodec() {
        return codec.supplier != null;
    }

    public List<int[]> humanTokens() {
        return human.get();
    }

    public Paraphraser paraphraser() {
        return paraphraser.get();
    }

    private static final class Lazy<T> {
        private final Supplier<T> supplier;
        private final String what;
        private volatile T value;

        Lazy(Supplier<T> supplier, String what) {
            this.supplier = supplier;
            this.what = what;
        }

        T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    v = value;
                    if (v == null) {
                        if (supplier == null) {
                            throw new IllegalStateException("this attack needs " + what + ", and none is configured");
                        }
                        v = Objects.requireNonNull(supplier.get(), what);
                        value = v;
                    }
                }
            }
            return v;
        }
    }
}
