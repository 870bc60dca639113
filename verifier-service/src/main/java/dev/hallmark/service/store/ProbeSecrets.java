package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The API keys of probed endpoints, sealed at rest with the service's {@link SecretBox}
 * (AES-256-GCM; the associated data binds a sealed key to its scan): a probe scan's key lives in
 * a 0600 file beside its prompts, sealed, from creation until the scan has collected its answers,
 * then it is deleted. It never appears in a scan view, a report, a log line or the audit log.
 */
public final class ProbeSecrets {

    /** The name of a probe scan's sealed-key file, beside its stored prompts. */
    public static final String FILE = "api-key.sealed";

    private final SecretBox box;

    ProbeSecrets(SecretBox box) {
        this.box = box;
    }

    /** Seals {@code apiKey} for scan {@code scanId} into {@code file} (created 0600). */
    public void write(Path file, String apiKey, String scanId) throws IOException {
        byte[] sealed = box.seal(apiKey.getBytes(StandardCharsets.UTF_8), associated(scanId));
        SecretBox.writePrivate(file, Base64.getEncoder().encodeToString(sealed) + "\n");
    }

    /**
     * Opens the key sealed in {@code file} for scan {@code scanId}.
     *
     * @throws IllegalStateException if the file is gone, altered, or belongs to another scan
     */
    public String read(Path file, String scanId) throws IOException {
        String b64;
        try {
            b64 = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("the sealed API key of scan " + scanId + " is gone");
        }
        byte[] sealed;
        try {
            sealed = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the sealed API key of scan " + scanId + " is corrupt");
        }
        return new String(box.open(sealed, associated(scanId)), StandardCharsets.UTF_8);
    }

    private static String associated(String scanId) {
        return "probe-api-key/" + scanId;
    }
}
