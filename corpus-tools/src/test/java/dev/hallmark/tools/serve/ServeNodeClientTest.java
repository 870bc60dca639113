package dev.hallmark.tools.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Defaults;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hallmark serve} driven by OpenAI's npm client ({@code openai} 7.60.0, fetched once with
 * {@code npm pack} into the Hallmark cache and checked by SHA-256) under Node.js: completions,
 * chat, streaming chat (the same text as non-streaming for one seed), and its error classes.
 */
class ServeNodeClientTest {

    static final String VERSION = "7.60.0";
    static final String TARBALL_SHA256 = "7506885e23fe43b71e3f818b8e650a63d7b9ea738719a81c7133a4ff415385ac";

    @TempDir
    Path dir;

    /** {@code <cache>/npm/openai-VERSION/node_modules/openai}, fetched and verified if missing. */
    static Path openaiPackage() throws Exception {
        Path cache = Tokenizers.cacheDir(System::getProperty, System::getenv).resolve("npm/openai-" + VERSION);
        Path pkg = cache.resolve("node_modules/openai");
        if (Files.isRegularFile(pkg.resolve("package.json"))) {
            return cache;
        }
        Files.createDirectories(cache);
        run(cache, List.of("npm", "pack", "--silent", "openai@" + VERSION), 300);
        Path tgz = cache.resolve("openai-" + VERSION + ".tgz");
        String sha;
        try (InputStream in = Files.newInputStream(tgz)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            sha = HexFormat.of().formatHex(md.digest(in.readAllBytes()));
        }
        assertEquals(TARBALL_SHA256, sha, "checksum of " + tgz);
        Files.createDirectories(pkg);
        run(pkg, List.of("tar", "xzf", tgz.toString(), "--strip-components=1"), 120);
        Files.delete(tgz);
        return cache;
    }

    static String run(Path cwd, List<String> cmd, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + err);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void theOpenAiNpmClientWorksUnchanged() throws Exception {
        Path cache = openaiPackage();
        Path script = dir.resolve("client.cjs");
        try (InputStream in = ServeNodeClientTest.class.getResourceAsStream("/serve/openai-node-client.cjs")) {
            Files.write(script, in.readAllBytes());
        }
        Path accounts = dir.resolve("accounts.jsonl");
        Files.writeString(accounts, "{\"account\": \"node\", \"api_key\": \"sk-node-client-0001\"}\n");
        try (TextTokenizer tok = Defaults.openTokenizer(null); TransformerLm lm = Defaults.loadModel(null);
                ServeServer server = ServeServer.start(lm, tok::decode, tok::encode, Accounts.read(accounts),
                        Keying.derived(WatermarkKey.fromSecret(new byte[32]), Scheme.parse("kgw")),
                        new ServeServer.Options("127.0.0.1", 0, "hallmark-default", 8, 64, 64, lm.maxContext(), 4, 0, 1,
                                new int[] {Tokenizers.QWEN3_END_OF_TEXT}))) {
            ProcessBuilder pb = new ProcessBuilder("node", script.toString(), server.baseUrl(), "sk-node-client-0001",
                    "hallmark-default").directory(dir.toFile());
            pb.environment().put("NODE_PATH", cache.resolve("node_modules").toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(180, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "node client failed: " + err + out);
            JsonNode r = new ObjectMapper().readTree(out);
            assertEquals(2, r.get("completion").get("choices").asInt());
            assertEquals("text_completion", r.get("completion").get("object").asText());
            assertTrue(r.get("completion").get("usage").get("completion_tokens").asInt() >= 2);
            assertEquals(r.get("chat").get("content").asText(), r.get("stream").get("content").asText());
            assertEquals(r.get("chat").get("finish").asText(), r.get("stream").get("finish").asText());
            assertTrue(r.get("stream").get("chunks").asInt() > 2);
            assertEquals(401, r.get("unauthorized").get("status").asInt());
            assertEquals("invalid_api_key", r.get("unauthorized").get("code").asText());
            assertFalse(r.get("unauthorized").get("message").asText().contains("sk-not-a-key-000"));
            assertEquals(400, r.get("bad_max_tokens").get("status").asInt());
            assertEquals("max_tokens", r.get("bad_max_tokens").get("param").asText());
            assertEquals(404, r.get("unknown_model").get("status").asInt());
            assertEquals("model_not_found", r.get("unknown_model").get("code").asText());
        }
    }
}
