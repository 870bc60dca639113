package dev.hallmark.tools.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.tools.Progress;
import dev.hallmark.tools.probe.ProbeClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The lab's API traffic of the HTTP story: many accounts send prompts to the teacher's
 * {@code hallmark serve} endpoint, each with its own API key, through an OpenAI-compatible client
 * ({@link ProbeClient}), interleaved and concurrent. Every answer is appended to a JSONL file as it
 * arrives, so an interrupted run resumes without asking again.
 */
final class HttpTraffic {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request: which account asks which prompt. */
    record Request(int index, long account, String apiKey, int promptIndex, String prompt, long seed) {
    }

    /** One answer the lab served. */
    record Served(int index, long account, int promptIndex, String prompt, String completion, String finishReason) {
    }

    private HttpTraffic() {
    }

    /**
     * Sends every request whose answer {@code file} does not hold yet and returns all answers in
     * request order.
     */
    static List<Served> run(String endpoint, String model, List<Request> requests, int maxTokens, double temperature,
            double topP, int concurrency, Path file, String label, PrintWriter err) throws IOException {
        Map<Integer, Served> done = read(file);
        List<Request> todo = new ArrayList<>();
        for (Request r : requests) {
            if (!done.containsKey(r.index())) {
                todo.add(r);
            }
        }
        if (!todo.isEmpty()) {
            ProbeClient base = new ProbeClient(endpoint, "unused", Duration.ofSeconds(300), 6, 200, 1);
            Progress bar = new Progress(label + " (requests)", todo.size(), err);
            ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>(todo);
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < concurrency; t++) {
                    fs.add(pool.submit(() -> {
                        Request r;
                        while (failure.get() == null && (r = queue.poll()) != null) {
                            ObjectNode body = JSON.createObjectNode();
                            body.put("model", model);
                            body.put("prompt", r.prompt());
                            body.put("max_tokens", maxTokens);
                            body.put("temperature", temperature);
                            body.put("top_p", topP);
                            body.put("seed", r.seed());
                            ProbeClient.Answer a;
                            try {
                                a = base.forKey(r.apiKey()).complete(body, false);
                            } catch (RuntimeException e) {
                                failure.compareAndSet(null, e);
                                return;
                            }
                            Served s = new Served(r.index(), r.account(), r.promptIndex(), r.prompt(), a.text(),
                                    a.finishReason());
                            synchronized (w) {
                                try {
                                    w.write(line(s));
                                    w.write('\n');
                                    w.flush();
                                } catch (IOException e) {
                                    failure.compareAndSet(null, new UncheckedIOException(e));
                                    return;
                                }
                                done.put(s.index(), s);
                            }
                            bar.step(1);
                        }
                    }));
                }
                for (Future<?> f : fs) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException(e.getCause());
                    }
                }
            } finally {
                pool.shutdownNow();
                bar.done();
            }
            if (failure.get() != null) {
                throw new IllegalStateException(label + ": " + failure.get().getMessage() + " (answers so far are in "
                        + file + "; run again to resume)");
            }
        }
        List<Served> out = new ArrayList<>();
        for (Request r : requests) {
            out.add(done.get(r.index()));
        }
        return out;
    }

    private static String line(Served s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("i", s.index());
        o.put("account", s.account());
        o.put("prompt_index", s.promptIndex());
        o.put("prompt", s.prompt());
        o.put("completion", s.completion());
        o.put("finish_reason", s.finishReason());
        return o.toString();
    }

    /** The answers in {@code file} by request index; a torn last line is cut off. */
    static Map<Integer, Served> read(Path file) throws IOException {
        Map<Integer, Served> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        long keep = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    break;
                }
                throw new IOException(file + " line " + (i + 1) + " is not JSON", e);
            }
            if (n != null) {
                out.put(n.get("i").asInt(), new Served(n.get("i").asInt(), n.get("account").asLong(),
                        n.get("prompt_index").asInt(), n.get("prompt").asText(), n.get("completion").asText(),
                        n.path("finish_reason").asText(null)));
            }
            keep += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        if (keep < Files.size(file)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(keep);
            }
        }
        return out;
    }
}
