package dev.hallmark.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.Corpora;
import dev.hallmark.service.TestSupport;
import dev.hallmark.service.VerifierServer;
import dev.hallmark.service.scan.CorpusReader;
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

    static final String SYNTHID_KEYS = "[4371257431375131705, 1820801989368220984, 222681842206352465]";

    @Test
    void secretsAndTokensNeverReachTheDiskInTheClear() throws Exception {
        Path data = dir.resolve("data");
        byte[] secret = TestSupport.secret("at rest");
        String token;
        String keyId;
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            keyId = env.server.keys().register("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "at rest", secret).id();
            token = env.admin;
            env.server.keys().registerSynthId(null, "synthid at rest", SYNTHID_KEYS);
        }
        byte[] disk = allBytes(data.resolve("db"));
        assertTrue(disk.length > 0);
        assertTrue(contains(disk, keyId.getBytes(StandardCharsets.US_ASCII)), "the search itself works: ids are stored");
        assertFalse(contains(disk, secret), "raw key secret not on disk");
        assertFalse(contains(disk, TestSupport.b64(secret).getBytes(StandardCharsets.US_ASCII)), "nor in Base64");
        assertFalse(contains(disk, token.getBytes(StandardCharsets.US_ASCII)), "API token not on disk");
        assertTrue(contains(disk, dev.hallmark.interop.SynthIdKeys.parse(SYNTHID_KEYS).id().getBytes(StandardCharsets.US_ASCII)));
        assertFalse(contains(disk, "4371257431375131705".getBytes(StandardCharsets.US_ASCII)), "SynthID key not on disk");
        assertFalse(contains(disk, SYNTHID_KEYS.getBytes(StandardCharsets.US_ASCII)), "nor the key set's JSON");
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
    void aVersion2StoreMigratesAndKeepsItsKeysUsable() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        // a store as the previous release left it: schema 2, one sealed Hallmark key
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + data.resolve("db").resolve("hallmark")
                + ";DB_CLOSE_ON_EXIT=FALSE", "hallmark", "");
        SecretBox box = SecretBox.load(data, new java.security.SecureRandom());
        dev.hallmark.key.WatermarkKey key = dev.hallmark.key.WatermarkKey.fromSecret(TestSupport.secret("v2 key"));
        try {
            assertEquals(2, Database.migrate(pool, Database.MIGRATIONS.subList(0, 2)));
            try (var c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO wm_keys(id, scheme, "
                    + "label, status, secret_enc, created_at) VALUES (?, 'kgw:gamma=0.25,delta=2,context=1,seeding=lefthash', "
                    + "'old', 'active', ?, CURRENT_TIMESTAMP)")) {
                ps.setString(1, key.id());
                ps.setBytes(2, box.seal(key.exportSecret(), key.id()));
                ps.executeUpdate();
            }
        } finally {
            pool.dispose();
        }
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            assertEquals(Database.MIGRATIONS.size(), s.store().schemaVersion());
            KeyStore.Info k = s.keys().get(key.id());
            assertEquals(KeyStore.KIND_HALLMARK, k.kind(), "keys from before migration 3 are Hallmark keys");
            assertEquals(key.id(), s.keys().keyed(k).keyId());
            // and the widened secret column takes a large SynthID key set
            long[] many = new long[1024];
            for (int i = 0; i < many.length; i++) {
                many[i] = Long.MAX_VALUE - 7L * i;
            }
            KeyStore.Info sid = s.keys().registerSynthId(null, "1,024 layers",
                    dev.hallmark.interop.SynthIdKeys.of(many).toJson());
            assertEquals(1024, ((dev.hallmark.scheme.SynthIdRefKeyed) s.keys().keyed(sid)).depth());
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
            id = env.server.storeUpload(corpus, "vanishing", CorpusReader.Format.JSONL, "text", 1e-3, null, p).id();
            // wait for it, then pretend the process died while it was running
            for (int i = 0; i < 600 && !env.server.scans().get(id).state().equals(ScanStore.DONE); i++) {
                Thread.sleep(50);
            }
            ((EmbeddedStore) env.server.store()).database().with(c -> c.createStatement().executeUpdate(
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

    @Test
    void theDecryptedKeyCacheIsBounded() throws Exception {
        Path data = dir.resolve("data");
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            KeyStore keys = env.server.keys();
            KeyStore.Info sid = keys.registerSynthId(null, "cache bound", SYNTHID_KEYS);
            for (int h = 1; h <= 3 * KeyStore.MAX_VARIANTS; h++) {
                // every distinct caller-chosen spec would have stayed decrypted in memory for good
                keys.family("synthid-ref:ngram_len=3,context_history=" + h, List.of(sid.id()));
                assertTrue(keys.cachedVariants() <= KeyStore.MAX_VARIANTS, "at most " + KeyStore.MAX_VARIANTS);
            }
            assertEquals(KeyStore.MAX_VARIANTS, keys.cachedVariants());
            keys.retire(sid.id());
            assertEquals(0, keys.cachedVariants(), "a retired key leaves the cache");
        }
    }

    @Test
    void theDailyUseIsKeptPerSubjectAndDay() throws Exception {
        try (Database d = Database.open(dir.resolve("db"))) {
            H2UsageStore u = new H2UsageStore(d);
            java.time.LocalDate day = java.time.LocalDate.of(2026, 12, 7);
            assertEquals(new UsageStore.Totals(0, 0), u.get("token:a", day));
            u.add("token:a", day, 3, 500);
            u.add("token:a", day, 2, 100);
            u.add("token:a", day.plusDays(1), 1, 1);
            u.add("tenant:t", day, 5, 600);
            assertEquals(new UsageStore.Totals(5, 600), u.get("token:a", day));
            assertEquals(new UsageStore.Totals(1, 1), u.get("token:a", day.plusDays(1)));
            u.add("token:a", day, 0, -10_000);
            assertEquals(new UsageStore.Totals(5, 0), u.get("token:a", day), "a correction never goes below zero");
        }
    }

    @Test
    void dataDirectoryDatabaseAndUploadsAreOwnerOnlyWhateverTheUmask() throws Exception {
        Path data = dir.resolve("data");
        // a data directory made earlier with group/other bits (e.g. by an older build, or by hand)
        Files.createDirectories(data.resolve("db"));
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            Path corpus = dir.resolve("c.jsonl");
            Files.writeString(corpus, Corpora.mixedJsonl(Corpora.human().subList(0, 2), List.of()));
            ApiTokens.Principal p = env.server.tokens().authenticate(env.alpha);
            env.server.storeUpload(corpus, "modes", CorpusReader.Format.JSONL, "text", 1e-3, null, p);
            assertOwnerOnly(data);
        }
        assertOwnerOnly(data);
    }

    /** Every directory under {@code root} is 0700 and every file 0600. */
    static void assertOwnerOnly(Path root) throws IOException {
        try (Stream<Path> w = Files.walk(root)) {
            for (Path p : w.toList()) {
                String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, root.relativize(p).toString());
            }
        }
    }

    @Test
    void shutdownLeavesNoAlreadyClosedTraces() throws Exception {
        Path data = dir.resolve("data");
        try (TestSupport.Env env = TestSupport.Env.start(data)) {
            assertNotNull(env.server.scans().list(null, 1));
        }
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            assertNotNull(s.scans().list(null, 1));
        }
        Path trace = data.resolve("db").resolve("hallmark.trace.db");
        assertFalse(Files.exists(trace), () -> "H2 wrote a trace file (as it does for 'Database is already closed'): "
                + readQuietly(trace));
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
