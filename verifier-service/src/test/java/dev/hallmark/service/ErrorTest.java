package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every error class gets a 4xx problem body naming the problem, and leaves the store as it was:
 * after each failed upload there is no new scan, no file left behind, and an earlier scan's
 * report is unchanged.
 */
@ExtendWith(VertxExtension.class)
class ErrorTest {

    static final long BODY_LIMIT = 64 * 1024;
    static final long UPLOAD_LIMIT = 8L << 20;
    static final long DECOMPRESSED_LIMIT = 4L << 20;

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static String goodScan;
    static JsonObject goodReport;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        Path data = dir.resolve("data");
        env = new TestSupport.Env(data, TestSupport.config(data)
                .withLimits(BODY_LIMIT, UPLOAD_LIMIT, DECOMPRESSED_LIMIT, 50));
        api = new TestSupport.Api(vertx, env.port());
        String corpus = Corpora.mixedJsonl(Corpora.human().subList(0, 5), List.of());
        TestSupport.Resp up = api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer(corpus));
        assertEquals(201, up.status(), up.body()::toString);
        goodScan = up.json().getString("id");
        goodReport = api.awaitDone(goodScan, env.alpha).getJsonObject("report");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    /** After every test: the earlier scan is intact and nothing else exists. */
    @AfterEach
    void storeUndamaged() throws IOException {
        JsonArray scans = api.get("/v1/scans", env.admin).json().getJsonArray("scans");
        assertEquals(1, scans.size(), () -> "no partial scan may be stored: " + scans);
        assertEquals(goodReport, api.get("/v1/scans/" + goodScan + "/report", env.alpha).json());
        try (Stream<Path> s = Files.list(env.dataDir.resolve("uploads"))) {
            assertEquals(List.of(), s.toList(), "no temporary upload left behind");
        }
        try (Stream<Path> s = Files.list(env.dataDir.resolve("scans"))) {
            assertEquals(List.of(env.dataDir.resolve("scans").resolve(goodScan)), s.toList());
        }
    }

    static Buffer bytes(int... b) {
        Buffer buf = Buffer.buffer();
        for (int x : b) {
            buf.appendByte((byte) x);
        }
        return buf;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(data);
        }
        return bo.toByteArray();
    }

    // ------------------------------------------------------------------------------ /v1/detect

    @Test
    void malformedJson() {
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", Buffer.buffer("{\"text\": \"abc\""))
                .problem(400, "malformed-json", "not valid JSON");
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", Buffer.buffer("[1,2]"))
                .problem(400, "malformed-json", "expected a JSON object, got array");
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", Buffer.buffer("{} {}"))
                .problem(400, "malformed-json", "not valid JSON");
    }

    @Test
    void invalidUtf8() {
        Buffer b = Buffer.buffer("{\"text\": \"caf").appendBuffer(bytes(0xC3, 0x28)).appendString("\"}");
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", b)
                .problem(400, "invalid-utf8", "not valid UTF-8");
    }

    @Test
    void unknownField() {
        JsonObject p = api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                new JsonObject().put("text", "x").put("txet", "y").toBuffer())
                .problem(400, "unknown-field", "unknown field 'txet'");
        assertEquals(List.of("txet"), p.getJsonArray("fields").getList());
    }

    @Test
    void wrongTypesAndMissingInput() {
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", new JsonObject().put("alpha", 0.01).toBuffer())
                .problem(400, "invalid-request", "exactly one of 'text'");
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                new JsonObject().put("text", "x").put("alpha", 2).toBuffer())
                .problem(400, "invalid-request", "'alpha' (the false-positive rate) must be in (0, 1)");
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                new JsonObject().put("texts", "not an array").toBuffer())
                .problem(400, "invalid-request", "'texts' must be an array of strings");
        api.raw(HttpMethod.POST, "/v1/detect", env.admin, "application/json",
                new JsonObject().put("ids", new JsonArray().add(new JsonArray().add(1).add(999_999_999))).toBuffer())
                .problem(400, "invalid-request", "outside the tokenizer vocabulary");
    }

    @Test
    void unknownKey() {
        JsonObject p = api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                new JsonObject().put("text", Corpora.human().get(0)).put("key_ids", new JsonArray().add("hk-00000000000000000000"))
                        .toBuffer())
                .problem(422, "unknown-key", "no active key with id 'hk-00000000000000000000'");
        assertEquals(List.of("hk-00000000000000000000"), p.getJsonArray("key_ids").getList());
    }

    @Test
    void emptyAndTooShortText() {
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", ""))
                .problem(422, "text-too-short", "text 0 is empty");
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", "   \n "))
                .problem(422, "text-too-short", "text 0 is empty");
        JsonObject p = api.post("/v1/detect", env.admin, new JsonObject()
                        .put("texts", new JsonArray().add(Corpora.human().get(0)).add("Too short to test.")))
                .problem(422, "text-too-short", "text 1 has");
        assertEquals(1, p.getInteger("index"));
        assertEquals(16, p.getInteger("min_tokens"), "admins: the configured minimum");
        String forty = String.join(" ", java.util.Collections.nCopies(40, "word"));
        JsonObject q = api.post("/v1/detect", env.alpha, new JsonObject().put("text", forty))
                .problem(422, "text-too-short", "text 0 has 40 tokens; at least 64 are needed (the minimum for analyst "
                        + "tokens: shorter probes would say too much about single tokens)");
        assertEquals(64, q.getInteger("min_tokens"));
        api.post("/v1/detect", env.alpha, new JsonObject().put("ids", new JsonArray().add(new JsonArray())))
                .problem(422, "text-too-short", "ids 0 is empty");
    }

    @Test
    void duplicateFieldsAndParametersAreRefused() {
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                Buffer.buffer("{\"text\": \"a\", \"alpha\": 0.001, \"text\": \"b\"}"))
                .problem(400, "malformed-json", "the request body gives a field twice: duplicate field 'text'");
        api.raw(HttpMethod.POST, "/v1/keys", env.admin, "application/json",
                Buffer.buffer("{\"label\": \"x\", \"scheme\": \"kgw\", \"label\": \"y\"}"))
                .problem(400, "malformed-json", "duplicate field 'label'");
        api.upload("?alpha=0.001&alpha=0.01", env.alpha, "application/x-ndjson", Buffer.buffer("{\"text\": \"x\"}\n"))
                .problem(400, "invalid-request", "query parameter 'alpha' is given 2 times; give it once");
        api.get("/v1/scans?limit=1&limit=1000", env.alpha)
                .problem(400, "invalid-request", "query parameter 'limit' is given 2 times");
        api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer("{\"text\": \"ok\"}\n{\"text\": \"a\", \"text\": \"b\"}\n"))
                .problem(400, "malformed-json", "line 2: duplicate field 'text'");
    }

    @Test
    void escapedLoneSurrogatesAreRefusedLikeInvalidUtf8() {
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                Buffer.buffer("{\"text\": \"abc \\ud800 def\"}"))
                .problem(400, "invalid-utf8", "escapes a lone surrogate in 'text' (\\uD800 at character 4)");
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                Buffer.buffer("{\"texts\": [\"fine\", \"x \\udc00\"]}"))
                .problem(400, "invalid-utf8", "'texts[1]' (\\uDC00 at character 2)");
        api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer("{\"text\": \"ok\"}\n{\"text\": \"\\udbff!\"}\n"))
                .problem(400, "invalid-utf8", "line 2: escapes a lone surrogate in 'text' (\\uDBFF at character 0)");
        // a correctly escaped pair is a real character, not an error
        assertEquals(422, api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json",
                Buffer.buffer("{\"text\": \"\\ud83d\\ude00 short\"}")).status());
    }

    @Test
    void hexadecimalAndOtherNonDecimalNumbersAreRefused() {
        for (String bad : List.of("0x1p-10", "NaN", "1e-3d", "+0.001", ".001", "Infinity")) {
            api.upload("?alpha=" + java.net.URLEncoder.encode(bad, java.nio.charset.StandardCharsets.UTF_8), env.admin,
                    "application/x-ndjson", Buffer.buffer("{\"text\": \"x\"}\n"))
                    .problem(400, "invalid-request", "'alpha' must be a decimal number in (0, 1) such as 0.001 or 1e-3, got '"
                            + bad + "'");
        }
        api.raw(HttpMethod.POST, "/v1/detect", env.admin, "application/json",
                Buffer.buffer("{\"text\": \"x\", \"alpha\": 0x1p-10}"))
                .problem(400, "malformed-json", "not valid JSON");
        api.raw(HttpMethod.POST, "/v1/detect", env.admin, "application/json",
                Buffer.buffer("{\"text\": \"x\", \"alpha\": NaN}"))
                .problem(400, "malformed-json", "not valid JSON");
        api.get("/v1/scans?limit=0x10", env.alpha).problem(400, "invalid-request", "'limit' must be an integer 1..1000");
    }

    @Test
    void analystsMayOnlyAskForLadderAlphas() {
        String text = Corpora.human().get(0);
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", text).put("alpha", 0.9999))
                .problem(400, "invalid-request", "'alpha' for analyst tokens must be one of 1e-2, 1e-3, 1e-6, 1e-12, 1e-24, got "
                        + "0.9999");
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", text).put("alpha", 0.005))
                .problem(400, "invalid-request", "got 0.005 (the verdict is then a function of the reported p-value bucket");
        api.upload("?alpha=0.9999", env.alpha, "application/x-ndjson", Buffer.buffer("{\"text\": \"x\"}\n"))
                .problem(400, "invalid-request", "'alpha' for analyst tokens must be one of 1e-2, 1e-3");
        assertEquals(200, api.post("/v1/detect", env.alpha, new JsonObject().put("text", text).put("alpha", 1e-6)).status());
        assertEquals(200, api.post("/v1/detect", env.admin, new JsonObject().put("text", text).put("alpha", 0.9999)).status(),
                "admins may ask for any");
    }

    @Test
    void unsupportedContentType() {
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "text/plain", Buffer.buffer("{\"text\":\"x\"}"))
                .problem(415, "unsupported-media-type", "must be application/json, got 'text/plain'");
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, null, Buffer.buffer("{\"text\":\"x\"}"))
                .problem(415, "unsupported-media-type", "no Content-Type");
    }

    @Test
    void oversizeBodyAndBatch() {
        String big = "word ".repeat((int) BODY_LIMIT / 5 + 10);
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", new JsonObject().put("text", big).toBuffer())
                .problem(413, "payload-too-large", "exceeds the limit of " + BODY_LIMIT + " bytes");
        JsonArray many = new JsonArray();
        for (int i = 0; i < env.server.config().maxBatchTexts() + 1; i++) {
            many.add("x");
        }
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", new JsonObject().put("texts", many).toBuffer())
                .problem(413, "payload-too-large", "at most " + env.server.config().maxBatchTexts() + " texts");
    }

    @Test
    void unknownRouteAndMethod() {
        api.raw(HttpMethod.GET, "/v1/nothing-here", env.alpha, null, null).problem(404, "not-found", "/v1/nothing-here");
        api.raw(HttpMethod.PUT, "/v1/scans", env.alpha, "application/json", Buffer.buffer("{}"))
                .problem(405, "method-not-allowed", "PUT");
    }

    // ------------------------------------------------------------------------------ /v1/scans

    @Test
    void uploadMalformedJsonLine() {
        String corpus = "{\"text\": \"fine line\"}\n{\"text\": \"broken\n";
        JsonObject p = api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer(corpus))
                .problem(400, "malformed-json", "line 2: not valid JSON");
        assertEquals(2, p.getInteger("line"));
    }

    @Test
    void uploadInvalidUtf8() {
        Buffer b = Buffer.buffer("{\"text\": \"ok\"}\n{\"text\": \"bad ").appendBuffer(bytes(0xFF, 0xFE)).appendString("\"}\n");
        api.upload("", env.alpha, "application/x-ndjson", b).problem(400, "invalid-utf8", "line 2");
        Buffer t = Buffer.buffer("first paragraph\n\nsecond ").appendBuffer(bytes(0xED, 0xA0, 0x80)).appendString("\n");
        api.upload("", env.alpha, "text/plain", t).problem(400, "invalid-utf8", "line 3");
    }

    @Test
    void uploadMissingFieldAndUnknownParameter() {
        api.upload("?field=body", env.alpha, "application/x-ndjson", Buffer.buffer("{\"text\": \"x\"}\n"))
                .problem(400, "invalid-request", "line 1: no field 'body'");
        api.upload("?feild=text", env.alpha, "application/x-ndjson", Buffer.buffer("{\"text\": \"x\"}\n"))
                .problem(400, "unknown-field", "unknown query parameter 'feild'");
        api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer("{\"text\": 5}\n"))
                .problem(400, "invalid-request", "must be a string (text) or an array of token ids");
    }

    @Test
    void uploadUnknownKey() {
        api.upload("?key_ids=hk-11111111111111111111", env.alpha, "application/x-ndjson",
                Buffer.buffer("{\"text\": \"x\"}\n")).problem(422, "unknown-key", "hk-11111111111111111111");
    }

    @Test
    void uploadEmpty() {
        api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer()).problem(422, "text-too-short", "empty");
        api.upload("", env.alpha, "text/plain", Buffer.buffer("\n\n   \n")).problem(422, "text-too-short", "no documents");
    }

    @Test
    void uploadUnsupportedContentType() {
        api.upload("", env.alpha, "application/pdf", Buffer.buffer("%PDF-1.4"))
                .problem(415, "unsupported-media-type", "cannot scan 'application/pdf'");
        api.upload("", env.alpha, "multipart/form-data; boundary=x", Buffer.buffer("--x--"))
                .problem(415, "unsupported-media-type", "multipart/form-data");
        api.upload("", env.alpha, "application/gzip", Buffer.buffer(new byte[] {0x1f, (byte) 0x8b}))
                .problem(400, "invalid-request", "starts like gzip but is not valid gzip data");
        api.call(HttpMethod.POST, "/v1/scans", env.alpha, "text/plain", Buffer.buffer("x"), Map.of("Content-Encoding", "br"),
                false).problem(415, "unsupported-media-type", "Content-Encoding 'br'");
    }

    @Test
    void uploadOfADocumentThatCannotBeTokenizedInBoundedMemory() {
        // over 1 Mi characters with no space, no line break after a letter or digit, no punctuation between letters
        String blob = "prefix words " + "x".repeat((1 << 20) + 100) + "\n";
        JsonObject p = api.upload("?format=text", env.alpha, "text/plain", Buffer.buffer(blob))
                .problem(413, "payload-too-large", "line 1: the text has no space, line break after a letter or digit, "
                        + "or punctuation between letters from character 131072 to 1048576: it cannot be tokenized in "
                        + "bounded memory (split it into shorter documents)");
        assertEquals(1, p.getInteger("line"));
    }

    @Test
    void uploadOversize() {
        Buffer big = Buffer.buffer(new byte[(int) UPLOAD_LIMIT + 1]);
        api.upload("", env.alpha, "text/plain", big).problem(413, "payload-too-large", "the limit is " + UPLOAD_LIMIT);
    }

    @Test
    void uploadOversizeWithoutContentLength() throws Exception {
        // chunked: the server cannot refuse up front and must count the bytes as they stream in
        java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient();
        byte[] body = new byte[(int) UPLOAD_LIMIT * 2];
        java.net.http.HttpResponse<String> r = c.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + env.port() + "/v1/scans"))
                .header("Authorization", "Bearer " + env.alpha)
                .header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String ct = r.headers().firstValue("Content-Type").orElse(null);
        OpenApi.get().validateResponse("POST", "/v1/scans", r.statusCode(), ct, Buffer.buffer(r.body()));
        new TestSupport.Resp(r.statusCode(), ct, io.vertx.core.MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(r.body()))
                .problem(413, "payload-too-large", "exceeds the limit of " + UPLOAD_LIMIT + " bytes");
    }

    @Test
    void gzipBombByDecompressedSize() throws IOException {
        // random letters compress about 1.6x: within the ratio cap, beyond the decompressed-size cap
        byte[] letters = new byte[(int) DECOMPRESSED_LIMIT + (1 << 20)];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        for (int i = 0; i < letters.length; i++) {
            letters[i] = (byte) ('a' + rnd.nextInt(26));
        }
        byte[] gz = gzip(letters);
        assertTrue(gz.length < UPLOAD_LIMIT, "the compressed upload itself is within the upload limit");
        api.upload("?format=text", env.alpha, "application/gzip", Buffer.buffer(gz))
                .problem(413, "gzip-bomb", "inflates to more than " + DECOMPRESSED_LIMIT + " bytes");
    }

    @Test
    void gzipBombByRatio() throws IOException {
        // 3 MiB of one letter inflate about 1000x: refused by the ratio cap (50) before the size cap
        byte[] same = new byte[3 << 20];
        java.util.Arrays.fill(same, (byte) 'a');
        api.upload("?format=text", env.alpha, "application/gzip", Buffer.buffer(gzip(same)))
                .problem(413, "gzip-bomb", "inflates more than 50 times");
    }

    @Test
    void corruptGzip() throws IOException {
        byte[] gz = gzip("{\"text\": \"hello\"}\n".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer(cut)).problem(400, "invalid-request", "gzip");
        api.upload("?format=jsonl", env.alpha, "application/gzip", Buffer.buffer("{\"text\": \"plain, not gzip\"}\n"))
                .problem(400, "invalid-request", "declared gzip but does not start with the gzip magic bytes");
    }

}
