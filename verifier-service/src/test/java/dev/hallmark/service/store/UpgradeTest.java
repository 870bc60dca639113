package dev.hallmark.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.TestSupport;
import dev.hallmark.service.VerifierServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by the service before Flyway (schema 3, hand-written migrations;
 * {@code fixtures/h2-schema3}, see its README) is opened by this build and upgraded in place:
 * keys (secrets still decrypt and score as before), tokens (still authenticate; the revoked one
 * stays revoked), scans, reports and the audit log are all kept, the service runs new scans on
 * it, and builds from before Flyway would now refuse it.
 */
@ExtendWith(VertxExtension.class)
class UpgradeTest {

    static final Path FIXTURES = TestSupport.repo().resolve("verifier-service/src/test/resources/fixtures");
    static final String TEXT_SCAN = "scan_KkQ8Ffdwn1HynIiE";
    static final String DEMO_SCAN = "scan_x5Jrs14gD7ZR57KF";

    @TempDir
    Path dir;

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
    }

    static JsonObject expected(String name) throws IOException {
        return new JsonObject(Files.readString(FIXTURES.resolve("h2-schema3-expected").resolve(name + ".json")));
    }

    static Instant at(JsonObject o, String field) {
        return o.getString(field) == null ? null : Instant.parse(o.getString(field));
    }

    @Test
    void aDataDirectoryFromBeforeFlywayIsUpgradedInPlaceKeepingEverything(Vertx vertx) throws Exception {
        Path data = dir.resolve("data");
        copyTree(FIXTURES.resolve("h2-schema3"), data);
        String admin = Files.readString(data.resolve("admin-token")).trim();
        String alpha = Files.readString(data.resolve("alpha-token")).trim();
        String demo = Files.readString(data.resolve("demo-analyst-token")).trim();
        ServiceConfig cfg = TestSupport.config(data);
        try (VerifierServer s = VerifierServer.start(cfg)) {
            // the schema: baselined at the hand-written version 3, then Flyway's scripts 4 to 7
            assertEquals(7, s.store().schemaVersion());
            Database db = ((SqlStore) s.store()).database();
            assertEquals(List.of("3:BASELINE", "4:SQL", "5:SQL", "6:SQL", "7:SQL"), StoreTest.history(db));
            int legacyMax = db.with(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertEquals(4, legacyMax, "a build from before Flyway (which knows 3) now refuses this database");

            // keys: every field kept, and every secret still opens under the same master key
            JsonArray keys = expected("keys").getJsonArray("keys");
            List<KeyStore.Info> infos = s.keys().list();
            assertEquals(keys.size(), infos.size());
            for (int i = 0; i < keys.size(); i++) {
                JsonObject e = keys.getJsonObject(i);
                KeyStore.Info k = infos.get(i);
                assertEquals(e.getString("id"), k.id());
                assertEquals(e.getString("kind"), k.kind());
                assertEquals(e.getString("scheme"), k.scheme());
                assertEquals(e.getString("label"), k.label());
                assertEquals(e.getString("status"), k.status());
                assertEquals(e.getString("parent_id"), k.parentId());
                assertEquals(e.getString("derivation_path"), k.derivationPath());
                assertEquals(at(e, "created_at"), k.createdAt());
                assertEquals(at(e, "retired_at"), k.retiredAt());
                assertEquals(k.id(), s.keys().keyed(k).keyId(), "the secret of " + k.id() + " decrypts");
                assertNull(k.tenant(), "a key from before schema 5 is shared by every tenant");
            }

            // tokens: every record kept; their values still authenticate, the revoked one stays revoked
            JsonArray tokens = expected("tokens").getJsonArray("tokens");
            List<ApiTokens.Principal> ps = s.tokens().list();
            assertEquals(tokens.size(), ps.size());
            for (int i = 0; i < tokens.size(); i++) {
                JsonObject e = tokens.getJsonObject(i);
                ApiTokens.Principal p = ps.get(i);
                assertEquals(e.getString("id"), p.tokenId());
                assertEquals(e.getString("tenant"), p.tenant());
                assertEquals(e.getString("role"), p.role().text());
                assertEquals(e.getString("label"), p.label());
                assertEquals(at(e, "created_at"), p.createdAt());
                assertEquals(at(e, "revoked_at"), p.revokedAt());
            }
            assertEquals("admin", s.tokens().authenticate(admin).tenant());
            assertEquals("alpha", s.tokens().authenticate(alpha).tenant());
            assertEquals("demo", s.tokens().authenticate(demo).tenant());

            // scans and their reports
            Map<String, ScanStore.Scan> rows = new HashMap<>();
            s.scans().list(null, 100).forEach(x -> rows.put(x.id(), x));
            JsonArray scans = expected("scans").getJsonArray("scans");
            assertEquals(scans.size(), rows.size());
            for (int i = 0; i < scans.size(); i++) {
                JsonObject e = scans.getJsonObject(i);
                ScanStore.Scan x = rows.get(e.getString("id"));
                assertNotNull(x, e.getString("id"));
                assertEquals(e.getString("tenant"), x.tenant());
                assertEquals(e.getString("name"), x.name());
                assertEquals(ScanStore.DONE, x.state());
                assertEquals(e.getString("verdict"), x.verdict());
                assertEquals(e.getInteger("attempts"), x.attempts());
                assertEquals(e.getJsonArray("key_ids").getList(), x.keyIds());
                assertEquals(e.getJsonObject("progress").getLong("documents"), x.documents());
                assertEquals(e.getJsonObject("progress").getLong("tokens"), x.tokens());
                assertEquals(at(e, "created_at"), x.createdAt());
                assertEquals(at(e, "finished_at"), x.finishedAt());
                assertTrue(Files.isRegularFile(data.resolve(x.uploadFile())), "its corpus is kept");
            }
            JsonObject report = new JsonObject(s.scans().report(TEXT_SCAN));
            JsonObject want = expected("report-text");
            want.remove("quantized"); // added by the view at request time, not stored
            assertEquals(want, report, "the stored report is unchanged");
            assertNotNull(s.scans().report(DEMO_SCAN));

            // audit log
            JsonArray audit = expected("audit").getJsonArray("entries");
            List<AuditLog.Entry> entries = s.store().audit().latest(1000);
            assertEquals(audit.size(), entries.size());
            for (int i = 0; i < audit.size(); i++) {
                JsonObject e = audit.getJsonObject(i);
                AuditLog.Entry x = entries.get(i);
                assertEquals(e.getLong("id"), x.id());
                assertEquals(e.getString("action"), x.action());
                assertEquals(e.getString("target"), x.target());
                assertEquals(e.getString("token_id"), x.tokenId());
                assertEquals(at(e, "at"), x.at());
            }

            // and the service works on it: the tokens open the API, a migrated key scores as before
            TestSupport.Api api = new TestSupport.Api(vertx, s.port());
            assertEquals(200, api.get("/v1/keys", admin).status());
            // every tenant's analysts still test (and see) the keys registered before schema 5
            JsonArray alphaKeys = api.get("/v1/keys", alpha).json().getJsonArray("keys");
            assertEquals(infos.size(), alphaKeys.size(), alphaKeys::encode);
            JsonArray mine = api.get("/v1/scans", alpha).json().getJsonArray("scans");
            assertEquals(TEXT_SCAN, mine.getJsonObject(0).getString("id"));
            String keyId = report.getJsonArray("keys").getJsonObject(0).getString("key_id");
            byte[] corpus = Files.readAllBytes(data.resolve(rows.get(TEXT_SCAN).uploadFile()));
            TestSupport.Resp up = api.upload("?format=text&key_ids=" + keyId, alpha, "text/plain", Buffer.buffer(corpus));
            assertEquals(201, up.status(), up.body()::toString);
            String again = up.json().getString("id");
            api.awaitDone(again, alpha);
            JsonObject k0 = report.getJsonArray("keys").getJsonObject(0);
            JsonObject k1 = new JsonObject(s.scans().report(again)).getJsonArray("keys").getJsonObject(0);
            for (String f : List.of("key_id", "tokens_seen", "tokens_scored", "score_sum")) {
                assertEquals(k0.getValue(f), k1.getValue(f), f + ": the migrated key scores the corpus as before");
            }
            // the key retired before the upgrade stays retired, the new state is new rows only
            assertFalse(s.keys().list().stream().filter(k -> k.scheme().startsWith("gumbel")).findFirst().orElseThrow()
                    .active());
        }
        // a second start finds nothing to migrate
        try (VerifierServer s = VerifierServer.start(cfg)) {
            assertEquals(List.of("3:BASELINE", "4:SQL", "5:SQL", "6:SQL", "7:SQL"), StoreTest.history(((SqlStore) s.store()).database()));
            assertNull(s.tokens().authenticate("hm_not-a-token"));
        }
    }
}
