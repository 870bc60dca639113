package dev.hallmark.interop;


import java.util.Locale;

/**
 * A seeding scheme of the reference KGW implementations: which PRF, how many context tokens
 * ({@code context_width}, h in the paper), whether the candidate token salts its own green list
 * ("self-salt"), and the hash key.
 *
 * <p>Names (parsed by {@link #parse(String)}, printed canonically by {@link #name()}):
 * <table>
 *   <caption>seeding names</caption>
 *   <tr><th>name</th><th>implementation</th><th>meaning</th></tr>
 *   <tr><td>{@code lefthash} (alias {@code simple_1})</td><td>lm-watermarking</td>
 *       <td>additive PRF, h=1, no self-salt, key 15485863</td></tr>
 *   <tr><td>{@code selfhash} (alias {@code algorithm-3})</td><td>lm-watermarking</td>
 *       <td>anchored min-hash, h=4, self-salted, key 15485863</td></tr>
 *   <tr><td>{@code minhash}</td><td>lm-watermarking</td><td>min-hash, h=4, key 15485863</td></tr>
 *   <tr><td>{@code skipgram}</td><td>lm-watermarking</td><td>skip-gram, h=5, key 15485863</td></tr>
 *   <tr><td>{@code ff-<prf>-<h>-<True|False>[-<key>]}</td><td>lm-watermarking</td>
 *       <td>the reference's free-form name, e.g. {@code ff-anchored_minhash_prf-4-True-15485863}
 *       (key defaults to 15485863)</td></tr>
 *   <tr><td>{@code hf-lefthash[-<h>-<key>]}</td><td>transformers</td>
 *       <td>{@code seeding_scheme="lefthash"}, {@code context_width} h (default 1),
 *       {@code hashing_key} (default 15485863); seeds from the last token only, but scores
 *       (h+1)-grams</td></tr>
 *   <tr><td>{@code hf-selfhash[-<h>-<key>]}</td><td>transformers</td>
 *       <td>{@code seeding_scheme="selfhash"}: anchored min-hash over a table seeded with the
 *       hashing key; default h=1, so the green list depends on the candidate token alone</td></tr>
 * </table>
 * The canonical name is the reference's short name when the settings are exactly those of a short
 * name, else the full free-form name with the key; so {@code ff-additive_prf-1-False} prints as
 * {@code lefthash}. {@code hf-lefthash} seeds exactly like {@code lefthash}; it is kept as its own
 * name so that reports say which generator the text is claimed to come from.
 *
 * @param prf          the context hash
 * @param contextWidth h, the number of tokens the PRF reads (including the candidate when self-salted)
 * @param selfSalt     whether the candidate token is part of its own context
 * @param hashKey      the salt key, in [0, 2<sup>63</sup>) (the reference multiplies int64 tensors by it)
 */
public record KgwSeeding(KgwPrf prf, int contextWidth, boolean selfSalt, long hashKey) {

    /** The reference's default hash key (a large prime). */
    public static final long DEFAULT_HASH_KEY = 15485863L;

    /** The largest context width accepted (a sanity bound; the references use 1 to 8). */
    public static final int MAX_CONTEXT_WIDTH = 256;

    /** Validates; see the class documentation. */
    public KgwSeeding {
        if (prf == null) {
            throw new IllegalArgumentException("prf must not be null");
        }
        if (contextWidth < 1 || contextWidth > MAX_CONTEXT_WIDTH) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "context width must be in [1, %d], got %d", MAX_CONTEXT_WIDTH, contextWidth));
        }
        if (hashKey < 0) {
            throw new IllegalArgumentException("hash key must be in [0, 2^63), got " + hashKey);
        }
        if (prf == KgwPrf.MINSKIPGRAM && contextWidth < 2) {
            throw new IllegalArgumentException(
                    "minskipgram_prf needs a context width of at least 2 (it takes pairs), got " + contextWidth);
        }
        if (prf == KgwPrf.HF_SELFHASH && !selfSalt) {
            throw new IllegalArgumentException("transformers selfhash is always self-salted");
        }
        if (prf == KgwPrf.HF_LEFTHASH && selfSalt) {
            throw new IllegalArgumentException("transformers lefthash is never self-salted");
        }
    }

    /** lm-watermarking {@code lefthash}: additive PRF, h=1. */
    public static KgwSeeding lefthash() {
        return new KgwSeeding(KgwPrf.ADDITIVE, 1, false, DEFAULT_HASH_KEY);
    }

    /** lm-watermarking {@code selfhash}: anchored min-hash, h=4, self-salted. */
    public static KgwSeeding selfhash() {
        return new KgwSeeding(KgwPrf.ANCHORED_MINHASH, 4, true, DEFAULT_HASH_KEY);
    }

    /** lm-watermarking {@code minhash}: min-hash, h=4. */
    public static KgwSeeding minhash() {
        return new KgwSeeding(KgwPrf.MINHASH, 4, false, DEFAULT_HASH_KEY);
    }

    /** lm-watermarking {@code skipgram}: skip-gram PRF, h=5. */
    public static KgwSeeding skipgram() {
        return new KgwSeeding(KgwPrf.SKIPGRAM, 5, false, DEFAULT_HASH_KEY);
    }

    /** transformers {@code WatermarkLogitsProcessor(seeding_scheme="lefthash", context_width=h, hashing_key=key)}. */
    public static KgwSeeding transformersLefthash(int contextWidth, long hashingKey) {
        return new KgwSeeding(KgwPrf.HF_LEFTHASH, contextWidth, false, hashingKey);
    }

    /** transformers {@code WatermarkLogitsProcessor(seeding_scheme="selfhash", context_width=h, hashing_key=key)}. */
    public static KgwSeeding transformersSelfhash(int contextWidth, long hashingKey) {
        return new KgwSeeding(KgwPrf.HF_SELFHASH, contextWidth, true, hashingKey);
    }

    /**
     * The n-gram length the detectors score: {@code context_width + 1 - self_salt}. Each scored
     * token is the last of an n-gram; the first {@code n - 1} tokens of a text are context only.
     *
     * @return n
     */
    public int ngramLength() {
        return contextWidth + 1 - (selfSalt ? 1 : 0);
    }

    /**
     * Parses a seeding name (see the class documentation).
     *
     * @param name the name
     * @return the seeding
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static KgwSeeding parse(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("seeding scheme name must not be empty");
        }
        switch (name) {
            case "lefthash":
            case "simple_1":
                return lefthash();
            case "selfhash":
            case "algorithm-3":
                return selfhash();
            case "minhash":
                return minhash();
            case "skipgram":
                return skipgram();
            case "hf-lefthash":
                return transformersLefthash(1, DEFAULT_HASH_KEY);
            case "hf-selfhash":
                return transformersSelfhash(1, DEFAULT_HASH_KEY);
            default:
                break;
        }
        String[] parts = name.split("-", -1);
        if (parts[0].equals("ff")) {
            if (parts.length != 4 && parts.length != 5) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "free-form seeding '%s' must look like ff-<prf>-<context_width>-<True|False>[-<hash_key>]",
                        name));
            }
            KgwPrf prf = KgwPrf.fromReferenceName(parts[1]);
            int width = parseWidth(parts[2], name);
            boolean selfSalt = parseBool(parts[3], name);
            long key = parts.length == 5 ? parseKey(parts[4], name) : DEFAULT_HASH_KEY;
            return new KgwSeeding(prf, width, selfSalt, key);
        }
        if (parts[0].equals("hf") && parts.length == 4
                && (parts[1].equals("lefthash") || parts[1].equals("selfhash"))) {
            int width = parseWidth(parts[2], name);
            long key = parseKey(parts[3], name);
            return parts[1].equals("selfhash")
                    ? transformersSelfhash(width, key) : transformersLefthash(width, key);
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "unknown seeding scheme '%s'; expected lefthash, selfhash, minhash, skipgram, "
                        + "ff-<prf>-<context_width>-<True|False>[-<hash_key>], "
                        + "hf-lefthash[-<context_width>-<hashing_key>] or hf-selfhash[-<context_width>-<hashing_key>]",
                name));
    }

    /**
     * The canonical name: {@code parse(name()).equals(this)} always holds.
     *
     * @return the canonical name
     */
    public String name() {
        if (prf.isTransformers()) {
            String base = prf == KgwPrf.HF_SELFHASH ? "hf-selfhash" : "hf-lefthash";
            if (contextWidth == 1 && hashKey == DEFAULT_HASH_KEY) {
                return base;
            }
            return base + "-" + contextWidth + "-" + hashKey;
        }
        if (equals(lefthash())) {
            return "lefthash";
        }
        if (equals(selfhash())) {
            return "selfhash";
        }
        if (equals(minhash())) {
            return "minhash";
        }
        if (equals(skipgram())) {
            return "skipgram";
        }
        return "ff-" + prf.referenceName() + "-" + contextWidth + "-" + (selfSalt ? "True" : "False") + "-" + hashKey;
    }

    @Override
    public String toString() {
        return name();
    }

    private static int parseWidth(String s, String name) {
        if (!s.matches("[0-9]{1,4}")) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "context width '%s' in seeding '%s' is not a positive integer", s, name));
        }
        return Integer.parseInt(s);
    }

    private static boolean parseBool(String s, String name) {
        if (s.equals("True")) {
            return true;
        }
        if (s.equals("False")) {
            return false;
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "self-salt flag '%s' in seeding '%s' must be True or False", s, name));
    }

    private static long parseKey(String s, String name) {
        if (!s.matches("[0-9]{1,19}")) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "hash key '%s' in seeding '%s' must be a non-negative decimal integer below 2^63", s, name));
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "hash key '%s' in seeding '%s' must be below 2^63", s, name), e);
        }
    }
}
