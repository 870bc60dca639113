package dev.hallmark.tools.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Defaults;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hallmark serve} on a real socket with the default model, driven by OpenAI's official Java
 * SDK (and raw HTTP where the SDK cannot send the broken input): non-streaming and streaming
 * completions and chat, per-account watermarks, concurrency, and every bad-input case.
 */
class ServeOpenAiClientTest {

    static final String SCHEME = "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash";
    static final String KEY_A = "sk-hallmark-test-aaaa-0001";
    static final String KEY_B = "sk-hallmark-test-bbbb-0002";
    static final String KEY_LIMITED = "sk-hallmark-test-cccc-0003";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TextTokenizer tok;
    static TransformerLm lm;
    static WatermarkKey master;
    static ServeServer server;
    static ServeServer limited;

    @BeforeAll
    static void start() throws Exception {
        tok = Defaults.openTokenizer(null);
        lm = Defaults.loadModel(null);
        byte[] secret = new byte[32];
        for (int i = 0; i < secret.length; i++) {
            secret[i] = (byte) (7 * i + 1);
        }
        master = WatermarkKey.fromSecret(secret);
        Path accounts = dir.resolve("accounts.jsonl");
        Files.writeString(accounts, "{\"account\": \"acct-a\", \"api_key\": \"" + KEY_A + "\"}\n"
                + "{\"account\": \"acct-b\", \"api_key\": \"" + KEY_B + "\"}\n"
                + "{\"account\": \"acct-limited\", \"api_key\": \"" + KEY_LIMITED + "\"}\n");
        Keying keying = Keying.derived(master, Scheme.parse(SCHEME));
        server = ServeServer.start(lm, tok::decode, tok::encode, Accounts.read(accounts), keying,
                options(0, 1));
        limited = ServeServer.start(lm, tok::decode, tok::encode, Accounts.read(accounts), keying,
                options(1.0 / 60, 1));
    }

    static ServeServer.Options options(double rate, int burst) {
        return new ServeServer.Options("127.0.0.1", 0, "hallmark-default", 16, 256, 128, lm.maxContext(), 8, rate,
                burst, new int[] {Tokenizers.QWEN3_END_OF_TEXT});
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (limited != null) {
            limited.close();
        }
        if (lm != null) {
            lm.close();
        }
        if (tok != null) {
            tok.close();
        }
    }

    static OpenAIClient client(ServeServer s, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(s.baseUrl()).apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(120)).build();
    }

    @Test
    void completionsWithTheSdk() {
        OpenAIClient c = client(server, KEY_A);
        String prompt = "And the LORD spake unto Moses, saying,";
        Completion r = c.completions().create(CompletionCreateParams.builder().model("hallmark-default")
                .prompt(prompt).maxTokens(24).n(2).seed(11L).temperature(0.9).topP(0.95).build());
        assertEquals(2, r.choices().size());
        for (CompletionChoice ch : r.choices()) {
            assertFalse(ch.text().isEmpty());
        }
        var usage = r.usage().orElseThrow();
        assertEquals(tok.encode(prompt).length, usage.promptTokens());
        assertTrue(usage.completionTokens() >= 2 && usage.completionTokens() <= 48, "usage " + usage);
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
        assertEquals("hallmark-default", r.model());
        assertTrue(r.id().startsWith("cmpl-"));
    }

    @Test
    void theSameSeedGivesTheSameTextStreamedOrNot() {
        OpenAIClient c = client(server, KEY_B);
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder().model("hallmark-default")
                .addSystemMessage("You answer in the words of the old books.")
                .addUserMessage("Who divided the waters?").maxCompletionTokens(30).seed(42L).build();
        ChatCompletion whole = c.chat().completions().create(p);
        String text = whole.choices().get(0).message().content().orElseThrow();
        StringBuilder streamed = new StringBuilder();
        String finish = null;
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> s = c.chat().completions().createStreaming(p)) {
            for (ChatCompletionChunk ch : (Iterable<ChatCompletionChunk>) s.stream()::iterator) {
                chunks++;
                for (ChatCompletionChunk.Choice x : ch.choices()) {
                    x.delta().content().ifPresent(streamed::append);
                    if (x.finishReason().isPresent()) {
                        finish = x.finishReason().get().asString();
                    }
                }
            }
        }
        assertEquals(text, streamed.toString());
        assertTrue(chunks > 3, "streamed in pieces: " + chunks);
        assertEquals(whole.choices().get(0).finishReason().asString(), finish);
        assertEquals("assistant", whole.choices().get(0).message()._role().asString().orElseThrow());
        assertFalse(text.startsWith(" "), "the reply's leading whitespace is dropped: '" + text + "'");
    }

    @Test
    void streamingCompletionsCarryEveryChoiceAndTheUsage() throws Exception {
        // raw SSE: the SDK hides the [DONE] terminator and the usage chunk's shape
        HttpResponse<String> r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": "
                + "\"The sea\", \"max_tokens\": 12, \"n\": 3, \"stream\": true, \"stream_options\": "
                + "{\"include_usage\": true}}");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6))
                .collect(Collectors.toList());
        assertEquals("[DONE]", events.get(events.size() - 1));
        Map<Integer, StringBuilder> texts = new HashMap<>();
        Map<Integer, String> finish = new HashMap<>();
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode o = JSON.readTree(e);
            assertEquals("text_completion", o.get("object").asText());
            if (o.has("usage")) {
                usage = o.get("usage");
                assertEquals(0, o.get("choices").size());
                continue;
            }
            JsonNode ch = o.get("choices").get(0);
            texts.computeIfAbsent(ch.get("index").asInt(), k -> new StringBuilder()).append(ch.get("text").asText());
            if (!ch.get("finish_reason").isNull()) {
                finish.put(ch.get("index").asInt(), ch.get("finish_reason").asText());
            }
        }
        assertEquals(3, finish.size());
        assertNotNull(usage);
        int completion = 0;
        for (int i = 0; i < 3; i++) {
            completion += tok.encode(texts.get(i).toString()).length > 0 ? 1 : 0;
        }
        assertEquals(3, completion);
        assertTrue(usage.get("completion_tokens").asInt() <= 36);
        assertEquals(tok.encode("The sea").length, usage.get("prompt_tokens").asInt());
    }

    @Test
    void eachAccountsTextCarriesItsOwnKey() {
        Map<String, List<String>> texts = new HashMap<>();
        for (String key : new String[] {KEY_A, KEY_B}) {
            Completion r = client(server, key).completions().create(CompletionCreateParams.builder()
                    .model("hallmark-default").prompt("In the beginning").maxTokens(100).n(6).seed(5L).build());
            texts.put(key, r.choices().stream().map(CompletionChoice::text).collect(Collectors.toList()));
        }
        Scheme s = Scheme.parse(SCHEME);
        Detector a = Detector.of(s, master.derive("account/acct-a"));
        Detector b = Detector.of(s, master.derive("account/acct-b"));
        DetectionResult aOnA = a.detect(ids(texts.get(KEY_A)), DetectOptions.defaults());
        DetectionResult bOnA = b.detect(ids(texts.get(KEY_A)), DetectOptions.defaults());
        DetectionResult bOnB = b.detect(ids(texts.get(KEY_B)), DetectOptions.defaults());
        // ~600 tokens of delta = 2 KGW text: p far below 1e-6 under its own key; another account's
        // key is a null test (alpha 1e-3: fails with probability 1e-3 by design, never by a bug here)
        assertTrue(aOnA.log10P() < -6, "account a's key on a's text: " + aOnA.log10P());
        assertTrue(bOnB.log10P() < -6, "account b's key on b's text: " + bOnB.log10P());
        assertTrue(bOnA.log10P() > -3, "account b's key on a's text: " + bOnA.log10P());
    }

    private static int[] ids(List<String> texts) {
        List<Integer> all = new ArrayList<>();
        for (String t : texts) {
            for (int x : tok.encode(t)) {
                all.add(x);
            }
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void concurrentRequestsShareTheBatch() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Completion>> fs = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String key = i % 2 == 0 ? KEY_A : KEY_B;
                int n = i;
                fs.add(pool.submit(() -> client(server, key).completions().create(CompletionCreateParams.builder()
                        .model("hallmark-default").prompt("Verse " + n + ": and it came to pass").maxTokens(20 + n)
                        .build())));
            }
            for (Future<Completion> f : fs) {
                Completion c = f.get();
                assertTrue(c.usage().orElseThrow().completionTokens() >= 1);
            }
        } finally {
            pool.shutdownNow();
        }
        String metrics = get(server, "/metrics").body();
        double maxRows = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("hallmark_serve_step_rows_max")) {
                maxRows = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertTrue(maxRows > 1, "requests should have been decoded together: " + metrics.lines()
                .filter(l -> l.startsWith("hallmark_serve_step_rows")).collect(Collectors.joining("\n")));
        assertTrue(metrics.contains("hallmark_serve_account_completion_tokens_total{account=\"acct-a\"}"));
        assertFalse(metrics.contains(KEY_A) || metrics.contains(KEY_B), "no API key in the metrics");
    }

    @Test
    void sdkErrorsHaveTheRightStatusAndShape() {
        UnauthorizedException u = assertThrows(UnauthorizedException.class, () -> client(server, "sk-wrong-key-123")
                .completions().create(CompletionCreateParams.builder().model("hallmark-default").prompt("x").build()));
        assertEquals(401, u.statusCode());
        assertEquals("invalid_api_key", u.code().orElseThrow());
        assertFalse(u.body().toString().contains("sk-wrong-key-123"), "the key is never echoed");

        NotFoundException nf = assertThrows(NotFoundException.class, () -> client(server, KEY_A).completions()
                .create(CompletionCreateParams.builder().model("gpt-4o").prompt("x").build()));
        assertEquals("model_not_found", nf.code().orElseThrow());
        assertTrue(nf.getMessage().contains("gpt-4o"));

        BadRequestException zero = assertThrows(BadRequestException.class, () -> client(server, KEY_A).completions()
                .create(CompletionCreateParams.builder().model("hallmark-default").prompt("x").maxTokens(0).build()));
        assertEquals("max_tokens", zero.param().orElseThrow());
        assertTrue(zero.getMessage().contains("between 1 and 128"), zero.getMessage());

        BadRequestException big = assertThrows(BadRequestException.class, () -> client(server, KEY_A).completions()
                .create(CompletionCreateParams.builder().model("hallmark-default").prompt("x").maxTokens(129).build()));
        assertEquals("max_tokens", big.param().orElseThrow());

        BadRequestException type = assertThrows(BadRequestException.class, () -> client(server, KEY_A).completions()
                .create(CompletionCreateParams.builder().model("hallmark-default").prompt("x")
                        .putAdditionalBodyProperty("temperature", JsonValue.from("hot")).build()));
        assertEquals("temperature", type.param().orElseThrow());
        assertTrue(type.getMessage().contains("must be a number"), type.getMessage());

        BadRequestException empty = assertThrows(BadRequestException.class, () -> client(server, KEY_A).completions()
                .create(CompletionCreateParams.builder().model("hallmark-default").prompt("").build()));
        assertEquals("prompt", empty.param().orElseThrow());

        String longPrompt = "and it came to pass ".repeat(60);
        BadRequestException tooLong = assertThrows(BadRequestException.class, () -> client(server, KEY_A).chat()
                .completions().create(ChatCompletionCreateParams.builder().model("hallmark-default")
                        .addUserMessage(longPrompt).build()));
        assertEquals("context_length_exceeded", tooLong.code().orElseThrow());
        assertTrue(tooLong.getMessage().contains("maximum context length is " + lm.maxContext()), tooLong.getMessage());

        OpenAIClient l = client(limited, KEY_LIMITED);
        l.completions().create(CompletionCreateParams.builder().model("hallmark-default").prompt("x").maxTokens(1).build());
        RateLimitException rl = assertThrows(RateLimitException.class, () -> l.completions()
                .create(CompletionCreateParams.builder().model("hallmark-default").prompt("x").maxTokens(1).build()));
        assertEquals(429, rl.statusCode());
        long retry = Long.parseLong(rl.headers().values("Retry-After").get(0));
        assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
        // the limit is per account: another account is not limited
        client(limited, KEY_A).completions().create(CompletionCreateParams.builder().model("hallmark-default")
                .prompt("x").maxTokens(1).build());
    }

    @Test
    void rawBadInput() throws Exception {
        HttpResponse<String> r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": ");
        assertError(r, 400, null, "could not parse the JSON body");
        r = post(server, "/completions", KEY_A, "[1, 2]");
        assertError(r, 400, null, "must be a JSON object");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"x\", \"n\": \"two\"}");
        assertError(r, 400, "n", "n must be an integer");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"x\", \"max_tokens\": 2.5}");
        assertError(r, 400, "max_tokens", "max_tokens must be an integer");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"x\", \"max_tokens\": -3}");
        assertError(r, 400, "max_tokens", "between 1 and 128");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"x\", \"stop\": 5}");
        assertError(r, 400, "stop", "stop must be a string or an array of strings");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"x\", \"stream\": \"yes\"}");
        assertError(r, 400, "stream", "stream must be a boolean");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"x\", \"top_p\": 0}");
        assertError(r, 400, "top_p", "top_p must be greater than 0");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"x\", \"bogus\": 1}");
        assertError(r, 400, "bogus", "Unrecognized request argument supplied: bogus");
        r = post(server, "/completions", KEY_A, "{\"prompt\": \"x\"}");
        assertError(r, 400, "model", "you must provide a model parameter");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\"}");
        assertError(r, 400, "prompt", "you must provide a prompt parameter");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": [99999999]}");
        assertError(r, 400, "prompt", "token id");
        r = post(server, "/chat/completions", KEY_A, "{\"model\": \"hallmark-default\", \"messages\": [{\"role\": "
                + "\"wizard\", \"content\": \"hi\"}]}");
        assertError(r, 400, "messages[0].role", "must be system, developer, user or assistant");
        r = post(server, "/chat/completions", KEY_A, "{\"model\": \"hallmark-default\", \"messages\": []}");
        assertError(r, 400, "messages", "non-empty array");
        r = post(server, "/completions", null, "{\"model\": \"hallmark-default\", \"prompt\": \"x\"}");
        assertError(r, 401, null, "You didn't provide an API key");
        r = post(server, "/completions", KEY_A, "{\"model\": \"hallmark-default\", \"prompt\": \"" + "x".repeat(1 << 20)
                + "\"}");
        assertEquals(413, r.statusCode());
        r = get(server, "/v1/nothing-here");
        assertError(r, 401, null, "API key");
        HttpResponse<String> models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.baseUrl() + "/models")).header("Authorization", "Bearer " + KEY_A).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("hallmark-default", JSON.readTree(models.body()).get("data").get(0).get("id").asText());
    }

    private static void assertError(HttpResponse<String> r, int status, String param, String message) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertNotNull(e, r.body());
        assertTrue(e.get("message").asText().contains(message), e.toString());
        if (param != null) {
            assertEquals(param, e.get("param").asText(), e.toString());
        }
        assertTrue(e.has("type") && e.has("code"), e.toString());
    }

    static HttpResponse<String> post(ServeServer s, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(ServeServer s, String path) throws Exception {
        String base = s.baseUrl().substring(0, s.baseUrl().length() - "/v1".length());
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
