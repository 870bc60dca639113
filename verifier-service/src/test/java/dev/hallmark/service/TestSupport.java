package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.text.Tokenizers;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real server on localhost with fixed keys and one token per role/tenant, and a validating client
 * (public: the tests of the layer packages use it too).
 */
public final class TestSupport {

    private TestSupport() {}

    public static Path repo() {
        String r = System.getProperty("hallmark.repo");
        Path p = r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("docs/openapi.yaml"))) {
            p = Path.of("").toAbsolutePath().getParent();
        }
        return p;
    }

    public static ServiceConfig config(Path dataDir) {
        return ServiceConfig.defaults(dataDir).withPort(0).withRate(1000, 10_000).withThreads(2, 1);
    }

    /** The two databases the store runs on; tests of the store run on both. */
    public enum Backend { H2, POSTGRESQL }

    /**
     * {@link #config(Path)} on {@code backend}: the embedded database in the data directory, or a
     * fresh database on the test run's PostgreSQL server ({@link PgServer}).
     */
    public static ServiceConfig config(Path dataDir, Backend backend) {
        ServiceConfig c = config(dataDir);
        return backend == Backend.H2 ? c : c.withCluster(c.cluster().withDatabase(PgServer.get().newDatabase()));
    }

    /** Fixed key secrets (tests are reproducible): 32 bytes each, derived from a label. */
    public static byte[] secret(String label) {
        byte[] b = new byte[32];
        byte[] l = label.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (l[i % l.length] * 31 + i * 7);
        }
        return b;
    }

    /** A started server with two keys and tokens: admin, analyst of tenant alpha, analyst of tenant beta. */
    public static final class Env implements AutoCloseable {
        public final VerifierServer server;
        public final Path dataDir;
        public final String admin;
        public final String alpha;
        public final String beta;
        public final String revoked;
        public final KeyStore.Info key1;
        public final KeyStore.Info key2;

        public Env(Path dataDir, ServiceConfig cfg) throws Exception {
            this.dataDir = dataDir;
            this.server = VerifierServer.start(cfg);
            this.admin = server.tokens().create("admin", ApiTokens.Role.ADMIN, "test admin").token();
            this.alpha = server.tokens().create("alpha", ApiTokens.Role.ANALYST, "alpha analyst").token();
            this.beta = server.tokens().create("beta", ApiTokens.Role.ANALYST, "beta analyst").token();
            ApiTokens.Created r = server.tokens().create("alpha", ApiTokens.Role.ANALYST, "revoked");
            server.tokens().revoke(r.principal().tokenId());
            this.revoked = r.token();
            this.key1 = server.keys().register("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "key one",
                    secret("key one"));
            this.key2 = server.keys().register("kgw:gamma=0.25,delta=2,context=2,seeding=lefthash", "key two",
                    secret("key two"));
        }

        public static Env start(Path dataDir) throws Exception {
            return new Env(dataDir, config(dataDir));
        }

        public static Env start(Path dataDir, Backend backend) throws Exception {
            return new Env(dataDir, config(dataDir, backend));
        }

        public int port() {
            return server.port();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** A response, already checked against docs/openapi.yaml. */
    public record Resp(int status, String contentType, MultiMap headers, Buffer body) {
        public JsonObject json() {
            return body.toJsonObject();
        }

        /** Asserts a problem body of this status whose type ends with {@code type} and whose detail contains {@code detail}. */
        public JsonObject problem(int st, String type, String detail) {
            assertEquals(st, status, () -> "status; body: " + body);
            assertEquals("application/problem+json", contentType, "problem media type");
            JsonObject p = json();
            assertEquals("/problems/" + type, p.getString("type"), () -> "problem type; body: " + body);
            assertEquals(st, p.getInteger("status"));
            if (!p.getString("detail").contains(detail)) {
                fail("problem detail should contain '" + detail + "' but was: " + p.getString("detail"));
            }
            return p;
        }
    }

    /** A blocking HTTP client on a vertx-junit5 Vertx; every request and response is checked against the spec. */
    public static final class Api {
        final WebClient client;
        final int port;
        final OpenApi spec = OpenApi.get();

        public Api(Vertx vertx, int port) {
            this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
                    .setFollowRedirects(false));
            this.port = port;
        }

        public Resp call(HttpMethod m, String path, String token, String contentType, Buffer body, Map<String, String> headers,
                boolean validRequest) {
            HttpRequest<Buffer> req = client.request(m, path);
            if (token != null) {
                req.putHeader("Authorization", "Bearer " + token);
            }
            if (contentType != null) {
                req.putHeader("Content-Type", contentType);
            }
            headers.forEach(req::putHeader);
            if (validRequest && spec.template(path) != null) {
                spec.validateRequest(m.name(), path, contentType, body);
            }
            try {
                HttpResponse<Buffer> r = (body == null ? req.send() : req.sendBuffer(body))
                        .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
                Buffer b = r.body() == null ? Buffer.buffer() : r.body();
                String ct = r.getHeader("Content-Type");
                spec.validateResponse(m.name(), path, r.statusCode(), ct, b);
                return new Resp(r.statusCode(), ct == null ? null : ct.split(";")[0], r.headers(), b);
            } catch (Exception e) {
                throw new AssertionError(m + " " + path + " failed: " + e, e);
            }
        }

        public Resp get(String path, String token) {
            return call(HttpMethod.GET, path, token, null, null, Map.of(), true);
        }

        public Resp delete(String path, String token) {
            return call(HttpMethod.DELETE, path, token, null, null, Map.of(), true);
        }

        public Resp post(String path, String token, JsonObject body) {
            return call(HttpMethod.POST, path, token, "application/json", body.toBuffer(), Map.of(), true);
        }

        /** A request that is meant to be wrong: the request is not checked, the response is. */
        public Resp raw(HttpMethod m, String path, String token, String contentType, Buffer body) {
            return call(m, path, token, contentType, body, Map.of(), false);
        }

        public Resp upload(String query, String token, String contentType, Buffer body) {
            return call(HttpMethod.POST, "/v1/scans" + query, token, contentType, body, Map.of(), false);
        }

        /** Polls a scan until {@code until} holds (bounded: 120 s). */
        public JsonObject awaitScan(String id, String token, Predicate<JsonObject> until) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            JsonObject s;
            do {
                Resp r = get("/v1/scans/" + id, token);
                assertEquals(200, r.status(), () -> "scan " + id + ": " + r.body());
                s = r.json();
                if (until.test(s)) {
                    return s;
                }
                Thread.sleep(100);
            } while (System.nanoTime() < end);
            throw new AssertionError("scan " + id + " did not reach the expected state: " + s);
        }

        public JsonObject awaitDone(String id, String token) throws InterruptedException {
            JsonObject s = awaitScan(id, token, x -> !x.getString("state").equals("queued")
                    && !x.getString("state").equals("running"));
            assertEquals("done", s.getString("state"), () -> "scan ended " + s);
            return s;
        }
    }

    public static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    public static Path tokenizer() {
        return Tokenizers.locate(System::getProperty, System::getenv).path();
    }
}
