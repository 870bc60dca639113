package dev.hallmark.key;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import org.apache.commons.codec.binary.Base64;

/**
 * The versioned JSON key-file format.
 *
 * <pre>{@code
 * {
 *   "format": "hallmark-key",
 *   "version": 2,
 *   "key_id": "hk-0123456789abcdef0123",
 *   "secret": "&lt;32 bytes, standard Base64>",
 *   "parent_id": "hk-...",            // only for derived keys
 *   "derivation_path": "account/123", // only for derived keys
 *   "scheme": "kgw:gamma=0.25,...",   // version 2: the scheme the key is used with by default (optional)
 *   "created": "2026-11-23T16:00:00Z"
 * }
 * }</pre>
 *
 * A file may carry a {@code "type"}: absent or {@code "hallmark"} for the Hallmark key above, or
 * {@code "vllm"} for a vLLM watermark key ({@link VllmKey}), which holds {@code "vllm_key"} (the
 * unsigned 64-bit key as a decimal string, as vLLM's configuration writes it) instead of
 * {@code "secret"}, and a {@code "key_id"} of the form {@code vk-...}:
 *
 * <pre>{@code
 * {"format": "hallmark-key", "version": 1, "type": "vllm", "key_id": "vk-0123456789abcdef",
 *  "vllm_key": "42", "created": "2026-12-01T10:00:00Z"}
 * }</pre>
 * {@link #read} reads Hallmark keys, {@link #readVllm} vLLM keys; each refuses the other type with a
 * message saying which it is ({@link #type} tells them apart).
 *
 * <p><b>Versions.</b> 1: the key alone. 2: adds the optional default {@code scheme} of a Hallmark key
 * (a canonical scheme spec; this package does not parse it, callers do). This build reads versions
 * {@value #MIN_VERSION} to {@value #VERSION}; it writes version 2 only for a key with a default
 * scheme and version 1 otherwise (vLLM keys included), so such files stay readable by builds that
 * know only version 1. A {@code scheme} field in a version 1 file is ignored (version 1 never had one).
 *
 * <p>On load the key id is recomputed from the secret and must equal {@code key_id}: a mismatch
 * means the file was corrupted or edited. Files are written atomically (temp file + rename) with
 * owner-only permissions where the file system supports them.
 */
public final class KeyFile {

    /** Value of the {@code format} field. */
    public static final String FORMAT = "hallmark-key";
    /** The newest version this build reads and writes (the one with a default scheme). */
    public static final int VERSION = 2;
    /** The oldest version this build reads. */
    public static final int MIN_VERSION = 1;
    /** The version of a file without a default scheme. */
    static final int VERSION_NO_SCHEME = 1;
    /** Value of the {@code type} field of a Hallmark key (also the meaning of a missing type). */
    public static final String TYPE_HALLMARK = "hallmark";
    /** Value of the {@code type} field of a vLLM key file. */
    public static final String TYPE_VLLM = "vllm";

    /**
     * What a key file holds: the key, and the scheme it is used with by default.
     *
     * @param key the key
     * @param scheme the default scheme spec as written (version 2), or null if the file names none
     */
    public record Contents(WatermarkKey key, String scheme) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyFile() {}

    /** Reads and checks a key file (its default scheme, if any, is left out: see {@link #load}). */
    public static WatermarkKey read(Path file) throws KeyFileException {
        return load(file).key();
    }

    /** Reads and checks a key file: the key and its default scheme. */
    public static Contents load(Path file) throws KeyFileException {
        return parseContents(readText(file), file.toString());
    }

    /**
     * Parses key-file JSON.
     *
     * @param json the file content
     * @param source a name for error messages (a path, or "request body")
     */
    public static WatermarkKey parse(String json, String source) throws KeyFileException {
        return parseContents(json, source).key();
    }

    /**
     * Parses key-file JSON: the key and its default scheme.
     *
     * @param json the file content
     * @param source a name for error messages (a path, or "request body")
     */
    public static Contents parseContents(String json, String source) throws KeyFileException {
        JsonNode root = header(json, source);
        String type = typeOf(root, source);
        if (!TYPE_HALLMARK.equals(type)) {
            throw new KeyFileException("key file " + source + " holds a vLLM key (type \"" + type + "\"), not a "
                    + "Hallmark key: use it with a vllm-* scheme");
        }
        String id = text(root, "key_id", source);
        String b64 = text(root, "secret", source);
        if (!Base64.isBase64(b64)) {
            throw new KeyFileException("key file " + source + ": 'secret' is not Base64");
        }
        byte[] secret = Base64.decodeBase64(b64);
        if (secret.length != WatermarkKey.SECRET_BYTES) {
            throw new KeyFileException("key file " + source + ": secret is " + secret.length
                    + " bytes, expected " + WatermarkKey.SECRET_BYTES + " (file corrupt?)");
        }
        String parentId = optText(root, "parent_id");
        String path = optText(root, "derivation_path");
        if ((parentId == null) != (path == null)) {
            throw new KeyFileException("key file " + source
                    + ": 'parent_id' and 'derivation_path' must both be present or both absent");
        }
        checkCreated(root, source);
        String scheme = null;
        if (root.get("version").intValue() >= 2 && root.has("scheme") && !root.get("scheme").isNull()) {
            JsonNode sn = root.get("scheme");
            if (!sn.isTextual() || sn.textValue().isBlank()) {
                throw new KeyFileException("key file " + source + ": 'scheme' must be a scheme spec such as "
                        + "\"kgw\", or absent");
            }
            scheme = sn.textValue().strip();
        }
        WatermarkKey key = WatermarkKey.fromSecret(secret, parentId, path);
        Arrays.fill(secret, (byte) 0);
        if (!key.id().equals(id)) {
            throw new KeyFileException("key file " + source + ": key id mismatch: the file says " + id
                    + " but its secret gives " + key.id() + " (file corrupt or edited)");
        }
        return new Contents(key, scheme);
    }

    /** The key-file JSON for a key without a default scheme (contains the secret: handle like the key itself). */
    public static String toJson(WatermarkKey key, Instant created) {
        return toJson(key, null, created);
    }

    /**
     * The key-file JSON for a key (contains the secret: handle like the key itself).
     *
     * @param scheme the default scheme spec (canonical, as {@code Scheme.toString()} prints it), or
     *     null for none (then the file is version 1)
     */
    public static String toJson(WatermarkKey key, String scheme, Instant created) {
        if (scheme != null && scheme.isBlank()) {
            throw new IllegalArgumentException("a default scheme must not be blank");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", scheme == null ? VERSION_NO_SCHEME : VERSION);
        o.put("key_id", key.id());
        byte[] secret = key.exportSecret();
        o.put("secret", Base64.encodeBase64String(secret));
        Arrays.fill(secret, (byte) 0);
        if (key.parentId() != null) {
            o.put("parent_id", key.parentId());
            o.put("derivation_path", key.derivationPath());
        }
        if (scheme != null) {
            o.put("scheme", scheme);
        }
        o.put("created", created.toString());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a key file without a default scheme atomically. Refuses to overwrite an existing file
     * unless {@code overwrite}.
     */
    public static void write(Path file, WatermarkKey key, boolean overwrite) throws IOException {
        write(file, key, null, overwrite);
    }

    /**
     * Writes a key file atomically, with its default scheme (null: none). Refuses to overwrite an
     * existing file unless {@code overwrite}.
     */
    public static void write(Path file, WatermarkKey key, String scheme, boolean overwrite) throws IOException {
        writeAtomically(file, toJson(key, scheme, Instant.now()), overwrite);
    }

    private static void writeAtomically(Path file, String content, boolean overwrite) throws IOException {
        if (!overwrite && Files.exists(file)) {
            throw new KeyFileException("key file " + file + " already exists (refusing to overwrite a key)");
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".key-", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // non-POSIX file system: keep the default permissions
            }
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The key type of a key file: {@link #TYPE_HALLMARK} or {@link #TYPE_VLLM}.
     *
     * @throws KeyFileException if the file cannot be read or is not a Hallmark-format key file
     */
    public static String type(Path file) throws KeyFileException {
        return typeOf(header(readText(file), file.toString()), file.toString());
    }

    /** Reads and checks a vLLM key file (type {@code vllm}). */
    public static VllmKey readVllm(Path file) throws KeyFileException {
        return parseVllm(readText(file), file.toString());
    }

    /**
     * Parses the JSON of a vLLM key file.
     *
     * @param json the file content
     * @param source a name for error messages
     * @throws KeyFileException naming the problem (never printing the key)
     */
    public static VllmKey parseVllm(String json, String source) throws KeyFileException {
        JsonNode root = header(json, source);
        String type = typeOf(root, source);
        if (!TYPE_VLLM.equals(type)) {
            throw new KeyFileException("key file " + source + " holds a Hallmark key, not a vLLM key (type \"vllm\"): "
                    + "make one with hallmark keygen --vllm-key N --out K.json");
        }
        String id = text(root, "key_id", source);
        String decimal = text(root, "vllm_key", source);
        VllmKey key;
        try {
            key = VllmKey.parse(decimal);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("key file " + source + ": 'vllm_key' is not a valid vLLM key (" + e.getMessage()
                    + ")");
        }
        checkCreated(root, source);
        if (!key.id().equals(id)) {
            throw new KeyFileException("key file " + source + ": key id mismatch: the file says " + id
                    + " but its vllm_key gives " + key.id() + " (file corrupt or edited)");
        }
        return key;
    }

    /** The key-file JSON for a vLLM key (contains the key: handle like the key itself). */
    public static String toJson(VllmKey key, Instant created) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT);
        o.put("version", VERSION_NO_SCHEME);
        o.put("type", TYPE_VLLM);
        o.put("key_id", key.id());
        o.put("vllm_key", key.exportDecimal());
        o.put("created", created.toString());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a vLLM key file atomically, owner-only; refuses to overwrite unless {@code overwrite}. */
    public static void writeVllm(Path file, VllmKey key, boolean overwrite) throws IOException {
        writeAtomically(file, toJson(key, Instant.now()), overwrite);
    }

    private static String readText(Path file) throws KeyFileException {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KeyFileException("key file " + file + ": no such file");
        } catch (IOException e) {
            throw new KeyFileException("key file " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Parses the JSON and checks format and version. */
    private static JsonNode header(String json, String source) throws KeyFileException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new KeyFileException("key file " + source + ": not valid JSON ("
                    + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new KeyFileException("key file " + source + ": expected a JSON object");
        }
        String format = text(root, "format", source);
        if (!FORMAT.equals(format)) {
            throw new KeyFileException("key file " + source + ": format is '" + format
                    + "', expected '" + FORMAT + "' (not a Hallmark key file)");
        }
        JsonNode v = root.get("version");
        if (v == null || !v.isInt()) {
            throw new KeyFileException("key file " + source + ": missing or non-integer 'version'");
        }
        if (v.intValue() < MIN_VERSION || v.intValue() > VERSION) {
            throw new KeyFileException("key file " + source + ": unsupported version " + v.intValue()
                    + " (this build reads versions " + MIN_VERSION + " to " + VERSION + ")");
        }
        return root;
    }

    private static String typeOf(JsonNode root, String source) throws KeyFileException {
        JsonNode t = root.get("type");
        if (t == null || t.isNull()) {
            return TYPE_HALLMARK;
        }
        if (!t.isTextual() || !(TYPE_HALLMARK.equals(t.textValue()) || TYPE_VLLM.equals(t.textValue()))) {
            throw new KeyFileException("key file " + source + ": unknown key type " + t
                    + " (known: \"hallmark\", \"vllm\")");
        }
        return t.textValue();
    }

    private static void checkCreated(JsonNode root, String source) throws KeyFileException {
        String created = optText(root, "created");
        if (created != null) {
            try {
                Instant.parse(created);
            } catch (DateTimeParseException e) {
                throw new KeyFileException("key file " + source + ": 'created' is not an ISO-8601 instant");
            }
        }
    }

    private static String text(JsonNode root, String field, String source) throws KeyFileException {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new KeyFileException("key file " + source + ": missing or non-string '" + field + "'");
        }
        return n.textValue();
    }

    private static String optText(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
