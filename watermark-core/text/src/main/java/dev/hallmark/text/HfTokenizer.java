package dev.hallmark.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer (through DJL's Rust binding) configured for
 * watermarking: no added special tokens, no truncation, no padding.
 *
 * <p>DJL's defaults truncate at 512 tokens and may add special tokens; both would silently change
 * the token ids a detector scores, so this adapter always loads with {@code addSpecialTokens=false,
 * truncation=false, padding=false, modelMaxLength=100000000}.
 *
 * <p>{@link #encode(String)} asks the native library for the ids only (it does not build DJL's
 * {@code Encoding} object with tokens, offsets and masks, which costs about as much as the
 * tokenization itself). Instances are thread-safe (the native tokenizer is immutable) until
 * {@link #close()}; closing twice is harmless.
 */
public final class HfTokenizer implements TextTokenizer {

    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false",
            "truncation", "false",
            "padding", "false",
            "modelMaxLength", "100000000");

    private final HuggingFaceTokenizer tokenizer;
    private final int vocabularySize;
    private final Path path;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, int vocabularySize, Path path) {
        this.tokenizer = tokenizer;
        this.vocabularySize = vocabularySize;
        this.path = path;
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @param tokenizerJson path to the file
     * @throws UncheckedIOException if the file is missing (message names the path) or unreadable
     * @throws IllegalArgumentException if the file is not a tokenizer the native library accepts
     */
    public static HfTokenizer open(Path tokenizerJson) {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new UncheckedIOException(new NoSuchFileException(
                    Tokenizers.missingMessage(tokenizerJson, "the path given")));
        }
        int vocab = readVocabularySize(tokenizerJson);
        HuggingFaceTokenizer tok;
        try {
            tok = HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid tokenizer.json: " + tokenizerJson + ": " + e.getMessage(), e);
        }
        return new HfTokenizer(tok, vocab, tokenizerJson);
    }

    /** The file this tokenizer was loaded from. */
    public Path path() {
        return path;
    }

    /** {@link TokenizerEngine#HF}. */
    @Override
    public TokenizerEngine engine() {
        return TokenizerEngine.HF;
    }

    /**
     * Number of token ids: one more than the largest id in the model vocabulary or the added
     * (special) tokens. 151,669 for Qwen3.
     */
    public int vocabularySize() {
        return vocabularySize;
    }

    /**
     * Token ids of {@code text}, without special tokens and without truncation.
     *
     * @param text any string; the empty string gives an empty array
     */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            return new int[0];
        }
        long handle = handle();
        long enc = TokenizersLibrary.LIB.encode(handle, text, false);
        try {
            return toInts(TokenizersLibrary.LIB.getTokenIds(enc));
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(enc);
        }
    }

    /**
     * Encodes many texts at once; the native library spreads the work over its own thread pool.
     *
     * @return one id array per text, in order
     */
    public int[][] encodeBatch(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        String[] arr = texts.toArray(new String[0]);
        for (int i = 0; i < arr.length; i++) {
            Objects.requireNonNull(arr[i], () -> "texts contains null");
        }
        int[][] out = new int[arr.length][];
        if (arr.length == 0) {
            return out;
        }
        long[] encs = TokenizersLibrary.LIB.batchEncode(handle(), arr, false);
        try {
            for (int i = 0; i < encs.length; i++) {
                out[i] = arr[i].isEmpty() ? new int[0] : toInts(TokenizersLibrary.LIB.getTokenIds(encs[i]));
            }
        } finally {
            for (long e : encs) {
                TokenizersLibrary.LIB.deleteEncoding(e);
            }
        }
        return out;
    }

    /**
     * Text of {@code ids[off .. off+len)}, special tokens kept (so decode(encode(s)) is s for any s
     * the tokenizer represents losslessly, which for byte-level BPE is every string).
     */
    public String decode(int[] ids, int off, int len) {
        Objects.checkFromIndexSize(off, len, ids.length);
        if (len == 0) {
            return "";
        }
        long[] l = new long[len];
        for (int i = 0; i < len; i++) {
            int id = ids[off + i];
            if (id < 0 || id >= vocabularySize) {
                throw new IllegalArgumentException("token id " + id + " at index " + (off + i)
                        + " is outside the vocabulary [0, " + vocabularySize + ")");
            }
            l[i] = id;
        }
        return tokenizer.decode(l, false);
    }

    /** Text of all of {@code ids}. */
    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    private long handle() {
        Long h = tokenizer.getHandle();
        if (h == null) {
            throw new IllegalStateException("tokenizer is closed");
        }
        return h;
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    /**
     * Streams through the JSON and takes the largest id in {@code model.vocab} (an object of
     * token-to-id for BPE / WordPiece / WordLevel; an array of entries for Unigram, where the id is
     * the position) and in {@code added_tokens[*].id}.
     */
    static int readVocabularySize(Path file) {
        long max = -1;
        try (InputStream in = Files.newInputStream(file);
                JsonParser p = new JsonFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a tokenizer.json (no top-level object): " + file);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("added_tokens".equals(name) && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken v = p.nextToken();
                            if ("id".equals(f) && v == JsonToken.VALUE_NUMBER_INT) {
                                max = Math.max(max, p.getLongValue());
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else if ("model".equals(name) && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("vocab".equals(f) && v == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                p.nextToken();
                                max = Math.max(max, p.getLongValue());
                            }
                        } else if ("vocab".equals(f) && v == JsonToken.START_ARRAY) {
                            long n = 0;
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                p.skipChildren();
                                n++;
                            }
                            max = Math.max(max, n - 1);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + file, e);
        }
        if (max < 0 || max >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("no vocabulary found in " + file);
        }
        return (int) max + 1;
    }
}
