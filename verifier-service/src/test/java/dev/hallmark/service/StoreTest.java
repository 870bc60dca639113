package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store: migrations, secrets encrypted at rest, hashed tokens, restart, lost uploads. */
class StoreTest {

    @TempDir
    Path dir;

    static byte[] allBytes(Path root) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                all.write(Files.readAllBytes(p));
            }
        }
        return all.toByteArray();
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void secretsAndTokensNeverReachTheDiskInTheClear() throws Exception {
        Path data = dir.resolve("data");
        byte[] secret = TestSupport.secret("at rest");
        String token;
        String keyId;
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            keyId = env.server.keys().register("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "at rest", secret).id();
            token = env.admin;
        }
        byte[] disk = allBytes(data.resolve("db"));
        assertTrue(disk.length > 0);
        assertTrue(contains(disk, keyId.getBytes(StandardCharsets.US_ASCII)), "the search itself works: ids are stored");
        assertFalse(contains(disk, secret), "raw key secret not on disk");
        assertFalse(contains(disk, TestSupport.b64(secret).getBytes(StandardCharsets.US_ASCII)), "nor in Base64");
        assertFalse(contains(disk, token.getBytes(StandardCharsets.US_ASCII)), "API token not on disk");
        assertTrue(contains(disk, ApiTokens.sha256(token).getBytes(StandardCharsets.US_ASCII)), "only its SHA-256");
    }

    @Test
    void restartKeepsEverythingAndAWrongMasterKeyIsRefused() throws Exception {
        Path data = dir.resolve("data");
        String keyId;
        String alpha;
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            keyId = env.key1.id();
            alpha = env.alpha;
        }
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            assertEquals("alpha", s.tokens().authenticate(alpha).tenant());
            KeyStore.Info k = s.keys().get(keyId);
            assertNotNull(k);
            assertEquals(keyId, s.keys().keyed(k).keyId(), "secret decrypts to the same key after restart");
        }
        // another master key cannot open the stored secrets
        Files.writeString(data.resolve("master.key"), TestSupport.b64(TestSupport.secret("other master")) + "\n");
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            KeyStore.Info k = s.keys().get(keyId);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.keys().keyed(k));
            assertTrue(e.getMessage().contains("wrong master key or tampered database"), e.getMessage());
        }
    }

    @Test
    void migrationsAreRecordedIdempotentAndNeverDowngraded() throws Exception {
        Path db = dir.resolve("db");
        try (Database d = Database.open(db)) {
            assertEquals(Database.MIGRATIONS.size(), d.schemaVersion());
            List<Integer> versions = d.with(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_version ORDER BY version");
                        ResultSet rs = ps.executeQuery()) {
                    List<Integer> v = new java.util.ArrayList<>();
                    while (rs.next()) {
                        v.add(rs.getInt(1));
                    }
                    return v;
                }
            });
            assertEquals(Database.MIGRATIONS.stream().map(Database.Migration::version).toList(), versions);
        }
        try (Database d = Database.open(db)) {
            assertEquals(Database.MIGRATIONS.size(), d.schemaVersion(), "re-opening applies nothing twice");
        }
        // a later migration applies on the next open, once
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + db.resolve("hallmark") + ";DB_CLOSE_ON_EXIT=FALSE",
                "hallmark", "");
        try {
            List<Database.Migration> more = new java.util.ArrayList<>(Database.MIGRATIONS);
            more.add(new Database.Migration(Database.MIGRATIONS.size() + 1, "test column",
                    List.of("ALTER TABLE scans ADD COLUMN IF NOT EXISTS test_note VARCHAR(10)")));
            assertEquals(Database.MIGRATIONS.size() + 1, Database.migrate(pool, more));
            assertEquals(Database.MIGRATIONS.size() + 1, Database.migrate(pool, more));
        } finally {
            pool.dispose();
        }
        SQLException e = assertThrows(SQLException.class, () -> Database.open(db));
        assertTrue(e.getMessage().contains("is newer than this build knows"), e.getMessage());
    }

    @Test
    void aScanWhoseUploadVanishedIsMarkedFailedWithTheReason() throws Exception {
        Path data = dir.resolve("data");
        String id;
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            Path corpus = dir.resolve("c.jsonl");
            Files.writeString(corpus, Corpora.mixedJsonl(Corpora.human().subList(0, 2), List.of()));
            ApiTokens.Principal p = env.server.tokens().authenticate(env.alpha);
            id = env.server.storeUpload(corpus, "vanishing", CorpusReader.Format.JSONL, "text", 1e-3, p).id();
            // wait for it, then pretend the process died while it was running
            for (int i = 0; i < 600 && !env.server.scans().get(id).state().equals(ScanStore.DONE); i++) {
                Thread.sleep(50);
            }
            env.server.database().with(c -> c.createStatement().executeUpdate(
                    "UPDATE scans SET state = 'running' WHERE id = '" + id + "'"));
            Files.delete(data.resolve(env.server.scans().get(id).uploadFile()));
        }
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            ScanStore.Scan sc = s.scans().get(id);
            assertEquals(ScanStore.FAILED, sc.state());
            assertTrue(sc.error().contains("upload file is missing"), sc.error());
        }
    }

    @Test
    void orphanFilesAreSweptAtStart() throws Exception {
        Path data = dir.resolve("data");
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            assertNotNull(env.server);
        }
        Files.writeString(data.resolve("uploads").resolve("scan_x.part"), "half an upload");
        Files.createDirectories(data.resolve("scans").resolve("scan_orphan"));
        Files.writeString(data.resolve("scans").resolve("scan_orphan").resolve("upload"), "no row");
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            assertTrue(s.port() > 0);
            assertFalse(Files.exists(data.resolve("uploads").resolve("scan_x.part")));
            assertFalse(Files.exists(data.resolve("scans").resolve("scan_orphan")));
        }
    }
}
