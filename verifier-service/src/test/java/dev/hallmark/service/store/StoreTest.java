package dev.hallmark.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hallmark.service.Corpora;
import dev.hallmark.service.PgServer;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.TestSupport;
import dev.hallmark.service.TestSupport.Backend;
import dev.hallmark.service.VerifierServer;
import dev.hallmark.corpus.CorpusFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store through a running service, on the embedded database and on PostgreSQL: secrets
 * encrypted at rest, hashed tokens, restart, migrations (recorded once, a newer schema refused,
 * databases of the hand-written migrator upgraded), lost uploads, orphan files.
 */
class StoreTest {

    @TempDir
    Path dir;

    /** Every file under {@code root}, concatenated (Latin-1, so byte searches are String searches). */
    static String allBytes(Path root) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                try {
                    all.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    // a file the server removed meanwhile
                }
            }
        }
        return all.toString();
    }

    static boolean contains(String hay, byte[] needle) {
        return hay.contains(new String(needle, StandardCharsets.ISO_8859_1));
    }

    static final String SYNTHID_KEYS = "[4371257431375131705, 1820801989368220984, 222681842206352465]";

    @ParameterizedTest
    @EnumSource(Backend.class)
    void secretsAndTokensNeverReachTheDiskInTheClear(Backend backend) throws Exception {
        Path data = dir.resolve("data");
        byte[] secret = TestSupport.secret("at rest " + backend);
        String token;
        String keyId;
        ServiceConfig cfg = TestSupport.config(data, backend);
        try (TestSupport.Env env = new TestSupport.Env(data, cfg)) {
            keyId = env.server.keys().register("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "at rest", secret).id();
            token = env.admin;
            env.server.keys().registerSynthId(null, "synthid at rest", SYNTHID_KEYS);
        }
        String disk;
        if (backend == Backend.H2) {
            disk = allBytes(data.resolve("db"));
        } else {
            // table files and write-ahead log of the whole server
            PgServer.get().admin("CHECKPOINT");
            disk = allBytes(PgServer.get().dataDir());
        }
        assertTrue(disk.length() > 0);
        assertTrue(contains(disk, keyId.getBytes(StandardCharsets.US_ASCII)), "the search itself works: ids are stored");
        assertFalse(contains(disk, secret), "raw key secret not on disk");
        assertFalse(contains(disk, TestSupport.b64(secret).getBytes(StandardCharsets.US_ASCII)), "nor in Base64");
        assertFalse(contains(disk, token.getBytes(StandardCharsets.US_ASCII)), "API token not on disk");
        assertTrue(contains(disk, dev.hallmark.interop.SynthIdKeys.parse(SYNTHID_KEYS).id().getBytes(StandardCharsets.US_ASCII)));
        assertFalse(contains(disk, "4371257431375131705".getBytes(StandardCharsets.US_ASCII)), "SynthID key not on disk");
        assertFalse(contains(disk, SYNTHID_KEYS.getBytes(StandardCharsets.US_ASCII)), "nor the key set's JSON");
        assertTrue(contains(disk, ApiTokens.sha256(token).getBytes(StandardCharsets.US_ASCII)), "only its SHA-256");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void restartKeepsEverythingAndAWrongMasterKeyIsRefused(Backend backend) throws Exception {
        Path data = dir.resolve("data");
        String keyId;
        String alpha;
        ServiceConfig cfg = TestSupport.config(data, backend);
        try (TestSupport.Env env = new TestSupport.Env(data, cfg)) {
            keyId = env.key1.id();
            alpha = env.alpha;
        }
        try (VerifierServer s = VerifierServer.start(cfg)) {
            assertEquals("alpha", s.tokens().authenticate(alpha).tenant());
            KeyStore.Info k = s.keys().get(keyId);
            assertNotNull(k);
            assertEquals(keyId, s.keys().keyed(k).keyId(), "secret decrypts to the same key after restart");
        }
        // another master key cannot open the stored secrets: refused at start, before any request fails on it
        String right = Files.readString(data.resolve("master.key"));
        Files.writeString(data.resolve("master.key"), TestSupport.b64(TestSupport.secret("other master")) + "\n");
        IOException e = assertThrows(IOException.class, () -> VerifierServer.start(cfg).close());
        assertTrue(e.getMessage().contains("is not the one this database's key secrets are sealed with: start every "
                + "instance with the same master key"), e.getMessage());
        assertFalse(e.getMessage().contains(TestSupport.b64(TestSupport.secret("other master"))), "the key is not shown");
        // a database from before the check (no check value yet) is tested on its oldest key instead
        try (Store st = Store.open(data, cfg.cluster().database(), new java.security.SecureRandom(), "t/1")) {
            fail("opened with the wrong master key: " + st);
        } catch (IOException expected) {
            // as above
        }
        Files.writeString(data.resolve("master.key"), right);
        try (VerifierServer s = VerifierServer.start(cfg)) {
            ((SqlStore) s.store()).database().with(c -> c.createStatement().executeUpdate(
                    "DELETE FROM settings WHERE name = '" + SqlStore.MASTER_KEY_CHECK + "'"));
        }
        Files.writeString(data.resolve("master.key"), TestSupport.b64(TestSupport.secret("other master")) + "\n");
        IOException old = assertThrows(IOException.class, () -> VerifierServer.start(cfg).close());
        assertTrue(old.getMessage().contains("is not the one this database's key secrets are sealed with"), old.getMessage());
        Files.writeString(data.resolve("master.key"), right);
        try (VerifierServer s = VerifierServer.start(cfg)) {
            assertEquals(keyId, s.keys().keyed(s.keys().get(keyId)).keyId(), "the right key still opens everything");
        }
    }

    /** Runs the embedded database's migration scripts 1..{@code upTo} the way the hand-written migrator did. */
    static void legacySchema(DataSource ds, int upTo) throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE schema_version (version INT PRIMARY KEY, description VARCHAR(200) NOT NULL, "
                    + "applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
            String[] names = {"V1__tokens_keys_scans_reports_audit_log.sql", "V2__scan_verdict.sql",
                    "V3__key_kinds_scan_scheme_params.sql"};
            for (int v = 1; v <= upTo; v++) {
                String sql;
                try (var in = StoreTest.class.getResourceAsStream("/db/migration/h2/" + names[v - 1])) {
                    sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                for (String stmt : sql.replaceAll("(?m)^--.*$", "").split(";")) {
                    if (!stmt.isBlank()) {
                        s.execute(stmt);
                    }
                }
                s.execute("INSERT INTO schema_version VALUES (" + v + ", 'legacy " + v + "', CURRENT_TIMESTAMP)");
            }
        }
    }

    static JdbcDataSource h2(Path db) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + db.resolve("hallmark") + ";DB_CLOSE_ON_EXIT=FALSE");
        ds.setUser("hallmark");
        ds.setPassword("");
        return ds;
    }

    @Test
    void aVersion2StoreOfTheHandWrittenMigratorIsUpgradedInPlace() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        // a store as a release before schema 3 left it: schema 2, one sealed Hallmark key
        JdbcDataSource ds = h2(data.resolve("db"));
        SecretBox box = SecretBox.load(data, new java.security.SecureRandom());
        dev.hallmark.key.WatermarkKey key = dev.hallmark.key.WatermarkKey.fromSecret(TestSupport.secret("v2 key"));
        legacySchema(ds, 2);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO wm_keys(id, scheme, "
                + "label, status, secret_enc, created_at) VALUES (?, 'kgw:gamma=0.25,delta=2,context=1,seeding=lefthash', "
                + "'old', 'active', ?, CURRENT_TIMESTAMP)")) {
            ps.setString(1, key.id());
            ps.setBytes(2, box.seal(key.exportSecret(), key.id()));
            ps.executeUpdate();
        }
        try (VerifierServer s = VerifierServer.start(TestSupport.config(data))) {
            assertEquals(7, s.store().schemaVersion());
            KeyStore.Info k = s.keys().get(key.id());
            assertNull(k.tenant(), "keys from before migration 5 are shared by every tenant");
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
            List<String> history = history(((SqlStore) s.store()).database());
            assertEquals(List.of("2:BASELINE", "3:SQL", "4:SQL", "5:SQL", "6:SQL", "7:SQL"), history, "baselined at 2, then scripts 3 to 7");
        }
    }

    @Test
    void aLegacySchemaNewerThanTheHandWrittenMigratorKnewIsRefused() throws Exception {
        Path db = dir.resolve("db");
        JdbcDataSource ds = h2(db);
        legacySchema(ds, 3);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version VALUES (9, 'a hand-written step this build never saw', CURRENT_TIMESTAMP)");
        }
        SQLException e = assertThrows(SQLException.class, () -> Database.openEmbedded(db));
        assertTrue(e.getMessage().contains("database schema version 9 is newer than this build knows (3)"), e.getMessage());
    }

    /** The rows of Flyway's history: version and type, in order of installation. */
    static List<String> history(Database d) {
        return d.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT \"version\", \"type\" FROM \"" + Migrations.HISTORY
                    + "\" WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\""); ResultSet rs = ps.executeQuery()) {
                List<String> v = new ArrayList<>();
                while (rs.next()) {
                    v.add(rs.getString(1) + ":" + rs.getString(2));
                }
                return v;
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrationsAreRecordedOnceAndANewerSchemaIsRefused(Backend backend) throws Exception {
        Path db = dir.resolve("db");
        DatabaseConfig pg = backend == Backend.H2 ? null : PgServer.get().newDatabase();
        Opener open = () -> backend == Backend.H2 ? Database.openEmbedded(db) : Database.openPostgres(pg);
        try (Database d = open.open()) {
            assertEquals(7, d.schemaVersion());
            assertEquals(List.of("1:SQL", "2:SQL", "3:SQL", "4:SQL", "5:SQL", "6:SQL", "7:SQL"), history(d));
        }
        try (Database d = open.open()) {
            assertEquals(7, d.schemaVersion());
            assertEquals(7, history(d).size(), "re-opening applies nothing twice");
            // builds from before Flyway see schema_version 4 (Flyway's script 4 wrote it) and refuse the database
            int legacyMax = d.with(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertEquals(4, legacyMax);
        }
        // a newer build adds migration 8 (a test script), then this build meets the database again
        DataSource ds;
        if (backend == Backend.H2) {
            ds = h2(db);
        } else {
            PGSimpleDataSource p = new PGSimpleDataSource();
            p.setURL(pg.url());
            p.setUser(pg.user());
            p.setPassword(PgServer.ROLE_PASSWORD);
            ds = p;
        }
        Dialect dialect = backend == Backend.H2 ? Dialect.H2 : Dialect.POSTGRESQL;
        Migrations.configure(ds, dialect).locations("classpath:db/migration/" + dialect.vendor,
                "classpath:db/future/" + dialect.vendor).load().migrate();
        SQLException e = assertThrows(SQLException.class, open::open);
        assertTrue(e.getMessage().contains("database schema version 8 is newer than this build knows (7)"), e.getMessage());
        assertTrue(e.getMessage().contains("refusing to open it with an older Hallmark"), e.getMessage());
    }

    @FunctionalInterface
    interface Opener {
        Database open() throws SQLException, IOException;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aScanWhoseUploadVanishedIsMarkedFailedWithTheReason(Backend backend) throws Exception {
        Path data = dir.resolve("data");
        String id;
        ServiceConfig cfg = TestSupport.config(data, backend);
        try (TestSupport.Env env = new TestSupport.Env(data, cfg)) {
            Path corpus = dir.resolve("c.jsonl");
            Files.writeString(corpus, Corpora.mixedJsonl(Corpora.human().subList(0, 2), List.of()));
            ApiTokens.Principal p = env.server.tokens().authenticate(env.alpha);
            id = env.server.storeUpload(corpus, "vanishing", CorpusFormat.JSONL, "text", 1e-3, null, p).id();
            // wait for it, then pretend the process died while it was running (its lease long expired)
            for (int i = 0; i < 600 && !env.server.scans().get(id).state().equals(ScanStore.DONE); i++) {
                Thread.sleep(50);
            }
            ((SqlStore) env.server.store()).database().with(c -> c.createStatement().executeUpdate(
                    "UPDATE scans SET state = 'running', lease_owner = 'dead/1', lease_expires_at = NULL WHERE id = '"
                            + id + "'"));
            Files.delete(data.resolve(env.server.scans().get(id).uploadFile()));
        }
        try (VerifierServer s = VerifierServer.start(cfg)) {
            ScanStore.Scan sc = s.scans().get(id);
            for (int i = 0; i < 200 && !sc.state().equals(ScanStore.FAILED); i++) {
                Thread.sleep(50);
                sc = s.scans().get(id);
            }
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
    void aSharedDataDirectoryKeepsOtherInstancesUploadsInFlight() throws Exception {
        Path data = dir.resolve("data");
        ServiceConfig cfg = TestSupport.config(data, Backend.POSTGRESQL);
        try (TestSupport.Env env = new TestSupport.Env(data, cfg)) {
            assertNotNull(env.server);
        }
        // another instance's upload arriving now, and leftovers of an instance that died long ago
        Path fresh = Files.writeString(data.resolve("uploads").resolve("scan_live.part"), "arriving");
        Path stale = Files.writeString(data.resolve("uploads").resolve("scan_dead.part"), "abandoned");
        Path staleDir = Files.createDirectories(data.resolve("scans").resolve("scan_orphan"));
        Files.writeString(staleDir.resolve("upload"), "no row");
        FileTime old = FileTime.from(Instant.now().minus(VerifierServer.sharedOrphanAge()).minusSeconds(60));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(staleDir, old);
        try (VerifierServer s = VerifierServer.start(cfg)) {
            assertTrue(s.port() > 0);
            assertTrue(Files.exists(fresh), "an upload in flight on another instance is kept");
            assertFalse(Files.exists(stale));
            assertFalse(Files.exists(staleDir));
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
                keys.family(KeyScope.ALL, "synthid-ref:ngram_len=3,context_history=" + h, List.of(sid.id()));
                assertTrue(keys.cachedVariants() <= KeyStore.MAX_VARIANTS, "at most " + KeyStore.MAX_VARIANTS);
            }
            assertEquals(KeyStore.MAX_VARIANTS, keys.cachedVariants());
            keys.retire(sid.id());
            assertEquals(0, keys.cachedVariants(), "a retired key leaves the cache");
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
            env.server.storeUpload(corpus, "modes", CorpusFormat.JSONL, "text", 1e-3, null, p);
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
