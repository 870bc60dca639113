package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.Problem;
import dev.hallmark.service.store.ProbeAllowlist;
import dev.hallmark.service.store.ProbeSecrets;
import dev.hallmark.service.store.ScanStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code probe} scan type: the service audits a suspect model's OpenAI-compatible endpoint
 * itself (the service form of {@code hallmark probe}). The upload is the prompts (JSONL, one
 * {@code "prompt"} per line); the endpoint must be on the admin's {@link ProbeAllowlist} when the
 * scan is created and again when it runs, and the service contacts nothing else. The endpoint's API
 * key is sealed at rest ({@link ProbeSecrets}) until the answers are collected, then deleted.
 *
 * <p>The answers are appended to {@code answers.jsonl} beside the prompts as they arrive (a scan
 * interrupted by a service stop, or taken over from an instance that died, resumes without asking
 * again; a cancelled one stops asking at once), then the radioactivity analysis
 * runs on them exactly as on an uploaded suspect corpus ({@code RadioactivityScan}: every
 * registered key or the chosen ones, Holm-corrected, tuples de-duplicated over the whole corpus,
 * each answer's prompt excluded; it checkpoints like any scan), and its report gets a {@code probe}
 * section.
 */
final class ProbeScan implements ScanAnalysis {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ANSWERS = "answers.jsonl";

    private final ScanContext ctx;
    private final ProbeAllowlist allowlist;
    private final ProbeSecrets secrets;
    private final ScanAnalysis radioactivity;

    ProbeScan(ScanContext ctx, ProbeAllowlist allowlist, ProbeSecrets secrets, ScanAnalysis radioactivity) {
        this.ctx = ctx;
        this.allowlist = allowlist;
        this.secrets = secrets;
        this.radioactivity = radioactivity;
    }

    /** Where a probe scan keeps its sealed API key, given its stored prompts file. */
    static Path sealedKey(Path prompts) {
        return prompts.resolveSibling(ProbeSecrets.FILE);
    }

    /** The radioactivity pass over the answers saves the checkpoints. */
    @Override
    public String checkpointType(ScanStore.Scan s) {
        return ScanStore.TYPE_RADIOACTIVITY;
    }

    @Override
    public Outcome run(ScanStore.Scan s, Checkpoint.Resume resume) throws IOException {
        JsonNode p = JSON.readTree(s.params());
        String endpoint = p.get("endpoint").asText();
        if (!allowlist.allows(endpoint)) {
            deleteKey(s);
            throw Problem.forbidden("the endpoint " + endpoint + " is no longer on the service's probe allowlist");
        }
        Path prompts = ctx.files().corpus(s);
        Path answers = prompts.resolveSibling(ANSWERS);
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(prompts, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                texts.add(JSON.readTree(line).get("prompt").asText());
            }
        }
        int samples = p.get("samples_per_prompt").asInt();
        Set<Long> done = resume(answers);
        int total = texts.size() * samples;
        int retries = 0;
        if (done.size() < total) {
            EndpointClient client;
            try {
                client = new EndpointClient(endpoint, secrets.read(sealedKey(prompts), s.id()), Duration.ofSeconds(120),
                        s.id().hashCode(), ctx.closing());
            } catch (IllegalStateException e) {
                throw Problem.invalid(e.getMessage() + "; create the probe scan again");
            }
            try (BufferedWriter w = Files.newBufferedWriter(answers, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                for (int k = 0; k < samples; k++) {
                    for (int i = 0; i < texts.size(); i++) {
                        if (done.contains(unit(i, k))) {
                            continue;
                        }
                        ObjectNode body = body(p, texts.get(i), i, k);
                        String text = client.complete(body, p.get("chat_api").asBoolean());
                        if (text == null || ctx.scans().get(s.id()) == null) {
                            return Outcome.interrupted(); // stopping (the key stays sealed for the resumed run) or deleted
                        }
                        ObjectNode rec = JSON.createObjectNode();
                        rec.put("prompt_index", i);
                        rec.put("sample", k);
                        rec.put("prompt", texts.get(i));
                        rec.put("completion", text);
                        w.write(rec.toString());
                        w.write('\n');
                        w.flush();
                        done.add(unit(i, k));
                        if (!ctx.scans().progress(s.id(), done.size(), 0,
                                (long) ((double) s.uploadBytes() * done.size() / total))) {
                            return Outcome.interrupted(); // cancelled, deleted, or no longer this instance's
                        }
                    }
                }
            } catch (RuntimeException e) {
                deleteKey(s);
                throw e;
            }
            retries = client.retries;
            resume = null; // answers were added: a checkpoint of the analysis (if any) is not of these answers
        }
        deleteKey(s); // every answer is in: the key is not needed any more
        String stored = Path.of(s.uploadFile()).resolveSibling(ANSWERS).toString();
        ScanStore.Scan suspect = new ScanStore.Scan(s.id(), ScanStore.TYPE_RADIOACTIVITY, s.tenant(), s.tokenId(),
                s.name(), s.state(), "jsonl", "none", "completion", null, s.alpha(), s.keyIds(), stored,
                Files.size(answers), s.createdAt(), s.startedAt(), s.finishedAt(), 0, 0, 0, s.attempts(), null, null,
                s.scheme(), s.params());
        Outcome analysed = radioactivity.run(suspect, resume);
        if (analysed.stopped()) {
            return analysed;
        }
        ObjectNode report = analysed.report();
        ObjectNode probe = report.putObject("probe");
        probe.put("endpoint", endpoint);
        probe.put("model", p.get("model").asText());
        probe.put("api", p.get("chat_api").asBoolean() ? "chat.completions" : "completions");
        probe.put("prompts", texts.size());
        probe.put("samples_per_prompt", samples);
        probe.put("answers", done.size());
        probe.put("max_tokens", p.get("max_tokens").asInt());
        probe.put("temperature", p.get("temperature").asDouble());
        probe.put("retries_this_run", retries);
        return new Outcome(report, false, QueryBudget.probeTokens(texts.size(), samples, p.get("max_tokens").asInt()));
    }

    private void deleteKey(ScanStore.Scan s) throws IOException {
        Files.deleteIfExists(sealedKey(ctx.files().corpus(s)));
    }

    private static long unit(int prompt, int sample) {
        return ((long) prompt << 20) | sample;
    }

    private static ObjectNode body(JsonNode p, String prompt, int i, int k) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", p.get("model").asText());
        if (p.get("chat_api").asBoolean()) {
            ObjectNode m = b.putArray("messages").addObject();
            m.put("role", "user");
            m.put("content", prompt);
        } else {
            b.put("prompt", prompt);
        }
        b.put("max_tokens", p.get("max_tokens").asInt());
        b.put("temperature", p.get("temperature").asDouble());
        b.put("seed", (long) i * 1_000_003L + k);
        return b;
    }

    /** The answers already collected; a torn last line (the service died writing it) is cut off. */
    private static Set<Long> resume(Path answers) throws IOException {
        Set<Long> done = new HashSet<>();
        if (!Files.exists(answers)) {
            return done;
        }
        List<String> lines = Files.readAllLines(answers, StandardCharsets.UTF_8);
        long keep = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                break;
            }
            if (n == null || !n.has("prompt_index")) {
                break;
            }
            done.add(unit(n.get("prompt_index").asInt(), n.get("sample").asInt()));
            keep += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        if (keep < Files.size(answers)) {
            try (FileChannel ch = FileChannel.open(answers, StandardOpenOption.WRITE)) {
                ch.truncate(keep);
            }
        }
        return done;
    }
}
