package dev.hallmark.tools.probe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.tools.Hallmark;
import dev.hallmark.tools.Jsonl;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark probe}: audits a suspect model's OpenAI-compatible endpoint black-box. Sends the
 * prompts (resumably, rate-limit aware), writes one JSONL record per answer, then optionally runs
 * the radioactivity test and account attribution on what it collected, with the reports of
 * {@code hallmark radioactivity} and {@code hallmark attribute} (prompt tokens excluded).
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"Audit a suspect model's OpenAI-compatible endpoint: collect its answers to the prompts "
                + "(retries, backoff, Retry-After, resumable), then test them for the lab's watermark.",
            "The API key is read from --api-key-file or an environment variable and never printed."})
public final class ProbeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--endpoint", required = true, description = "Base URL, e.g. http://HOST:PORT/v1.")
    String endpoint;

    @Option(names = "--api-key-file", description = "File holding the endpoint's API key (first line).")
    Path apiKeyFile;

    @Option(names = "--api-key-env", defaultValue = "OPENAI_API_KEY",
            description = "Environment variable holding the API key when no file is given (default: ${DEFAULT-VALUE}).")
    String apiKeyEnv;

    @Option(names = "--prompts", required = true, description = "JSONL prompts: \"prompt\" text (or \"messages\" with --chat).")
    Path prompts;

    @Option(names = "--out", required = true, description = "Collected answers (JSONL); an existing file is resumed.")
    Path out;

    @Option(names = "--model", description = "Model id to ask for (default: the endpoint's first model).")
    String model;

    @Option(names = "--max-tokens", defaultValue = "200", description = "max_tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0", description = "top_p (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", description = "Seed: each request sends a seed derived from it and its (prompt, sample).")
    Long seed;

    @Option(names = "--samples-per-prompt", defaultValue = "1", description = "Answers per prompt (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N prompts (0 = all).")
    int limit;

    @Option(names = "--concurrency", defaultValue = "4", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--chat", description = "Use /chat/completions (a prompt becomes one user message).")
    boolean chat;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds per request (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--max-retries", defaultValue = "6", description = "Retries per request (default: ${DEFAULT-VALUE}).")
    int maxRetries;

    @Option(names = "--backoff-ms", defaultValue = "500", description = "First backoff in ms, doubling (default: ${DEFAULT-VALUE}).")
    long backoffMillis;

    @Option(names = "--test", description = "Analysis after collecting: radioactivity.")
    String test;

    @Option(names = "--key", description = "Key file for --test radioactivity.")
    Path key;

    @Option(names = "--keyring", description = "Key directory for --test radioactivity (Holm-corrected).")
    Path keyring;

    @Option(names = "--scheme", description = "Scheme spec the lab served with (--test / --attribute).")
    String scheme;

    @Option(names = "--attribute", description = "Run account attribution after collecting.")
    boolean attribute;

    @Option(names = "--master", description = "Master key file for --attribute.")
    Path master;

    @Option(names = "--accounts", description = "Number of accounts for --attribute (ids 0..N-1).")
    Long accounts;

    @Option(names = "--code", description = "Account code q,length,degree for --attribute (default: attribute's).")
    String code;

    @Option(names = "--coalition", description = "Coalition bound for --attribute (default: attribute's).")
    Integer coalition;

    @Option(names = "--filter", description = "Watermarked data the lab served (JSONL): the served-data filter.")
    Path filter;

    @Option(names = "--filter-top", description = "Most frequent served contexts to keep (0 = all).")
    Integer filterTop;

    @Option(names = "--fpr", description = "False-positive / false-accusation rate (default: the tests').")
    String fpr;

    @Option(names = "--json", description = "JSON reports.")
    boolean json;

    @Option(names = "--tokenizer", description = "tokenizer.json for the analysis (default: Qwen3 from the Hallmark cache).")
    Path tokenizer;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter err = spec.commandLine().getErr();
        List<Collector.Prompt> ps = readPrompts();
        Collector.Settings probe = null;
        java.util.Set<Long> done = Collector.resume(out, ps, samples);
        int missing = ps.size() * samples - done.size();
        if (missing > 0) {
            String apiKey = apiKey();
            ProbeClient client = new ProbeClient(endpoint, apiKey, Duration.ofSeconds(timeoutSeconds), maxRetries,
                    backoffMillis, System.nanoTime());
            String m = model != null ? model : client.firstModel();
            probe = new Collector.Settings(m, maxTokens, temperature, topP, seed, samples, chat, concurrency, endpoint);
            err.printf(Locale.ROOT, "probe: %d prompts x %d samples from %s (model %s): %d already in %s, asking %d%n",
                    ps.size(), samples, endpoint, m, done.size(), out, missing);
            err.flush();
            Collector.Outcome o = Collector.run(client, ps, probe, out, err);
            err.printf(Locale.ROOT, "probe: %d answers asked, %d in %s%n", o.asked(), o.alreadyThere() + o.asked(), out);
        } else {
            err.printf(Locale.ROOT, "probe: all %d answers already in %s; nothing to ask%n", done.size(), out);
        }
        err.flush();
        int rc = 0;
        if (test != null) {
            rc = Math.max(rc, analyse(radioactivityArgs()));
        }
        if (attribute) {
            rc = Math.max(rc, analyse(attributeArgs()));
        }
        return rc;
    }

    private void validate() {
        if (samples < 1 || concurrency < 1 || maxTokens < 1 || timeoutSeconds < 1 || maxRetries < 0 || limit < 0) {
            throw new IllegalArgumentException("--samples-per-prompt, --concurrency, --max-tokens and --timeout must be "
                    + ">= 1; --max-retries and --limit >= 0");
        }
        if (test != null) {
            if (!test.equals("radioactivity")) {
                throw new IllegalArgumentException("--test must be radioactivity, got '" + test + "'");
            }
            if ((key == null) == (keyring == null) || scheme == null) {
                throw new IllegalArgumentException("--test radioactivity needs --scheme and one of --key / --keyring");
            }
        }
        if (attribute && (master == null || accounts == null || scheme == null)) {
            throw new IllegalArgumentException("--attribute needs --master, --accounts and --scheme");
        }
    }

    private List<Collector.Prompt> readPrompts() {
        List<JsonNode> records = Jsonl.readRecords(prompts);
        List<Collector.Prompt> out = new ArrayList<>();
        for (int i = 0; i < records.size() && (limit == 0 || out.size() < limit); i++) {
            JsonNode r = records.get(i);
            JsonNode p = r.get("prompt");
            JsonNode m = r.get("messages");
            if (m != null && !chat) {
                throw new IllegalArgumentException(prompts + " record " + (i + 1) + " has messages: add --chat");
            }
            if (m != null) {
                if (!m.isArray() || m.isEmpty()) {
                    throw new IllegalArgumentException(prompts + " record " + (i + 1) + ": messages must be a non-empty array");
                }
                StringBuilder text = new StringBuilder();
                for (JsonNode x : m) {
                    text.append(text.length() > 0 ? "\n\n" : "").append(x.path("content").asText(""));
                }
                out.add(new Collector.Prompt(text.toString(), m));
            } else if (p != null && p.isTextual() && !p.asText().isEmpty()) {
                out.add(new Collector.Prompt(p.asText(), null));
            } else {
                throw new IllegalArgumentException(prompts + " record " + (i + 1) + ": no non-empty \"prompt\" string"
                        + (chat ? " or \"messages\" array" : ""));
            }
        }
        return out;
    }

    private String apiKey() throws IOException {
        String k;
        if (apiKeyFile != null) {
            try {
                List<String> lines = Files.readAllLines(apiKeyFile, StandardCharsets.UTF_8);
                k = lines.isEmpty() ? "" : lines.get(0).strip();
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("--api-key-file not found: " + apiKeyFile);
            }
            if (k.isEmpty()) {
                throw new IllegalArgumentException("--api-key-file " + apiKeyFile + " is empty");
            }
        } else {
            k = System.getenv(apiKeyEnv);
            if (k == null || k.isBlank()) {
                throw new IllegalArgumentException("no API key: give --api-key-file or set $" + apiKeyEnv);
            }
            k = k.strip();
        }
        return k;
    }

    private List<String> radioactivityArgs() {
        List<String> a = new ArrayList<>(List.of("radioactivity", "--suspect", out.toString(), "--scheme", scheme));
        if (key != null) {
            a.addAll(List.of("--key", key.toString()));
        } else {
            a.addAll(List.of("--keyring", keyring.toString()));
        }
        common(a);
        return a;
    }

    private List<String> attributeArgs() {
        List<String> a = new ArrayList<>(List.of("attribute", "--suspect", out.toString(), "--scheme", scheme,
                "--master", master.toString(), "--accounts", Long.toString(accounts)));
        if (code != null) {
            a.addAll(List.of("--code", code));
        }
        if (coalition != null) {
            a.addAll(List.of("--coalition", Integer.toString(coalition)));
        }
        common(a);
        return a;
    }

    private void common(List<String> a) {
        if (filter != null) {
            a.addAll(List.of("--filter", filter.toString()));
        }
        if (filterTop != null) {
            a.addAll(List.of("--filter-top", Integer.toString(filterTop)));
        }
        if (fpr != null) {
            a.addAll(List.of("--fpr", fpr));
        }
        if (tokenizer != null) {
            a.addAll(List.of("--tokenizer", tokenizer.toString()));
        }
        if (json) {
            a.add("--json");
        }
    }

    /** Runs {@code hallmark radioactivity|attribute} on the collected file: the very same report. */
    private int analyse(List<String> args) {
        CommandLine cl = Hallmark.commandLine();
        cl.setOut(spec.commandLine().getOut());
        cl.setErr(spec.commandLine().getErr());
        return cl.execute(args.toArray(new String[0]));
    }
}
