package dev.hallmark.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * The watermarking keys of a SynthID-Text generator: one int64 per tournament layer, in layer
 * order, as the owner configured them ({@code SynthIDLogitsProcessor(keys=...)} in DeepMind's
 * reference, {@code SynthIDTextWatermarkingConfig(keys=...)} in transformers). They are secrets of
 * the text's owner: {@link #toString()} never prints them; {@link #id()} is a public fingerprint.
 *
 * <p>File format ({@link #parse}, {@link #read}, {@link #toJson}): a JSON array of integers in the
 * int64 range, e.g. {@code [654, 400, 836, 123, ...]}; nothing else (no floats, strings or
 * trailing content). The keys must be distinct: two equal keys would give two identical layers,
 * whose g-values are then not independent coins, and the exact p-value would be wrong.
 *
 * <p>Immutable and thread-safe.
 */
public final class SynthIdKeys {

    /** A sanity bound on the number of layers (the reference and transformers use up to about 30). */
    public static final int MAX_DEPTH = 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private final long[] keys;
    private final String id;

    private SynthIdKeys(long[] keys) {
        this.keys = keys;
        this.id = fingerprint(keys);
    }

    /**
     * @param keys the int64 keys, one per layer (at least one, at most {@link #MAX_DEPTH}, distinct)
     * @return the key set
     * @throws IllegalArgumentException if the keys are empty, too many, or not distinct
     */
    public static SynthIdKeys of(long... keys) {
        Objects.requireNonNull(keys, "keys");
        if (keys.length == 0) {
            throw new IllegalArgumentException("SynthID keys: the list is empty; give one int64 key per layer");
        }
        if (keys.length > MAX_DEPTH) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "SynthID keys: %d keys, at most %d are accepted", keys.length, MAX_DEPTH));
        }
        for (int i = 0; i < keys.length; i++) {
            for (int j = 0; j < i; j++) {
                if (keys[i] == keys[j]) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "SynthID keys: key %d repeats key %d (%d); equal keys make two layers identical, "
                                    + "so their g-values are not independent and no exact p-value exists",
                            i, j, keys[i]));
                }
            }
        }
        return new SynthIdKeys(keys.clone());
    }

    /**
     * Parses the JSON form (see the class documentation).
     *
     * @param json the text
     * @return the key set
     * @throws IllegalArgumentException saying what is wrong and where (element index)
     */
    public static SynthIdKeys parse(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("SynthID keys: not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : String.format(Locale.ROOT, " (line %d, column %d)",
                            e.getLocation().getLineNr(), e.getLocation().getColumnNr())), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new IllegalArgumentException("SynthID keys: the input is empty; expected a JSON array of int64 keys");
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("SynthID keys: expected a JSON array of int64 keys, got "
                    + describe(root));
        }
        long[] keys = new long[root.size()];
        for (int i = 0; i < keys.length; i++) {
            JsonNode e = root.get(i);
            if (!e.isIntegralNumber()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "SynthID keys: element %d is %s, not an integer", i, describe(e)));
            }
            if (!e.canConvertToLong()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "SynthID keys: element %d (%s) is outside the int64 range", i, e.asText()));
            }
            keys[i] = e.longValue();
        }
        return of(keys);
    }

    /**
     * Reads a keys file (UTF-8 JSON, see the class documentation).
     *
     * @param file the file
     * @return the key set
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if its content is malformed (the message names the file)
     */
    public static SynthIdKeys read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + ": SynthID keys file is not UTF-8 text", e);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** @return the JSON array form ({@code parse(toJson())} gives an equal key set); holds the secret keys */
    public String toJson() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < keys.length; i++) {
            b.append(i == 0 ? "" : ", ").append(keys[i]);
        }
        return b.append(']').toString();
    }

    /** @return a copy of the keys, in layer order */
    public long[] keys() {
        return keys.clone();
    }

    /** @return the number of layers */
    public int depth() {
        return keys.length;
    }

    /**
     * A public fingerprint of the key set, {@code sid-} plus 16 hex digits: the first 8 bytes of
     * SHA-256 over a domain label and the keys' little-endian bytes. It identifies the key set in
     * reports without revealing it (the hash is one-way; the reference's own IV is a different hash).
     *
     * @return the fingerprint
     */
    public String id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SynthIdKeys k && Arrays.equals(keys, k.keys);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keys);
    }

    /** Never prints the keys. */
    @Override
    public String toString() {
        return "SynthIdKeys[depth=" + keys.length + ", id=" + id + "]";
    }

    private static String fingerprint(long[] keys) {
        ByteBuffer buf = ByteBuffer.allocate(Long.BYTES * keys.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long k : keys) {
            buf.putLong(k);
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("hallmark/synthid-keys/fingerprint/v1".getBytes(StandardCharsets.US_ASCII));
            md.update(buf.array());
            return "sid-" + HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static String describe(JsonNode n) {
        if (n.isObject()) {
            return "an object";
        }
        if (n.isArray()) {
            return "an array";
        }
        if (n.isTextual()) {
            return "the string \"" + n.asText() + "\"";
        }
        if (n.isBoolean()) {
            return "the boolean " + n.asText();
        }
        if (n.isNull()) {
            return "null";
        }
        if (n.isNumber()) {
            return "the non-integer number " + n.asText();
        }
        return n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
