package dev.hallmark.tools.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.tools.Defaults;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark serve-bench}: throughput and latency of {@code hallmark serve} under C concurrent
 * clients, watermarked against {@code --no-watermark} in the same run. Both servers run in this JVM
 * over the same model and take turns (never both loaded at once); each round runs every
 * concurrency level for both modes, the order of the modes alternating, so slow drifts of a shared
 * machine hit both alike. Clients are plain HTTP clients on loopback sending
 * {@code /v1/completions} with a fixed {@code max_tokens}; tokens/s counts the completion tokens the
 * server reports in {@code usage}.
 */
@Command(name = "serve-bench", mixinStandardHelpOptions = true,
        description = "Benchmark hallmark serve: tokens/s and latency p50/p99 at several client concurrencies, "
                + "watermarked vs --no-watermark in the same run (a benchmark, not a test).")
public final class ServeBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--model", description = "Model directory (default: the committed default model).")
    Path model;

    @Option(names = "--tokenizer", description = "tokenizer.json (default: Qwen3 from the Hallmark cache).")
    Path tokenizer;

    @Option(names = "--scheme", defaultValue = "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash",
            description = "Scheme of the watermarked server (default: ${DEFAULT-VALUE}).")
    String scheme;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,8,32", description = "Client counts (default: ${DEFAULT-VALUE}).")
    int[] concurrency;

    @Option(names = "--requests-per-client", defaultValue = "3", description = "Requests per client and cell (default: ${DEFAULT-VALUE}).")
    int requestsPerClient;

    @Option(names = "--max-tokens", defaultValue = "64", description = "max_tokens of each request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--top-p", defaultValue = "0.95", description = "top_p of each request (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--rounds", defaultValue = "3", description = "Interleaved rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--max-batch", defaultValue = "32", description = "Server batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--out", description = "Results JSON.")
    Path out;

    /** One cell: a mode at a concurrency in one round. */
    private record Cell(String mode, int clients, int round, long tokens, double seconds, double[] latencies,
            long cpuNanos) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("hallmark-serve-bench");
        int maxClients = Arrays.stream(concurrency).max().orElse(1);
        StringBuilder acc = new StringBuilder();
        for (int i = 0; i < maxClients; i++) {
            acc.append("{\"account\": \"bench-").append(i).append("\", \"api_key\": \"sk-bench-").append(i)
                    .append("-key\"}\n");
        }
        Path accountsFile = dir.resolve("accounts.jsonl");
        Files.writeString(accountsFile, acc);
        List<Cell> cells = new ArrayList<>();
        try (TextTokenizer tok = Defaults.openTokenizer(tokenizer, TokenizerEngine.FAST); LanguageModel lm = Defaults.loadModel(model)) {
            ServeServer.Options opts = new ServeServer.Options("127.0.0.1", 0, lm.name(), maxBatch, 4096, maxTokens,
                    lm.maxContext(), 1, 0, 1, new int[0]); // no stop id: every request runs max_tokens steps
            WatermarkKey master = WatermarkKey.generate(new SecureRandom());
            try (ServeServer wm = ServeServer.start(lm, tok::decode, tok::encode, Accounts.read(accountsFile),
                    Keying.derived(master, Scheme.parse(scheme)), opts);
                    ServeServer plain = ServeServer.start(lm, tok::decode, tok::encode, Accounts.read(accountsFile),
                            Keying.none(), opts)) {
                err.println("serve-bench: warm-up");
                err.flush();
                drive(wm, 2, 1, lm.name(), 0);
                drive(plain, 2, 1, lm.name(), 0);
                for (int r = 0; r < rounds; r++) {
                    for (int c : concurrency) {
                        boolean wmFirst = (r + c) % 2 == 0;
                        for (int k = 0; k < 2; k++) {
                            boolean isWm = (k == 0) == wmFirst;
                            Cell cell = drive(isWm ? wm : plain, c, requestsPerClient, lm.name(), r);
                            cell = new Cell(isWm ? "watermarked" : "plain", c, r, cell.tokens(), cell.seconds(),
                                    cell.latencies(), cell.cpuNanos());
                            cells.add(cell);
                            err.printf(Locale.ROOT, "serve-bench: round %d, %2d clients, %-11s %8.1f tokens/s%n", r, c,
                                    cell.mode(), cell.tokens() / cell.seconds());
                            err.flush();
                        }
                    }
                }
            }
        }
        ObjectNode res = summary(cells);
        o.println(table(res));
        o.flush();
        if (out != null) {
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), res);
        }
        return 0;
    }

    private Cell drive(ServeServer s, int clients, int perClient, String modelName, int round) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> fs = new ArrayList<>();
            long cpu0 = s.engineCpuNanos();
            long t0 = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    long[] res = new long[1 + perClient];
                    for (int i = 0; i < perClient; i++) {
                        String body = "{\"model\": \"" + modelName + "\", \"prompt\": \"And it came to pass in the days of "
                                + "the king, that " + client + "\", \"max_tokens\": " + maxTokens + ", \"top_p\": " + topP
                                + ", \"seed\": " + (round * 1000 + client * 10 + i) + "}";
                        long r0 = System.nanoTime();
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.baseUrl() + "/completions"))
                                .header("Authorization", "Bearer sk-bench-" + client + "-key")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                        }
                        res[0] += JSON.readTree(r.body()).get("usage").get("completion_tokens").asLong();
                        res[1 + i] = System.nanoTime() - r0;
                    }
                    return res;
                }));
            }
            long tokens = 0;
            double[] lat = new double[clients * perClient];
            int j = 0;
            for (Future<long[]> f : fs) {
                long[] r = f.get();
                tokens += r[0];
                for (int i = 1; i < r.length; i++) {
                    lat[j++] = r[i] / 1e6;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Cell("", clients, round, tokens, secs, lat, s.engineCpuNanos() - cpu0);
        } finally {
            pool.shutdownNow();
        }
    }

    private ObjectNode summary(List<Cell> cells) {
        ObjectNode res = JSON.createObjectNode();
        res.put("scheme", scheme);
        res.put("max_tokens", maxTokens);
        res.put("top_p", topP);
        res.put("requests_per_client", requestsPerClient);
        res.put("rounds", rounds);
        res.put("max_batch", maxBatch);
        res.put("processors", Runtime.getRuntime().availableProcessors());
        ArrayNode rows = res.putArray("rows");
        for (int c : concurrency) {
            ObjectNode row = rows.addObject();
            row.put("clients", c);
            double[] ratios = new double[rounds];
            for (String mode : new String[] {"watermarked", "plain"}) {
                long tokens = 0;
                double secs = 0;
                long cpu = 0;
                List<Double> lat = new ArrayList<>();
                for (Cell x : cells) {
                    if (x.clients() == c && x.mode().equals(mode)) {
                        tokens += x.tokens();
                        secs += x.seconds();
                        cpu += x.cpuNanos();
                        for (double l : x.latencies()) {
                            lat.add(l);
                        }
                    }
                }
                double[] l = lat.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                ObjectNode m = row.putObject(mode);
                m.put("tokens_per_second", tokens / secs);
                m.put("engine_cpu_us_per_token", cpu / 1e3 / tokens);
                m.put("latency_p50_ms", quantile(l, 0.5));
                m.put("latency_p99_ms", quantile(l, 0.99));
                m.put("requests", l.length);
            }
            for (int r = 0; r < rounds; r++) {
                double w = 0;
                double p = 0;
                for (Cell x : cells) {
                    if (x.clients() == c && x.round() == r) {
                        if (x.mode().equals("watermarked")) {
                            w = x.tokens() / x.seconds();
                        } else {
                            p = x.tokens() / x.seconds();
                        }
                    }
                }
                ratios[r] = w / p;
            }
            row.put("ratio", row.get("watermarked").get("tokens_per_second").asDouble()
                    / row.get("plain").get("tokens_per_second").asDouble());
            // tokens per engine-CPU-second, watermarked over plain: what the ratio is when the engine
            // thread has a core to itself (insensitive to other processes' load)
            row.put("cpu_ratio", row.get("plain").get("engine_cpu_us_per_token").asDouble()
                    / row.get("watermarked").get("engine_cpu_us_per_token").asDouble());
            ArrayNode rr = row.putArray("ratio_per_round");
            for (double x : ratios) {
                rr.add(x);
            }
        }
        return res;
    }

    /** The q-quantile of sorted values (nearest rank). */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static String table(ObjectNode res) {
        StringBuilder sb = new StringBuilder();
        sb.append("| clients | watermarked tokens/s | plain tokens/s | ratio (per round) | engine CPU us/token, "
                + "watermarked / plain | CPU ratio | p50 / p99 ms, watermarked | p50 / p99 ms, plain |\n"
                + "|---:|---:|---:|---|---|---:|---|---|\n");
        for (var r : res.get("rows")) {
            StringBuilder per = new StringBuilder();
            for (var x : r.get("ratio_per_round")) {
                per.append(per.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.3f", x.asDouble()));
            }
            sb.append(String.format(Locale.ROOT, "| %d | %.1f | %.1f | **%.3f** (%s) | %.0f / %.0f | **%.3f** | %.0f / %.0f "
                    + "| %.0f / %.0f |%n",
                    r.get("clients").asInt(), r.get("watermarked").get("tokens_per_second").asDouble(),
                    r.get("plain").get("tokens_per_second").asDouble(), r.get("ratio").asDouble(), per,
                    r.get("watermarked").get("engine_cpu_us_per_token").asDouble(),
                    r.get("plain").get("engine_cpu_us_per_token").asDouble(), r.get("cpu_ratio").asDouble(),
                    r.get("watermarked").get("latency_p50_ms").asDouble(),
                    r.get("watermarked").get("latency_p99_ms").asDouble(),
                    r.get("plain").get("latency_p50_ms").asDouble(), r.get("plain").get("latency_p99_ms").asDouble()));
        }
        return sb.toString();
    }

}
