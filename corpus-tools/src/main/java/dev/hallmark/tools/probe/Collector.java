package dev.hallmark.tools.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.tools.Progress;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asks an endpoint every (prompt, sample) pair that the output file does not hold yet, on
 * {@code concurrency} threads, appending one JSONL record per answer as soon as it arrives
 * (flushed, so an interruption loses nothing that was answered). Resuming reads the file first:
 * records already there are not asked again; a torn last line (the process died while writing it)
 * is dropped and asked again; a record whose prompt differs from the prompts file is an error.
 */
final class Collector {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One prompt: its text (what the record's "prompt" field holds, and what the radioactivity
     * test excludes from scoring) and, for chat, the messages sent.
     */
    record Prompt(String text, JsonNode messages) {
    }

    /** Request settings. */
    record Settings(String model, int maxTokens, double temperature, double topP, Long seed, int samples, boolean chat,
            int concurrency, String endpoint) {
    }

    /** What a run did. */
    record Outcome(int alreadyThere, int asked) {
    }

    private Collector() {
    }

    /** The (prompt, sample) pairs already in {@code out}; drops a torn last line. */
    static Set<Long> resume(Path out, List<Prompt> prompts, int samples) throws IOException {
        Set<Long> done = new HashSet<>();
        if (!Files.exists(out)) {
            return done;
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        long keepBytes = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                keepBytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
                continue;
            }
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    break; // torn last line: dropped below, asked again
                }
                throw new IllegalArgumentException(out + " line " + (i + 1) + " is not JSON: not a probe output file "
                        + "(use another --out)");
            }
            int p = n.path("prompt_index").asInt(-1);
            int s = n.path("sample").asInt(-1);
            if (p < 0 || p >= prompts.size() || s < 0) {
                throw new IllegalArgumentException(out + " line " + (i + 1) + ": prompt_index " + p + " / sample " + s
                        + " do not fit the " + prompts.size() + " prompts of --prompts (use another --out)");
            }
            if (!prompts.get(p).text().equals(n.path("prompt").asText(null))) {
                throw new IllegalArgumentException(out + " line " + (i + 1) + ": its prompt differs from prompt " + p
                        + " of --prompts: the file was collected from other prompts (use another --out)");
            }
            if (s < samples) {
                done.add(unit(p, s));
            }
            keepBytes += line.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        long size = Files.size(out);
        if (keepBytes < size) {
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
                ch.truncate(keepBytes);
            }
        }
        return done;
    }

    static long unit(int prompt, int sample) {
        return ((long) prompt << 32) | sample;
    }

    /**
     * Asks what is missing. On a failure that retries did not fix, the other workers stop, every
     * record answered so far is already on disk, and the failure is rethrown.
     */
    static Outcome run(ProbeClient client, List<Prompt> prompts, Settings st, Path out, PrintWriter err)
            throws IOException {
        Set<Long> done = resume(out, prompts, st.samples());
        List<long[]> todo = new ArrayList<>();
        for (int s = 0; s < st.samples(); s++) {
            for (int p = 0; p < prompts.size(); p++) {
                if (!done.contains(unit(p, s))) {
                    todo.add(new long[] {p, s});
                }
            }
        }
        if (todo.isEmpty()) {
            return new Outcome(done.size(), 0);
        }
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Progress bar = new Progress("probe " + st.endpoint() + " (answers)", todo.size(), err);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(st.concurrency(), r -> {
            Thread t = new Thread(r, "hallmark-probe");
            t.setDaemon(true);
            return t;
        });
        int[] asked = {0};
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            List<Future<?>> fs = new ArrayList<>();
            java.util.concurrent.ConcurrentLinkedQueue<long[]> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(todo);
            for (int t = 0; t < st.concurrency(); t++) {
                fs.add(pool.submit(() -> {
                    long[] u;
                    while (failure.get() == null && (u = queue.poll()) != null) {
                        int p = (int) u[0];
                        int s = (int) u[1];
                        ObjectNode body = body(prompts.get(p), st, p, s);
                        ProbeClient.Answer a;
                        try {
                            a = client.complete(body, st.chat());
                        } catch (RuntimeException e) {
                            failure.compareAndSet(null, e);
                            return;
                        }
                        String line = record(prompts.get(p), p, s, st, a).toString();
                        synchronized (w) {
                            try {
                                w.write(line);
                                w.write('\n');
                                w.flush();
                            } catch (IOException e) {
                                failure.compareAndSet(null, new UncheckedIOException("cannot write " + out, e));
                                return;
                            }
                            asked[0]++;
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
                    failure.compareAndSet(null, new ProbeClient.ProbeException("interrupted"));
                } catch (java.util.concurrent.ExecutionException e) {
                    failure.compareAndSet(null, new IllegalStateException(e.getCause()));
                }
            }
        } finally {
            pool.shutdownNow();
            bar.done();
        }
        if (failure.get() != null) {
            RuntimeException e = failure.get();
            throw new ProbeClient.ProbeException(e.getMessage() + "; " + (done.size() + asked[0]) + " answers are in "
                    + out + " (run the same command again to resume)");
        }
        return new Outcome(done.size(), asked[0]);
    }

    /** The request body of (prompt p, sample s). */
    static ObjectNode body(Prompt prompt, Settings st, int p, int s) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", st.model());
        if (st.chat()) {
            b.set("messages", prompt.messages() != null ? prompt.messages() : userMessage(prompt.text()));
        } else {
            b.put("prompt", prompt.text());
        }
        b.put("max_tokens", st.maxTokens());
        b.put("temperature", st.temperature());
        b.put("top_p", st.topP());
        if (st.seed() != null) {
            b.put("seed", requestSeed(st.seed(), p, s));
        }
        return b;
    }

    private static ArrayNode userMessage(String text) {
        ArrayNode a = JSON.createArrayNode();
        ObjectNode m = a.addObject();
        m.put("role", "user");
        m.put("content", text);
        return a;
    }

    /** The seed of one request: a re-asked pair gets the same seed (an endpoint that honours seeds repeats itself). */
    static long requestSeed(long seed, int p, int s) {
        long z = seed ^ (0x9E3779B97F4A7C15L * (((long) p << 20) + s + 1));
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    private static ObjectNode record(Prompt prompt, int p, int s, Settings st, ProbeClient.Answer a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt_index", p);
        o.put("sample", s);
        o.put("prompt", prompt.text());
        o.put("completion", a.text());
        if (a.finishReason() == null) {
            o.putNull("finish_reason");
        } else {
            o.put("finish_reason", a.finishReason());
        }
        o.put("endpoint", st.endpoint());
        o.put("model", st.model());
        if (a.model() != null) {
            o.put("served_model", a.model());
        }
        if (a.id() != null) {
            o.put("response_id", a.id());
        }
        ObjectNode req = o.putObject("request");
        req.put("api", st.chat() ? "chat.completions" : "completions");
        req.put("max_tokens", st.maxTokens());
        req.put("temperature", st.temperature());
        req.put("top_p", st.topP());
        if (st.seed() != null) {
            req.put("seed", requestSeed(st.seed(), p, s));
        }
        if (a.usage() != null) {
            o.set("usage", a.usage());
        }
        o.put("latency_ms", a.latencyMillis());
        o.put("attempts", a.attempts());
        o.put("collected_at", Instant.now().toString());
        return o;
    }
}
