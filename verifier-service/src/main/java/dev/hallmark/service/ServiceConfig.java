package dev.hallmark.service;

import dev.hallmark.service.store.DatabaseConfig;
import dev.hallmark.text.TokenizerEngine;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the service can be configured with. Every limit is explicit; {@link #defaults(Path)}
 * documents the defaults, and {@code Main} exposes each as a command-line option.
 *
 * @param host address to bind (default 127.0.0.1: local only; use 0.0.0.0 to serve others)
 * @param port TCP port (default 8080; 0 picks a free port, as the tests do)
 * @param dataDir where the database, the master key, the admin token file and uploads live
 * @param maxBodyBytes limit for JSON request bodies (default 1 MiB)
 * @param maxUploadBytes limit for an uploaded corpus as sent (default 4 GiB)
 * @param maxDecompressedBytes limit for a gzip upload once inflated (default 16 GiB)
 * @param maxGzipRatio limit for inflated/compressed size of a gzip upload (default 200: text
 *     compresses 3-10x, a gzip bomb 1000x)
 * @param maxBatchTexts most texts in one detect request (default 64)
 * @param minTokens fewest tokens a text must have to be tested (default 16; analysts: see
 *     {@link Analysts#minTokens()})
 * @param ratePerSecond sustained rate-limit units per second per API token (default 5)
 * @param rateBurst units a token may spend at once before the sustained rate applies (default
 *     200; at least {@link #maxRequestUnits()}, so that every request the limits allow can pass)
 * @param detectThreads worker threads for synchronous detection (default: cores)
 * @param scanThreads scans run at the same time (default 1; each scan tokenizes in parallel)
 * @param maxScanPositionsPerKey scored positions per key and scan before the token budget stops
 *     scoring (default 16,000,000; bounds the memory of corpus-level de-duplication)
 * @param tokenizerPath the tokenizer.json all text is tokenized with
 * @param testDelayMillisPerDocument a pause per scanned document, used only by crash tests to
 *     keep a scan running long enough to be killed (default 0)
 * @param cluster the database and how this instance shares it with others (default: the embedded
 *     database, one instance)
 * @param analysts what non-admin callers may ask and how much (see docs/threat-model.md)
 * @param timeouts connection and request timeouts
 * @param checkpointMillis how often a running scan saves its state (default 60 s; at least ten
 *     times the time the last checkpoint took, so checkpoints never dominate a scan)
 * @param tokenizerEngine the engine that tokenizes text (default {@link TokenizerEngine#FAST}, the
 *     pure-Java byte-level BPE; {@link TokenizerEngine#HF} is Hugging Face tokenizers through DJL;
 *     both give the same ids, so the same results)
 */
public record ServiceConfig(
        String host,
        int port,
        Path dataDir,
        long maxBodyBytes,
        long maxUploadBytes,
        long maxDecompressedBytes,
        double maxGzipRatio,
        int maxBatchTexts,
        int minTokens,
        double ratePerSecond,
        int rateBurst,
        int detectThreads,
        int scanThreads,
        long maxScanPositionsPerKey,
        Path tokenizerPath,
        long testDelayMillisPerDocument,
        Cluster cluster,
        Analysts analysts,
        Timeouts timeouts,
        long checkpointMillis,
        TokenizerEngine tokenizerEngine) {

    /** Tokens per rate-limit unit: a detect request costs one unit per text plus one per this many tokens. */
    public static final int TOKENS_PER_UNIT = 8192;

    /**
     * The analyst (non-admin) policy.
     *
     * @param minTokens fewest tokens of a text an analyst may test (default 64)
     * @param maxAlpha the largest false-positive rate an analyst may ask for, in detect and scans (default 0.01)
     * @param dailyDocuments texts and scanned documents per API token and UTC day (default 20,000; 0: unlimited)
     * @param dailyTokens tokens of those per API token and UTC day (default 20,000,000; 0: unlimited)
     * @param tenantDailyDocuments the same per tenant, all its tokens together (default 100,000; 0: unlimited)
     * @param tenantDailyTokens the same per tenant (default 100,000,000; 0: unlimited)
     */
    public record Analysts(int minTokens, double maxAlpha, long dailyDocuments, long dailyTokens,
            long tenantDailyDocuments, long tenantDailyTokens) {

        public Analysts {
            positive(minTokens, "analyst min tokens");
            if (!(maxAlpha > 0 && maxAlpha < 1)) {
                throw new IllegalArgumentException("analyst max alpha must be in (0, 1), got " + maxAlpha);
            }
            for (long v : new long[] {dailyDocuments, dailyTokens, tenantDailyDocuments, tenantDailyTokens}) {
                if (v < 0) {
                    throw new IllegalArgumentException("daily budgets must be >= 0 (0 = unlimited), got " + v);
                }
            }
        }

        public static Analysts defaults() {
            return new Analysts(64, 0.01, 20_000, 20_000_000L, 100_000, 100_000_000L);
        }
    }

    /**
     * Timeouts against connections that hold resources without making progress.
     *
     * @param idleSeconds a connection that sends and receives nothing for this long is closed; a
     *     stalled upload with it, and its temporary file deleted (default 30)
     * @param requestSeconds a request (other than a corpus upload, which may stream for long but
     *     must not stall: see {@code idleSeconds}) must be answered within this time, else 503 and
     *     the connection closes (default 120)
     * @param headerSeconds a new connection must send a complete request head within this time
     *     (default 10: slow-loris connections are closed)
     */
    public record Timeouts(int idleSeconds, int requestSeconds, int headerSeconds) {

        public Timeouts {
            positive(idleSeconds, "idle timeout");
            positive(requestSeconds, "request timeout");
            positive(headerSeconds, "header timeout");
        }

        public static Timeouts defaults() {
            return new Timeouts(30, 120, 10);
        }
    }

    public ServiceConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(tokenizerPath, "tokenizerPath");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(analysts, "analysts");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(tokenizerEngine, "tokenizerEngine");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        positive(maxBodyBytes, "max body bytes");
        positive(maxUploadBytes, "max upload bytes");
        positive(maxDecompressedBytes, "max decompressed bytes");
        if (!(maxGzipRatio >= 1)) {
            throw new IllegalArgumentException("max gzip ratio must be >= 1, got " + maxGzipRatio);
        }
        positive(maxBatchTexts, "max batch texts");
        positive(minTokens, "min tokens");
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate per second must be > 0, got " + ratePerSecond);
        }
        positive(rateBurst, "rate burst");
        positive(detectThreads, "detect threads");
        positive(scanThreads, "scan threads");
        positive(maxScanPositionsPerKey, "max scan positions per key");
        if (testDelayMillisPerDocument < 0) {
            throw new IllegalArgumentException("test delay must be >= 0");
        }
        positive(checkpointMillis, "checkpoint interval");
        long need = maxRequestUnits(maxBatchTexts, maxBodyBytes);
        if (rateBurst < need) {
            throw new IllegalArgumentException("rate burst " + rateBurst + " is below the cost of the largest request the "
                    + "limits allow (" + maxBatchTexts + " texts + " + (need - maxBatchTexts) + " units for up to "
                    + maxBodyBytes + " bytes of tokens = " + need + " units): such requests could never pass; raise "
                    + "--rate-burst to at least " + need + " or lower --max-batch-texts / --max-body-bytes");
        }
    }

    private static long maxRequestUnits(int batch, long body) {
        // a token takes at least one byte of the body, so a body holds at most maxBodyBytes tokens
        return batch + (body + TOKENS_PER_UNIT - 1) / TOKENS_PER_UNIT;
    }

    /** The most rate-limit units one detect request can cost under these limits (the burst is at least this). */
    public long maxRequestUnits() {
        return maxRequestUnits(maxBatchTexts, maxBodyBytes);
    }

    /** The units a detect request of {@code texts} texts and {@code tokens} tokens costs. */
    public static long detectUnits(int texts, long tokens) {
        return texts + (tokens + TOKENS_PER_UNIT - 1) / TOKENS_PER_UNIT;
    }

    private static void positive(long v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + v);
        }
    }

    /** The defaults listed on the record, with the given data directory. */
    public static ServiceConfig defaults(Path dataDir) {
        return new ServiceConfig("127.0.0.1", 8080, dataDir, 1L << 20, 4L << 30, 16L << 30, 200, 64, 16, 5, 200,
                Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 16_000_000L,
                dev.hallmark.text.Tokenizers.locate(System::getProperty, System::getenv).path(), 0, Cluster.SINGLE,
                Analysts.defaults(), Timeouts.defaults(), 60_000, TokenizerEngine.FAST);
    }

    /** A mutable copy, for the {@code with...} methods and the command line. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public ServiceConfig withPort(int p) {
        return toBuilder().port(p).build();
    }

    public ServiceConfig withHost(String h) {
        return toBuilder().host(h).build();
    }

    public ServiceConfig withLimits(long body, long upload, long decompressed, double ratio) {
        Builder b = toBuilder();
        b.maxBodyBytes = body;
        b.maxUploadBytes = upload;
        b.maxDecompressedBytes = decompressed;
        b.maxGzipRatio = ratio;
        return b.build();
    }

    public ServiceConfig withRate(double perSecond, int burst) {
        Builder b = toBuilder();
        b.ratePerSecond = perSecond;
        b.rateBurst = burst;
        return b.build();
    }

    public ServiceConfig withMaxBatchTexts(int n) {
        Builder b = toBuilder();
        b.maxBatchTexts = n;
        return b.build();
    }

    public ServiceConfig withMaxScanPositionsPerKey(long n) {
        Builder b = toBuilder();
        b.maxScanPositionsPerKey = n;
        return b.build();
    }

    public ServiceConfig withThreads(int detect, int scan) {
        Builder b = toBuilder();
        b.detectThreads = detect;
        b.scanThreads = scan;
        return b.build();
    }

    /** The same with a pause per scanned document (tests of progress and cancel). */
    public ServiceConfig withTestDelay(long millisPerDocument) {
        return withTestDelayMillisPerDocument(millisPerDocument);
    }

    public ServiceConfig withTestDelayMillisPerDocument(long ms) {
        Builder b = toBuilder();
        b.testDelayMillisPerDocument = ms;
        return b.build();
    }

    public ServiceConfig withCluster(Cluster c) {
        Builder b = toBuilder();
        b.cluster = c;
        return b.build();
    }

    public ServiceConfig withAnalysts(Analysts a) {
        Builder b = toBuilder();
        b.analysts = a;
        return b.build();
    }

    public ServiceConfig withTimeouts(Timeouts t) {
        Builder b = toBuilder();
        b.timeouts = t;
        return b.build();
    }

    /** The same with text tokenized by {@code engine}. */
    public ServiceConfig withTokenizerEngine(TokenizerEngine engine) {
        Builder b = toBuilder();
        b.tokenizerEngine = engine;
        return b.build();
    }

    public ServiceConfig withCheckpointMillis(long ms) {
        Builder b = toBuilder();
        b.checkpointMillis = ms;
        return b.build();
    }

    /** Every field, settable; {@link #build()} validates. */
    public static final class Builder {
        String host;
        int port;
        Path dataDir;
        long maxBodyBytes;
        long maxUploadBytes;
        long maxDecompressedBytes;
        double maxGzipRatio;
        int maxBatchTexts;
        int minTokens;
        double ratePerSecond;
        int rateBurst;
        int detectThreads;
        int scanThreads;
        long maxScanPositionsPerKey;
        Path tokenizerPath;
        long testDelayMillisPerDocument;
        Cluster cluster;
        Analysts analysts;
        Timeouts timeouts;
        long checkpointMillis;
        TokenizerEngine tokenizerEngine;

        private Builder(ServiceConfig c) {
            host = c.host;
            port = c.port;
            dataDir = c.dataDir;
            maxBodyBytes = c.maxBodyBytes;
            maxUploadBytes = c.maxUploadBytes;
            maxDecompressedBytes = c.maxDecompressedBytes;
            maxGzipRatio = c.maxGzipRatio;
            maxBatchTexts = c.maxBatchTexts;
            minTokens = c.minTokens;
            ratePerSecond = c.ratePerSecond;
            rateBurst = c.rateBurst;
            detectThreads = c.detectThreads;
            scanThreads = c.scanThreads;
            maxScanPositionsPerKey = c.maxScanPositionsPerKey;
            tokenizerPath = c.tokenizerPath;
            testDelayMillisPerDocument = c.testDelayMillisPerDocument;
            cluster = c.cluster;
            analysts = c.analysts;
            timeouts = c.timeouts;
            checkpointMillis = c.checkpointMillis;
            tokenizerEngine = c.tokenizerEngine;
        }

        Builder host(String h) {
            host = h;
            return this;
        }

        Builder port(int p) {
            port = p;
            return this;
        }

        public ServiceConfig build() {
            return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes,
                    maxGzipRatio, maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                    maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, cluster, analysts, timeouts,
                    checkpointMillis, tokenizerEngine);
        }
    }

    /**
     * Where the rows live and how this instance shares them with other instances.
     *
     * @param database the embedded H2 database in the data directory (default), or a PostgreSQL
     *     server that several instances share (with one shared data directory for the corpora)
     * @param instanceName this instance's name in logs, {@code /healthz} and on the scans it
     *     leases (default: host name and process id)
     * @param scanLeaseMillis how long a scan stays claimed by an instance that stopped renewing
     *     its lease (it died): then another instance re-runs it (default 30 s; renewed every third)
     */
    public record Cluster(DatabaseConfig database, String instanceName, long scanLeaseMillis) {

        /** One instance on the embedded database. */
        public static final Cluster SINGLE = new Cluster(DatabaseConfig.EMBEDDED, defaultInstanceName(), 30_000);

        public Cluster {
            Objects.requireNonNull(database, "database");
            if (instanceName == null || !instanceName.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")) {
                throw new IllegalArgumentException("instance name must be 1..100 letters, digits, '.', '_', ':' or '-', "
                        + "got '" + instanceName + "'");
            }
            if (scanLeaseMillis < 1000 || scanLeaseMillis > 3_600_000) {
                throw new IllegalArgumentException("scan lease must be 1..3600 seconds, got " + scanLeaseMillis / 1000.0);
            }
        }

        public Cluster withDatabase(DatabaseConfig d) {
            return new Cluster(d, instanceName, scanLeaseMillis);
        }

        public Cluster withInstanceName(String name) {
            return new Cluster(database, name, scanLeaseMillis);
        }

        public Cluster withScanLeaseMillis(long ms) {
            return new Cluster(database, instanceName, ms);
        }

        /** The host's name and this process's id. */
        static String defaultInstanceName() {
            String host;
            try {
                // the kernel's name for the host: no DNS lookup (which can stall a start for seconds)
                host = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
            } catch (java.io.IOException | RuntimeException e) {
                host = "host";
            }
            host = host.replaceAll("[^A-Za-z0-9._-]", "-");
            if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) {
                host = "h" + host;
            }
            String name = host + "-" + ProcessHandle.current().pid();
            return name.length() > 100 ? name.substring(name.length() - 100) : name;
        }
    }
}
