package dev.hallmark.tools.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Defaults;
import dev.hallmark.tools.Hallmark;
import dev.hallmark.tools.serve.Accounts;
import dev.hallmark.tools.serve.Keying;
import dev.hallmark.tools.serve.ServeServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hallmark probe} against a real {@code hallmark serve} (collect, resume, radioactivity
 * report) and against small real HTTP servers that misbehave (429 with Retry-After, 5xx, non-JSON,
 * timeouts, 401): each failure is a clear error and nothing collected is lost.
 */
class ProbeCommandTest {

    static final String SCHEME = "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash";
    static final String API_KEY = "sk-probe-test-key-0042";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TextTokenizer tok;
    static TransformerLm lm;
    static Accounts accounts;
    static ServeServer server;
    static Path keyA;
    static Path keyB;
    static Path prompts;
    static Path apiKeyFile;

    @BeforeAll
    static void start() throws Exception {
        tok = Defaults.openTokenizer(null);
        lm = Defaults.loadModel(null);
        byte[] secret = new byte[32];
        secret[0] = 42;
        WatermarkKey master = WatermarkKey.fromSecret(secret);
        Path acc = dir.resolve("accounts.jsonl");
        Files.writeString(acc, "{\"account\": \"acct-a\", \"api_key\": \"" + API_KEY + "\"}\n"
                + "{\"account\": \"acct-b\", \"api_key\": \"sk-probe-test-key-0043\"}\n");
        accounts = Accounts.read(acc);
        server = ServeServer.start(lm, tok::decode, tok::encode, accounts, Keying.derived(master, Scheme.parse(SCHEME)),
                new ServeServer.Options("127.0.0.1", 0, "hallmark-default", 16, 256, 128, lm.maxContext(), 4, 0, 1,
                        new int[] {Tokenizers.QWEN3_END_OF_TEXT}));
        keyA = dir.resolve("acct-a.json");
        keyB = dir.resolve("acct-b.json");
        KeyFile.write(keyA, master.derive("account/acct-a"), false);
        KeyFile.write(keyB, master.derive("account/acct-b"), false);
        prompts = dir.resolve("prompts.jsonl");
        StringBuilder sb = new StringBuilder();
        String[] starts = {"And God said", "The king of Egypt", "In those days there was", "Blessed is the man",
            "And the children of Israel", "Now the serpent was", "Hear, O Israel", "The words of the preacher"};
        for (String s : starts) {
            sb.append("{\"prompt\": \"").append(s).append("\"}\n");
        }
        Files.writeString(prompts, sb);
        apiKeyFile = dir.resolve("api-key");
        Files.writeString(apiKeyFile, API_KEY + "\n");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (lm != null) {
            lm.close();
        }
        if (tok != null) {
            tok.close();
        }
    }

    record Run(int code, String out, String err) {
    }

    static Run hallmark(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static List<JsonNode> records(Path f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            if (!l.isBlank()) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }

    @Test
    void collectsResumesAndReportsRadioactivity() throws Exception {
        Path out = dir.resolve("collected.jsonl");
        long before = accounts.all().get(0).usage().requests();
        Run r = hallmark("probe", "--endpoint", server.baseUrl(), "--api-key-file", apiKeyFile.toString(), "--prompts",
                prompts.toString(), "--out", out.toString(), "--max-tokens", "80", "--samples-per-prompt", "2",
                "--concurrency", "3", "--seed", "9", "--test", "radioactivity", "--key", keyA.toString(), "--scheme",
                SCHEME);
        assertEquals(0, r.code(), r.err());
        List<JsonNode> recs = records(out);
        assertEquals(16, recs.size());
        assertEquals(16, accounts.all().get(0).usage().requests() - before);
        JsonNode x = recs.get(0);
        for (String f : new String[] {"prompt_index", "sample", "prompt", "completion", "finish_reason", "request",
            "usage", "latency_ms", "attempts", "model"}) {
            assertTrue(x.has(f), "record field " + f + ": " + x);
        }
        assertEquals(80, x.get("request").get("max_tokens").asInt());
        assertTrue(r.out().contains("RADIOACTIVE"), r.out());
        assertFalse(r.out().contains("not detected"), r.out());
        assertFalse(r.err().contains(API_KEY) || r.out().contains(API_KEY), "the API key is never printed");

        // the null side: another account's key on the same answers; nothing is asked again
        long mid = accounts.all().get(0).usage().requests();
        Run b = hallmark("probe", "--endpoint", server.baseUrl(), "--prompts", prompts.toString(), "--out",
                out.toString(), "--samples-per-prompt", "2", "--test", "radioactivity", "--key", keyB.toString(),
                "--scheme", SCHEME, "--api-key-env", "HALLMARK_TEST_NO_SUCH_VARIABLE");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.err().contains("nothing to ask"), b.err());
        assertTrue(b.out().contains("not detected"), b.out());
        assertEquals(mid, accounts.all().get(0).usage().requests());

        // a torn last line (the process died while writing) is dropped and asked again; a third
        // sample per prompt is asked, nothing else
        Files.writeString(out, "{\"prompt_index\": 3, \"sam", java.nio.file.StandardOpenOption.APPEND);
        Run c = hallmark("probe", "--endpoint", server.baseUrl(), "--api-key-file", apiKeyFile.toString(), "--prompts",
                prompts.toString(), "--out", out.toString(), "--max-tokens", "20", "--samples-per-prompt", "3");
        assertEquals(0, c.code(), c.err());
        assertEquals(24, records(out).size());
        assertEquals(8, accounts.all().get(0).usage().requests() - mid);
    }

    @Test
    void chatProbes() throws Exception {
        Path out = dir.resolve("chat.jsonl");
        Run r = hallmark("probe", "--endpoint", server.baseUrl(), "--api-key-file", apiKeyFile.toString(), "--prompts",
                prompts.toString(), "--out", out.toString(), "--max-tokens", "10", "--chat", "--limit", "3",
                "--model", "hallmark-default");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> recs = records(out);
        assertEquals(3, recs.size());
        assertEquals("chat.completions", recs.get(0).get("request").get("api").asText());
    }

    /** A real HTTP server whose /v1/completions answers through {@code behaviour}, given the call number. */
    interface Behaviour {
        void answer(HttpExchange ex, int call) throws IOException;
    }

    static HttpServer fake(Behaviour b) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        AtomicInteger calls = new AtomicInteger();
        s.createContext("/v1/completions", ex -> {
            try {
                ex.getRequestBody().readAllBytes();
                b.answer(ex, calls.getAndIncrement());
            } finally {
                ex.close();
            }
        });
        s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        s.start();
        return s;
    }

    static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    static final String OK = "{\"id\": \"x\", \"object\": \"text_completion\", \"model\": \"m\", \"choices\": "
            + "[{\"index\": 0, \"text\": \" and it was so\", \"finish_reason\": \"length\"}]}";

    static Run probeFake(HttpServer s, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("probe", "--endpoint",
                "http://127.0.0.1:" + s.getAddress().getPort() + "/v1", "--api-key-file", apiKeyFile.toString(),
                "--prompts", prompts.toString(), "--out", out.toString(), "--model", "m", "--concurrency", "1",
                "--backoff-ms", "20"));
        a.addAll(List.of(extra));
        return hallmark(a.toArray(new String[0]));
    }

    @Test
    void honoursRetryAfterOn429() throws Exception {
        HttpServer s = fake((ex, call) -> {
            if (call < 2) {
                ex.getResponseHeaders().set("Retry-After", "1");
                send(ex, 429, "application/json", "{\"error\": {\"message\": \"slow down\"}}");
            } else {
                send(ex, 200, "application/json", OK);
            }
        });
        try {
            Path out = dir.resolve("rl.jsonl");
            long t0 = System.nanoTime();
            Run r = probeFake(s, out, "--limit", "2");
            assertEquals(0, r.code(), r.err());
            assertTrue(System.nanoTime() - t0 >= 2_000_000_000L, "waited Retry-After twice");
            List<JsonNode> recs = records(out);
            assertEquals(2, recs.size());
            assertEquals(3, recs.get(0).get("attempts").asInt());
        } finally {
            s.stop(0);
        }
    }

    @Test
    void serverErrorsStopTheRunWithoutLosingWhatWasCollected() throws Exception {
        HttpServer s = fake((ex, call) -> {
            if (call < 3) {
                send(ex, 200, "application/json", OK);
            } else {
                send(ex, 503, "application/json", "{\"error\": {\"message\": \"upstream is down\"}}");
            }
        });
        try {
            Path out = dir.resolve("5xx.jsonl");
            Run r = probeFake(s, out, "--max-retries", "2");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("HTTP 503") && r.err().contains("upstream is down")
                    && r.err().contains("gave up after 3 attempts") && r.err().contains("3 answers are in"), r.err());
            assertEquals(3, records(out).size());
        } finally {
            s.stop(0);
        }
    }

    @Test
    void nonJsonTimeoutsAndRejectedKeysAreClearErrors() throws Exception {
        HttpServer html = fake((ex, call) -> send(ex, 200, "text/html", "<html><body>Bad gateway</body></html>"));
        try {
            Run r = probeFake(html, dir.resolve("html.jsonl"), "--max-retries", "1");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("not a JSON object") && r.err().contains("text/html"), r.err());
        } finally {
            html.stop(0);
        }
        HttpServer slow = fake((ex, call) -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(ex, 200, "application/json", OK);
        });
        try {
            Run r = probeFake(slow, dir.resolve("slow.jsonl"), "--timeout", "1", "--max-retries", "0");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("timeout"), r.err());
        } finally {
            slow.stop(0);
        }
        AtomicInteger calls = new AtomicInteger();
        HttpServer denied = fake((ex, call) -> {
            calls.incrementAndGet();
            send(ex, 401, "application/json", "{\"error\": {\"message\": \"Incorrect API key provided: " + API_KEY
                    + "\"}}");
        });
        try {
            Run r = probeFake(denied, dir.resolve("denied.jsonl"));
            assertEquals(1, r.code());
            assertTrue(r.err().contains("HTTP 401") && r.err().contains("API key was rejected"), r.err());
            assertFalse(r.err().contains(API_KEY), "an echoed key is redacted: " + r.err());
            assertEquals(1, calls.get(), "401 is not retried");
        } finally {
            denied.stop(0);
        }
    }

    @Test
    void badArguments() {
        Run r = hallmark("probe", "--endpoint", "ftp://x", "--api-key-file", apiKeyFile.toString(), "--prompts",
                prompts.toString(), "--out", dir.resolve("x.jsonl").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--endpoint must be an http(s) URL"), r.err());
        r = hallmark("probe", "--endpoint", server.baseUrl(), "--prompts", prompts.toString(), "--out",
                dir.resolve("y.jsonl").toString(), "--api-key-env", "HALLMARK_TEST_NO_SUCH_VARIABLE");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no API key"), r.err());
        r = hallmark("probe", "--endpoint", server.baseUrl(), "--api-key-file", apiKeyFile.toString(), "--prompts",
                prompts.toString(), "--out", dir.resolve("z.jsonl").toString(), "--test", "radioactivity");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--test radioactivity needs --scheme"), r.err());
    }
}
