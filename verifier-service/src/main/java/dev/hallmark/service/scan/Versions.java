package dev.hallmark.service.scan;

import dev.hallmark.detect.HallmarkVersion;
import dev.hallmark.text.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Versions written into every report so a result can be traced to the code and tokenizer that made it. */
public final class Versions {

    private static final Map<String, String> TOKENIZER_DIGESTS = new ConcurrentHashMap<>();

    private Versions() {}

    /** This build's version: the one every Hallmark jar reports ({@link HallmarkVersion}). */
    public static String hallmark() {
        return HallmarkVersion.get();
    }

    /** File name and the first 16 hex digits of the SHA-256 of the tokenizer file. */
    static String tokenizer(TextTokenizer t) {
        return TOKENIZER_DIGESTS.computeIfAbsent(t.path().toString(), p -> {
            try (InputStream in = new DigestInputStream(Files.newInputStream(t.path()), MessageDigest.getInstance("SHA-256"))) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
                return t.path().getFileName() + " sha256:"
                        + HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()).substring(0, 16);
            } catch (IOException | NoSuchAlgorithmException e) {
                return t.path().getFileName() + " (digest unavailable)";
            }
        });
    }
}
