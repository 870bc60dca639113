package dev.hallmark.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.service.scan.Disclosure;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.SecretBox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** First-start set-up (the admin token) and the {@code --demo} seeding; both idempotent. */
final class Bootstrap {

    static final String ADMIN_TOKEN_FILE = "admin-token";
    static final String DEMO_TOKEN_FILE = "demo-analyst-token";
    static final String DEMO_SEED_SETTING = "demo.seeded";
    static final String FIRST_START_SETTING = "first-start.admin-token";
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
        Path f = s.config().dataDir().resolve(ADMIN_TOKEN_FILE).toAbsolutePath();
        // instances starting together on one new database: the one that records the setting makes
        // the token; the setting, the token and its audit entry are stored together or not at all
        boolean made = s.store().atomically(() -> {
            if (!s.store().settings().putIfAbsent(FIRST_START_SETTING, java.time.Instant.now().toString())) {
                return false;
            }
            ApiTokens.Created c = s.tokens().create("admin", ApiTokens.Role.ADMIN, "first-start admin token");
            try {
                Files.deleteIfExists(f);
                SecretBox.writePrivate(f, c.token() + "\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            s.store().audit().append(null, "admin", "token.create", c.principal().tokenId(), "first-start admin token");
            return true;
        });
        return new Result(made ? f : null);
    }

    record Demo(String keyId, String scheme, Path analystTokenFile, String scanId, boolean created, String description) {}

    static final String DEMO_KEY_LABEL = "PUBLIC demo key (datasets/demo): its secret is published, never use it for real text";

    /**
     * Seeds the demo once: the published demo key (imported; reused if already registered), an
     * analyst token for tenant {@code demo}, and a scan of the demo corpus ({@link DemoCorpus}).
     */
    static Demo seedDemo(VerifierServer s) throws IOException {
        String seeded = s.store().settings().get(DEMO_SEED_SETTING);
        Path tokenFile = s.config().dataDir().resolve(DEMO_TOKEN_FILE).toAbsolutePath();
        if (seeded != null) {
            String[] p = seeded.split(" ");
            KeyStore.Info k = s.keys().get(p[0]);
            return new Demo(p[0], k == null ? "?" : k.scheme(), tokenFile, p[1], false, DemoCorpus.description());
        }
        WatermarkKey demoKey = DemoCorpus.key();
        KeyStore.Info key = s.keys().get(demoKey.id());
        if (key == null) {
            byte[] secret = demoKey.exportSecret();
            try {
                key = s.keys().register(DemoCorpus.scheme().toString(), DEMO_KEY_LABEL, secret);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        }
        ApiTokens.Created tok = s.tokens().create("demo", ApiTokens.Role.ANALYST, "demo analyst");
        Files.deleteIfExists(tokenFile);
        SecretBox.writePrivate(tokenFile, tok.token() + "\n");
        Path tmp = Files.createTempFile(s.uploadsDir(), "demo-", ".jsonl.gz");
        try {
            DemoCorpus.copyCorpus(tmp);
            ScanStore.Scan scan = s.storeUpload(tmp, "demo corpus (default LM, public demo key)",
                    CorpusFormat.JSONL, "text", 1e-3, List.of(key.id()), tok.principal());
            s.store().settings().put(DEMO_SEED_SETTING, key.id() + " " + scan.id());
            s.store().audit().append(null, "demo", "demo.seed", scan.id(), DemoCorpus.description());
            return new Demo(key.id(), key.scheme(), tokenFile, scan.id(), true, DemoCorpus.description());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Waits (up to {@code maxMillis}) for the demo scan and describes its result in a few lines:
     * the corpus-level test, and which kinds of documents were flagged one by one.
     */
    static List<String> demoSummary(VerifierServer s, String scanId, long maxMillis) throws InterruptedException {
        long end = System.nanoTime() + maxMillis * 1_000_000L;
        ScanStore.Scan scan = s.scans().get(scanId);
        while (scan != null && !ScanStore.DONE.equals(scan.state()) && !ScanStore.FAILED.equals(scan.state())
                && System.nanoTime() < end) {
            Thread.sleep(100);
            scan = s.scans().get(scanId);
        }
        if (scan == null) {
            return List.of("the demo scan was deleted");
        }
        if (!ScanStore.DONE.equals(scan.state())) {
            return List.of("the demo scan is " + scan.state() + (scan.error() == null ? "" : ": " + scan.error())
                    + "; see the web page");
        }
        JsonNode r = s.disclosure().report(s.scans().report(scanId), Disclosure.Audience.ADMIN);
        List<String> out = new ArrayList<>();
        for (JsonNode k : r.path("keys")) {
            out.add(String.format(Locale.ROOT, "corpus-level test, key %s: %s (log10 p = %.1f over %d distinct tuples)",
                    k.path("key_id").asText(), k.path("watermarked").asBoolean() ? "WATERMARKED" : "not detected",
                    k.path("log10_p").asDouble(), k.path("tokens_scored").asLong()));
        }
        int wm = 0;
        int plain = 0;
        int human = 0;
        for (JsonNode d : r.path("flagged_documents").path("documents")) {
            String id = d.path("doc_id").asText("");
            if (id.startsWith(DemoCorpus.WATERMARKED_PREFIX)) {
                wm++;
            } else if (id.startsWith(DemoCorpus.PLAIN_PREFIX)) {
                plain++;
            } else if (id.startsWith(DemoCorpus.HUMAN_PREFIX)) {
                human++;
            }
        }
        out.add(String.format(Locale.ROOT, "documents flagged one by one (alpha %s): %d of %d watermarked, "
                + "%d of %d unwatermarked LM, %d of %d human", r.path("alpha").asText(), wm, DemoCorpus.WATERMARKED_DOCS,
                plain, DemoCorpus.PLAIN_DOCS, human, DemoCorpus.HUMAN_DOCS));
        return out;
    }
}
