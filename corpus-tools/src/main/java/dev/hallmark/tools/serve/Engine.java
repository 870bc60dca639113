package dev.hallmark.tools.serve;

import dev.hallmark.embed.BatchSampler;
import dev.hallmark.embed.KeySchedule;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.generate.ContinuousBatch;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.LanguageModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The serving loop: continuous batching over a {@link ContinuousBatch}. One thread runs it; each
 * iteration (1) feeds every running sequence its last sampled token through one batched forward
 * pass, (2) prefills the waiting sequences that fit into the batch, (3) samples a token for every
 * row in one {@link BatchSampler} call (each row with its account's key schedule, its request's
 * settings and its own random source), and (4) lets finished sequences leave. Requests therefore
 * join and leave the running batch step by step.
 *
 * <p>Listeners are called on the engine thread and must not block.
 */
final class Engine implements AutoCloseable {

    /** Why a sequence ended, in OpenAI's words. */
    enum Finish { STOP, LENGTH, CANCELLED }

    /** Receives a sequence's text and its end (on the engine thread). */
    interface Listener {
        void onText(String piece);

        void onFinish(Finish reason, int completionTokens, String text);

        void onError(RuntimeException e);
    }

    /** One sequence (one choice of one request). */
    static final class Sequence {
        final int[] prompt;
        final int maxTokens;
        final SamplingConfig sampling;
        final KeySchedule schedule;
        final RandomGenerator random;
        final List<String> stops;
        final Listener listener;
        volatile boolean cancelled;
        // engine-thread state
        int slot = -1;
        int handle;
        int[] ids;
        int len;
        int pending;
        TextStream stream;

        Sequence(int[] prompt, int maxTokens, SamplingConfig sampling, KeySchedule schedule, RandomGenerator random,
                List<String> stops, Listener listener) {
            this.prompt = prompt;
            this.maxTokens = maxTokens;
            this.sampling = sampling;
            this.schedule = schedule;
            this.random = random;
            this.stops = List.copyOf(stops);
            this.listener = Objects.requireNonNull(listener, "listener");
        }

        /** Stops the sequence at the next step (e.g. the client went away). */
        void cancel() {
            cancelled = true;
        }
    }

    private final LanguageModel model;
    private final int maxBatch;
    private final int maxWaiting;
    private final int[] stopIds;
    private final Generator.Decoder decoder;
    private final BatchSampler sampler;
    private final ServeMetrics metrics;
    private final ConcurrentLinkedQueue<Sequence> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final Object signal = new Object();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int live;
    private volatile long cpu = -1;

    // engine-thread state
    private ContinuousBatch batch;
    private final List<Sequence> running0 = new ArrayList<>();
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private final float[][] slotLogits;

    Engine(LanguageModel model, int maxBatch, int maxWaiting, int[] stopIds, Generator.Decoder decoder,
            BatchSampler sampler, ServeMetrics metrics) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxWaiting = maxWaiting;
        this.stopIds = stopIds.clone();
        this.decoder = decoder;
        this.sampler = sampler;
        this.metrics = metrics;
        this.slotLogits = new float[maxBatch][model.vocabularySize()];
        for (int i = 0; i < maxBatch; i++) {
            freeSlots.add(i);
        }
        this.batch = ContinuousBatch.of(model);
        this.thread = new Thread(this::loop, "hallmark-serve-engine");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues sequences (all of one request, admitted in order).
     *
     * @throws ApiError 503 when the waiting queue is full
     */
    void submit(List<Sequence> seqs) {
        if (!running) {
            throw ApiError.internal("the server is shutting down");
        }
        if (waitingCount.addAndGet(seqs.size()) > maxWaiting) {
            waitingCount.addAndGet(-seqs.size());
            throw ApiError.overloaded(1);
        }
        waiting.addAll(seqs);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Sequences waiting for a place in the batch. */
    int waitingCount() {
        return waitingCount.get();
    }

    /** Sequences in the running batch. */
    int runningCount() {
        return live;
    }

    /**
     * CPU time the engine thread has used (model, sampling, text) up to its latest step, in
     * nanoseconds; -1 if the JVM cannot measure it.
     */
    long cpuNanos() {
        return cpu;
    }

    private void loop() {
        int vocab = model.vocabularySize();
        int[] handles = new int[maxBatch];
        int[] tokens = new int[maxBatch];
        float[][] logits = new float[maxBatch][];
        int[] slotOfRow = new int[maxBatch];
        int[][] contexts = new int[maxBatch][];
        int[] offsets = new int[maxBatch];
        int[] lengths = new int[maxBatch];
        List<Sequence> rows = new ArrayList<>(maxBatch);
        List<Sequence> fresh = new ArrayList<>(maxBatch);
        while (running) {
            try {
                dropCancelled();
                if (running0.isEmpty() && waiting.isEmpty()) {
                    synchronized (signal) {
                        while (running && waiting.isEmpty()) {
                            signal.wait(200);
                        }
                    }
                    continue;
                }
                long t0 = System.nanoTime();
                rows.clear();
                // 1. every running sequence appends its pending token
                int n = running0.size();
                if (n > 0) {
                    for (int i = 0; i < n; i++) {
                        Sequence s = running0.get(i);
                        handles[i] = s.handle;
                        tokens[i] = s.pending;
                        logits[i] = slotLogits[s.slot];
                    }
                    batch.step(handles, tokens, n, logits);
                    rows.addAll(running0);
                }
                // 2. admit waiting sequences into free slots
                fresh.clear();
                while (!freeSlots.isEmpty()) {
                    Sequence s = waiting.poll();
                    if (s == null) {
                        break;
                    }
                    waitingCount.decrementAndGet();
                    if (s.cancelled) {
                        s.listener.onFinish(Finish.CANCELLED, 0, "");
                        continue;
                    }
                    s.slot = freeSlots.poll();
                    s.ids = Arrays.copyOf(s.prompt, s.prompt.length + s.maxTokens);
                    s.len = s.prompt.length;
                    s.stream = new TextStream(decoder, s.stops);
                    sampler.open(s.slot, s.sampling, s.schedule, s.random);
                    fresh.add(s);
                }
                if (!fresh.isEmpty()) {
                    int[][] prompts = new int[fresh.size()][];
                    float[][] fl = new float[fresh.size()][];
                    int[] fh = new int[fresh.size()];
                    for (int i = 0; i < fresh.size(); i++) {
                        prompts[i] = fresh.get(i).prompt;
                        fl[i] = slotLogits[fresh.get(i).slot];
                    }
                    running0.addAll(fresh); // so that a failure below releases their slots
                    batch.add(prompts, fresh.size(), fh, fl);
                    for (int i = 0; i < fresh.size(); i++) {
                        fresh.get(i).handle = fh[i];
                    }
                    rows.addAll(fresh);
                }
                live = running0.size();
                // 3. one sampling call over every row
                int r = rows.size();
                for (int i = 0; i < r; i++) {
                    Sequence s = rows.get(i);
                    logits[i] = slotLogits[s.slot];
                    slotOfRow[i] = s.slot;
                    contexts[i] = s.ids;
                    offsets[i] = 0;
                    lengths[i] = s.len;
                }
                sampler.sample(logits, r, slotOfRow, contexts, offsets, lengths, tokens);
                // 4. append, stream, finish
                for (int i = 0; i < r; i++) {
                    accept(rows.get(i), tokens[i], vocab);
                }
                metrics.step(r, System.nanoTime() - t0);
                live = running0.size();
                cpu = threadCpu();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                failAll(e);
            }
        }
        failAll(ApiError.internal("the server is shutting down"));
        batch.close();
    }

    private static long threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : -1;
    }

    private void accept(Sequence s, int token, int vocab) {
        int done = s.len - s.prompt.length;
        if (contains(stopIds, token)) {
            finish(s, Finish.STOP, done);
            return;
        }
        s.ids[s.len++] = token;
        done++;
        String piece = s.stream.update(s.ids, s.prompt.length, done);
        if (!piece.isEmpty()) {
            s.listener.onText(piece);
        }
        if (s.stream.stopped()) {
            finish(s, Finish.STOP, done);
        } else if (done >= s.maxTokens) {
            finish(s, Finish.LENGTH, done);
        } else {
            s.pending = token;
        }
    }

    private void finish(Sequence s, Finish reason, int completionTokens) {
        String rest = s.stream.finish(s.ids, s.prompt.length, s.len - s.prompt.length);
        if (!rest.isEmpty()) {
            s.listener.onText(rest);
        }
        leave(s);
        metrics.tokens(completionTokens);
        s.listener.onFinish(reason, completionTokens, s.stream.text());
    }

    private void leave(Sequence s) {
        running0.remove(s);
        batch.remove(s.handle);
        sampler.close(s.slot);
        freeSlots.add(s.slot);
        s.slot = -1;
    }

    private void dropCancelled() {
        for (Sequence s : new ArrayList<>(running0)) {
            if (s.cancelled) {
                leave(s);
                s.listener.onFinish(Finish.CANCELLED, s.len - s.prompt.length, s.stream.text());
            }
        }
        live = running0.size();
    }

    /** After an unexpected failure: fail every running sequence and start from an empty batch. */
    private void failAll(RuntimeException e) {
        for (Sequence s : running0) {
            sampler.close(s.slot);
            freeSlots.add(s.slot);
            try {
                s.listener.onError(e);
            } catch (RuntimeException ignored) {
                // a listener's failure must not stop the loop
            }
        }
        running0.clear();
        live = 0;
        if (running) {
            batch.close();
            batch = ContinuousBatch.of(model);
        }
        if (!running) {
            Sequence s;
            while ((s = waiting.poll()) != null) {
                waitingCount.decrementAndGet();
                s.listener.onError(e);
            }
        }
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        running = false;
        synchronized (signal) {
            signal.notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
