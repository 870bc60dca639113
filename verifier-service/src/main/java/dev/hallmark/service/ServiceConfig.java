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
 * @param minTokens fewest tokens a text must have to be tested (default 16)
 * @param ratePerSecond sustained requests per second per API token (default 5)
 * @param rateBurst requests a token may make at once before the sustained rate applies (default 60)
 * @param detectThreads worker threads for synchronous detection (default: cores)
 * @param scanThreads scans run at the same time (default 1; each scan tokenizes in parallel)
 * @param maxScanPositionsPerKey scored positions per key and scan before the token budget stops
 *     scoring (default 16,000,000; bounds the memory of corpus-level de-duplication)
 * @param tokenizerPath the tokenizer.json all text is tokenized with
 * @param testDelayMillisPerDocument a pause per scanned document, used only by crash tests to
 *     keep a scan running long enough to be killed (default 0)
 * @param cluster the database and how this instance shares it with others (default: the embedded
 *     database, one instance)
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
        TokenizerEngine tokenizerEngine) {

    public ServiceConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(tokenizerPath, "tokenizerPath");
        Objects.requireNonNull(cluster, "cluster");
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
    }

    private static void positive(long v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + v);
        }
    }

    /** The defaults listed on the record, with the given data directory. */
    public static ServiceConfig defaults(Path dataDir) {
        return new ServiceConfig("127.0.0.1", 8080, dataDir, 1L << 20, 4L << 30, 16L << 30, 200, 64, 16, 5, 60,
                Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 16_000_000L,
                dev.hallmark.text.Tokenizers.locate(System::getProperty, System::getenv).path(), 0, Cluster.SINGLE,
                TokenizerEngine.FAST);
    }

    public ServiceConfig withPort(int p) {
        return new ServiceConfig(host, p, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, cluster, tokenizerEngine);
    }

    public ServiceConfig withHost(String h) {
        return new ServiceConfig(h, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, cluster, tokenizerEngine);
    }

    public ServiceConfig withLimits(long body, long upload, long decompressed, double ratio) {
        return new ServiceConfig(host, port, dataDir, body, upload, decompressed, ratio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, cluster, tokenizerEngine);
    }

    /** The same with a pause per scanned document (tests of progress and cancel). */
    public ServiceConfig withTestDelay(long millisPerDocument) {
        return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, millisPerDocument, cluster, tokenizerEngine);
    }

    public ServiceConfig withRate(double perSecond, int burst) {
        return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, perSecond, burst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, cluster, tokenizerEngine);
    }

    public ServiceConfig withMaxScanPositionsPerKey(long n) {
        return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                n, tokenizerPath, testDelayMillisPerDocument, cluster, tokenizerEngine);
    }

    public ServiceConfig withThreads(int detect, int scan) {
        return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detect, scan,
                maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, cluster, tokenizerEngine);
    }

    public ServiceConfig withTestDelayMillisPerDocument(long ms) {
        return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, ms, cluster, tokenizerEngine);
    }

    /** The same with text tokenized by {@code engine}. */
    public ServiceConfig withTokenizerEngine(TokenizerEngine engine) {
        return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, cluster, engine);
    }

    public ServiceConfig withCluster(Cluster c) {
        return new ServiceConfig(host, port, dataDir, maxBodyBytes, maxUploadBytes, maxDecompressedBytes, maxGzipRatio,
                maxBatchTexts, minTokens, ratePerSecond, rateBurst, detectThreads, scanThreads,
                maxScanPositionsPerKey, tokenizerPath, testDelayMillisPerDocument, c, tokenizerEngine);
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
