package dev.hallmark.service;

import dev.hallmark.scheme.Scheme;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** First-start set-up (the admin token) and the {@code --demo} seeding; both idempotent. */
final class Bootstrap {

    static final String ADMIN_TOKEN_FILE = "admin-token";
    static final String DEMO_TOKEN_FILE = "demo-analyst-token";
    static final String DEMO_SEED_SETTING = "demo.seeded";
    static final long DEMO_SEED = 20261123L;

    private Bootstrap() {}

    record Result(Path adminTokenFile) {}

    /**
     * On a store without tokens, creates an admin token for tenant {@code admin} and writes it to
     * {@code <data-dir>/admin-token} (0600). Returns the file, or null if tokens already existed.
     */
    static Result firstStart(VerifierServer s) throws IOException {
        if (s.tokens().count() > 0) {
            return new Result(null);
        }
        ApiTokens.Created c = s.tokens().create("admin", ApiTokens.Role.ADMIN, "first-start admin token");
        Path f = s.config().dataDir().resolve(ADMIN_TOKEN_FILE).toAbsolutePath();
        Files.deleteIfExists(f);
        SecretBox.writePrivate(f, c.token() + "\n");
        s.database().audit(null, "admin", "token.create", c.principal().tokenId(), "first-start admin token");
        return new Result(f);
    }

    record Demo(String keyId, String scheme, Path analystTokenFile, String scanId, boolean created, String description) {}

    /** Seeds the demo once: a key, an analyst token for tenant {@code demo}, and a scan of the demo corpus. */
    static Demo seedDemo(VerifierServer s, DemoCorpus corpus, Scheme scheme) throws IOException {
        String seeded = s.database().setting(DEMO_SEED_SETTING);
        Path tokenFile = s.config().dataDir().resolve(DEMO_TOKEN_FILE).toAbsolutePath();
        if (seeded != null) {
            String[] p = seeded.split(" ");
            return new Demo(p[0], s.keys().get(p[0]).scheme(), tokenFile, p[1], false, corpus.description());
        }
        KeyStore.Info key = s.keys().register(scheme.toString(), "demo key", null);
        ApiTokens.Created tok = s.tokens().create("demo", ApiTokens.Role.ANALYST, "demo analyst");
        Files.deleteIfExists(tokenFile);
        SecretBox.writePrivate(tokenFile, tok.token() + "\n");
        Path tmp = Files.createTempFile(s.uploadsDir(), "demo-", ".jsonl");
        try {
            corpus.write(tmp, s.keys().keyed(key), s.tokenizer(), DEMO_SEED);
            ScanStore.Scan scan = s.storeUpload(tmp, "demo corpus" + (corpus.synthetic() ? " (synthetic watermarked part)" : ""),
                    CorpusReader.Format.JSONL, "text", 1e-3, tok.principal());
            s.database().putSetting(DEMO_SEED_SETTING, key.id() + " " + scan.id());
            s.database().audit(null, "demo", "demo.seed", scan.id(), corpus.description());
            return new Demo(key.id(), key.scheme(), tokenFile, scan.id(), true, corpus.description());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
