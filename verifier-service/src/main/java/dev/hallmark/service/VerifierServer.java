package dev.hallmark.service;

import dev.hallmark.service.http.HttpApi;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.service.scan.ChunkedTokenizer;
import dev.hallmark.service.scan.DetectionEngine;
import dev.hallmark.service.scan.Disclosure;
import dev.hallmark.service.scan.ProbeIndex;
import dev.hallmark.service.scan.QueryBudget;
import dev.hallmark.service.scan.ScanIntake;
import dev.hallmark.service.scan.ScanRequest;
import dev.hallmark.service.scan.ScanRunner;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.KeyStore;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The verifier service, assembled: the store (the embedded database in the data directory, or
 * PostgreSQL) and the corpus files ({@code store}), the scan runner and upload intake
 * ({@code scan}), and the HTTP API over them ({@code http}). {@link #start} opens the store,
 * starts taking scans (queued ones, and those an earlier or another instance left) and listens.
 */
public final class VerifierServer implements AutoCloseable {

    private static final Map<String, TextTokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    /** How old an upload file without a scan row must be before a start sweeps it from a shared data directory. */
    static final Duration SHARED_ORPHAN_AGE = Duration.ofHours(6);

    private final ServiceConfig config;
    private final Store store;
    private final ScanFiles files;
    private final TextTokenizer tokenizer;
    private final ChunkedTokenizer chunked;
    private final Disclosure disclosure;
    private final ProbeIndex probes;
    private final QueryBudget budget;
    private final ScanRunner runner;
    private final ScanIntake intake;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private HttpApi http;
    private boolean closed;

    private VerifierServer(ServiceConfig config, Store store, ScanFiles files, TextTokenizer tokenizer) {
        this.config = config;
        this.store = store;
        this.files = files;
        this.tokenizer = tokenizer;
        this.chunked = sharedChunked(tokenizer);
        this.disclosure = Disclosure.of(config);
        // shared by every instance on the database (and kept across restarts)
        this.probes = new ProbeIndex(store.probes());
        this.budget = new QueryBudget(config.analysts(), store.usage(), Clock.systemUTC());
        this.runner = new ScanRunner(config, store, files, chunked, probes, budget, registry);
        this.intake = new ScanIntake(config, store, files, tokenizer, runner, budget, new SecureRandom());
        registry.gauge("hallmark_keys_active", store.keys(), k -> k.active().size());
    }

    private static final Map<TextTokenizer, ChunkedTokenizer> CHUNKED = new ConcurrentHashMap<>();

    /** One self-checked {@link ChunkedTokenizer} per tokenizer (the check encodes a probe text once). */
    static ChunkedTokenizer sharedChunked(TextTokenizer t) {
        return CHUNKED.computeIfAbsent(t, ChunkedTokenizer::of);
    }

    /**
     * One tokenizer per file and engine for the whole JVM: loading the 11 MB tokenizer.json takes a
     * tenth of a second (the fast engine, from its compiled form in the hallmark cache's
     * {@code fastbpe} directory) to seconds (HF), and the instance is immutable and thread-safe, so
     * servers started in the same process (tests) share it. It is never closed (it lives as long as
     * the process).
     */
    static TextTokenizer sharedTokenizer(Path path, TokenizerEngine engine) {
        Path p = path.toAbsolutePath().normalize();
        return TOKENIZERS.computeIfAbsent(engine.id() + "|" + p, k -> engine.open(p,
                Tokenizers.cacheDir(System::getProperty, System::getenv).resolve("fastbpe")));
    }

    /**
     * Opens the store, recovers interrupted scans, and starts listening. Blocks until the server
     * listens (call from a plain thread, not an event loop).
     */
    public static VerifierServer start(ServiceConfig config) throws Exception {
        ScanFiles files = new ScanFiles(config.dataDir());
        files.createDirectories();
        SecureRandom random = new SecureRandom();
        // unique per process: a restarted instance of the same name must not pass for its dead predecessor
        String owner = config.cluster().instanceName() + "/" + Long.toUnsignedString(random.nextLong(), 36);
        Store store = Store.open(config.dataDir(), config.cluster().database(), random, owner);
        VerifierServer s;
        try {
            s = new VerifierServer(config, store, files, sharedTokenizer(config.tokenizerPath(), config.tokenizerEngine()));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        try {
            // a shared data directory holds other instances' uploads in flight: only old leftovers go
            files.sweepOrphans(store.scans(), store.exclusive() ? Duration.ZERO : SHARED_ORPHAN_AGE);
            s.runner.start();
            s.http = HttpApi.start(config, new HttpApi.Parts(store, files, s.runner, s.intake,
                    new DetectionEngine(s.chunked, s.disclosure), s.disclosure, s.probes, s.budget), s.registry);
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /** How old a leftover upload must be before a start sweeps it from a data directory shared by instances. */
    public static Duration sharedOrphanAge() {
        return SHARED_ORPHAN_AGE;
    }

    public int port() {
        return http.port();
    }

    public ServiceConfig config() {
        return config;
    }

    /** The store (tokens, keys, scans, audit log, settings). */
    public Store store() {
        return store;
    }

    public ApiTokens tokens() {
        return store.tokens();
    }

    public KeyStore keys() {
        return store.keys();
    }

    public ScanStore scans() {
        return store.scans();
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    Path uploadsDir() {
        return files.uploadsDir();
    }

    /**
     * Makes a watermark scan of a corpus file on disk, as if {@code who} had uploaded it (the demo
     * seeder): validated, stored and queued.
     */
    public ScanStore.Scan storeUpload(Path file, String name, CorpusFormat format, String field, double alpha,
            List<String> keyIds, ApiTokens.Principal who) throws IOException {
        return intake.acceptFile(file, ScanRequest.watermark(name, format, field, alpha, keyIds), who);
    }

    /** What callers may see of detections (the disclosure policy). */
    public Disclosure disclosure() {
        return disclosure;
    }

    /**
     * Stops in order, so that nothing is lost and nothing touches a closed database: no new work
     * is taken (new requests get 503, uploads in flight are aborted), running scans save a
     * checkpoint and go back to the queue (a drain does not count as an attempt), requests in
     * flight finish, then the database shuts down. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.stopTakingWork();
        }
        runner.close();
        if (http != null) {
            http.close();
        }
        store.close();
    }
}
