package dev.hallmark.service;

import dev.hallmark.service.store.DatabaseConfig;
import dev.hallmark.text.TokenizerEngine;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar hallmark-verifier.jar [--port N] [--data-dir DIR] [--demo] ...}: starts the
 * verifier service. See {@link #USAGE} for every option and its default.
 */
public final class Main {

    static final String USAGE = """
            Usage: java -jar verifier-service/target/hallmark-verifier.jar [options]

              --port N                  TCP port (default 8080; 0 = any free port)
              --host ADDR               address to bind (default 127.0.0.1; 0.0.0.0 serves other hosts)
              --data-dir DIR            database, master key, tokens, uploads (default ./hallmark-data)
              --demo                    seed the published demo key, a demo analyst token and a scan of the
                                demo corpus (default-LM text, watermarked and not, and human text)
              --max-body-bytes N        JSON request body limit (default 1048576)
              --max-upload-bytes N      corpus upload limit, as sent (default 4294967296)
              --max-decompressed-bytes N  gzip upload limit once inflated (default 17179869184)
              --max-gzip-ratio R        inflated/compressed limit for gzip uploads (default 200)
              --max-batch-texts N       texts in one detect request (default 64)
              --rate-per-second R       sustained rate-limit units per second per API token (default 5)
              --rate-burst N            units per API token at once (default 200; at least the largest
                                request's cost: max batch texts + max body bytes / 8192)
              --analyst-min-tokens N    shortest text an analyst may test (default 64)
              --analyst-max-alpha A     largest false-positive rate an analyst may ask for (default 0.01)
              --analyst-daily-documents N  texts + scanned documents per analyst token and UTC day
                                (default 20000; 0 = unlimited)
              --analyst-daily-tokens N  tokens per analyst token and UTC day (default 20000000; 0 = unlimited)
              --tenant-daily-documents N  the same per tenant, all its analyst tokens (default 100000)
              --tenant-daily-tokens N   the same per tenant (default 100000000; 0 = unlimited)
              --idle-timeout S          close connections idle for S seconds (default 30)
              --request-timeout S       answer every request but uploads within S seconds (default 120)
              --header-timeout S        a new connection must send its request head within S s (default 10)
              --checkpoint-seconds S    save a running scan's state every S seconds (default 60)
              --detect-threads N        worker threads for /v1/detect (default: number of cores)
              --max-scan-positions N    token budget per key and scan (default 16000000)
              --tokenizer FILE          tokenizer.json (default: the hallmark cache, see Tokenizers)
              --tokenizer-engine fast|hf  fast: pure-Java byte-level BPE (default); hf: Hugging Face
                                tokenizers through DJL. Identical ids, so identical results.
              --database-url URL        PostgreSQL instead of the embedded H2 database:
                                jdbc:postgresql://HOST:PORT/DB (no credentials in it)
              --database-user NAME      the PostgreSQL role
              --database-password-file FILE  a file holding the role's password (one line)
              --database-pool-size N    connections per instance (default 16)
              --database-timeout-seconds N  wait for a connection before answering 503 (default 5)
              --instance-name NAME      this instance's name in logs, /healthz and scan leases
                                (default: host name and process id)
              --scan-lease-seconds N    a scan of an instance that stopped renewing its lease is
                                taken over by another instance after N seconds (default 30)
              --version                 print the version (the same as the hallmark CLI's) and exit
              --help                    this text

            SIGTERM (or Ctrl-C) drains: no new work is taken, running scans save a checkpoint and
            resume from it at the next start, and the process exits with status 0.
            Environment: HALLMARK_MASTER_KEY (Base64, 32 bytes) replaces <data-dir>/master.key.
            HALLMARK_DATABASE_URL, HALLMARK_DATABASE_USER, HALLMARK_DATABASE_PASSWORD_FILE (or
            HALLMARK_DATABASE_PASSWORD, the password itself) stand for the --database-* options,
            which win over them. Several instances share one PostgreSQL database and one data
            directory (uploads, stored corpora, master key): see docs/deployment.md.
            """;

    private Main() {}

    public static void main(String[] args) throws Exception {
        // DJL's tokenizer binding must never try the network (see ENVIRONMENT-NOTES)
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // DJL probes for CUDA when its native tokenizer loads; on CPU machines that is noise
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
        // Vert.x registers its HTTP connection gauge once per protocol; micrometer warns about the second
        System.setProperty("org.slf4j.simpleLogger.log.io.micrometer.core.instrument.MeterRegistry", "error");
        // the connection pool's start/stop chatter; its warnings (lost connections) stay
        System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
        // Flyway: keep what it migrates (DbMigrate, DbBaseline), not its per-command banner
        System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb.core.FlywayExecutor", "warn");
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(versionLine());
            return;
        }
        ServiceConfig cfg;
        boolean demo = false;
        try {
            Parsed p = parse(args);
            if (p == null) {
                System.out.print(USAGE);
                return;
            }
            cfg = p.config;
            demo = p.demo;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (!Files.isRegularFile(cfg.tokenizerPath())) {
            System.err.println("error: tokenizer file not found: " + cfg.tokenizerPath() + ". Build the project once "
                    + "('mvn -B -q -DskipTests package' fetches it) or pass --tokenizer FILE.");
            System.exit(2);
        }
        VerifierServer server;
        try {
            server = VerifierServer.start(cfg);
        } catch (java.sql.SQLException | java.io.IOException e) {
            // the database cannot be reached, refuses the credentials, or holds a newer schema
            System.err.println("error: " + e.getMessage());
            System.exit(3);
            return;
        }
        // any other exit still closes in order (scans checkpoint, HTTP, then the database)
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "hallmark-shutdown"));
        drainOnSignals(server);
        PrintStream out = System.out;
        String base = "http://" + (cfg.host().equals("0.0.0.0") ? "127.0.0.1" : cfg.host()) + ":" + server.port();
        Bootstrap.Result boot = Bootstrap.firstStart(server);
        out.println("Hallmark verifier listening on " + base + "  (data: " + cfg.dataDir().toAbsolutePath() + ")");
        if (boot.adminTokenFile() != null) {
            out.println("First start: an admin API token was written to " + boot.adminTokenFile()
                    + " (mode 0600; read it with: cat " + boot.adminTokenFile() + ")");
        }
        out.println("Master key: " + server.store().masterKeySource());
        out.println("Tokenizer: " + cfg.tokenizerPath() + " (" + cfg.tokenizerEngine().id() + " engine)");
        out.println("Database: " + server.store().description() + ", schema version " + server.store().schemaVersion()
                + "; instance " + cfg.cluster().instanceName());
        if (demo) {
            Bootstrap.Demo d = Bootstrap.seedDemo(server);
            out.println("Demo: PUBLISHED demo key " + d.keyId() + " (" + d.scheme() + "; its secret is public, "
                    + "datasets/demo/README.md); analyst token in " + d.analystTokenFile() + " (mode 0600)");
            out.println("Demo corpus: " + d.description());
            out.println("Demo scan: " + d.scanId() + (d.created() ? " (queued now)" : " (seeded earlier)"));
            out.flush();
            for (String line : Bootstrap.demoSummary(server, d.scanId(), 120_000)) {
                out.println("  " + line);
            }
            out.println("Open " + base + "/ui/ and sign in with the token from " + d.analystTokenFile()
                    + " (tenant 'demo'): the demo scan's report is in the scan list");
        } else {
            out.println("Web page: " + base + "/ui/");
        }
        out.flush();
        new CountDownLatch(1).await();
    }

    /**
     * SIGTERM and SIGINT drain the service ({@link VerifierServer#close()}: no new work, running
     * scans checkpoint and go back to the queue, the database shuts down) and exit with status 0,
     * so a deploy is not mistaken for a crash. Where the JVM offers no signal API, the shutdown
     * hook does the same (with the JVM's own exit status).
     */
    @SuppressWarnings("removal")
    static void drainOnSignals(VerifierServer server) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    Thread t = new Thread(() -> {
                        System.out.println("SIG" + name + ": draining (no new work; running scans save a checkpoint)");
                        System.out.flush();
                        server.close();
                        System.out.println("Drained; exiting");
                        System.out.flush();
                        System.exit(0);
                    }, "hallmark-drain");
                    t.start();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // no such signal here: the shutdown hook still closes in order
            }
        }
    }

    record Parsed(ServiceConfig config, boolean demo) {}

    /** What {@code --version} prints: the one Hallmark version of this build ({@link dev.hallmark.detect.HallmarkVersion}). */
    static String versionLine() {
        return "hallmark-verifier " + dev.hallmark.detect.HallmarkVersion.get();
    }

    /** Parses the command line; null for --help. */
    static Parsed parse(String[] args) {
        return parse(args, System::getenv);
    }

    /** Parses the command line with {@code env} as the environment; null for --help. */
    static Parsed parse(String[] args, java.util.function.UnaryOperator<String> env) {
        ServiceConfig.Builder b = ServiceConfig.defaults(Path.of("hallmark-data")).toBuilder();
        ServiceConfig.Analysts a = ServiceConfig.Analysts.defaults();
        int analystMinTokens = a.minTokens();
        double analystMaxAlpha = a.maxAlpha();
        long dailyDocs = a.dailyDocuments();
        long dailyTokens = a.dailyTokens();
        long tenantDocs = a.tenantDailyDocuments();
        long tenantTokens = a.tenantDailyTokens();
        ServiceConfig.Timeouts t = ServiceConfig.Timeouts.defaults();
        int idle = t.idleSeconds();
        int request = t.requestSeconds();
        int header = t.headerSeconds();
        boolean demo = false;
        String dbUrl = env.apply("HALLMARK_DATABASE_URL");
        String dbUser = env.apply("HALLMARK_DATABASE_USER");
        String dbPasswordFile = env.apply("HALLMARK_DATABASE_PASSWORD_FILE");
        String dbPassword = env.apply("HALLMARK_DATABASE_PASSWORD");
        int poolSize = DatabaseConfig.EMBEDDED.poolSize();
        int dbTimeout = DatabaseConfig.EMBEDDED.timeoutSeconds();
        ServiceConfig.Cluster cluster = b.build().cluster();
        for (int i = 0; i < args.length; i++) {
            String o = args[i];
            switch (o) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--demo" -> demo = true;
                case "--port" -> b.port = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--host" -> b.host = val(args, ++i, o);
                case "--data-dir" -> b.dataDir = Path.of(val(args, ++i, o));
                case "--max-body-bytes" -> b.maxBodyBytes = num(args, ++i, o, Long.MAX_VALUE);
                case "--max-upload-bytes" -> b.maxUploadBytes = num(args, ++i, o, Long.MAX_VALUE);
                case "--max-decompressed-bytes" -> b.maxDecompressedBytes = num(args, ++i, o, Long.MAX_VALUE);
                case "--max-gzip-ratio" -> b.maxGzipRatio = dbl(args, ++i, o);
                case "--max-batch-texts" -> b.maxBatchTexts = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--rate-per-second" -> b.ratePerSecond = dbl(args, ++i, o);
                case "--rate-burst" -> b.rateBurst = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--analyst-min-tokens" -> analystMinTokens = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--analyst-max-alpha" -> analystMaxAlpha = dbl(args, ++i, o);
                case "--analyst-daily-documents" -> dailyDocs = num(args, ++i, o, Long.MAX_VALUE);
                case "--analyst-daily-tokens" -> dailyTokens = num(args, ++i, o, Long.MAX_VALUE);
                case "--tenant-daily-documents" -> tenantDocs = num(args, ++i, o, Long.MAX_VALUE);
                case "--tenant-daily-tokens" -> tenantTokens = num(args, ++i, o, Long.MAX_VALUE);
                case "--idle-timeout" -> idle = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--request-timeout" -> request = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--header-timeout" -> header = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--checkpoint-seconds" -> b.checkpointMillis = Math.round(dbl(args, ++i, o) * 1000);
                case "--detect-threads" -> b.detectThreads = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--max-scan-positions" -> b.maxScanPositionsPerKey = num(args, ++i, o, Long.MAX_VALUE);
                case "--tokenizer" -> b.tokenizerPath = Path.of(val(args, ++i, o));
                case "--tokenizer-engine" -> b.tokenizerEngine = TokenizerEngine.parse(val(args, ++i, o));
                case "--database-url" -> dbUrl = val(args, ++i, o);
                case "--database-user" -> dbUser = val(args, ++i, o);
                case "--database-password-file" -> {
                    dbPasswordFile = val(args, ++i, o);
                    dbPassword = null;
                }
                case "--database-pool-size" -> poolSize = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--database-timeout-seconds" -> dbTimeout = (int) num(args, ++i, o, Integer.MAX_VALUE);
                case "--instance-name" -> cluster = cluster.withInstanceName(val(args, ++i, o));
                case "--scan-lease-seconds" -> cluster = cluster.withScanLeaseMillis(num(args, ++i, o, 3600) * 1000);
                default -> throw new IllegalArgumentException("unknown option '" + o + "'");
            }
        }
        DatabaseConfig.Secret password = null;
        if (dbPasswordFile != null && !dbPasswordFile.isEmpty()) {
            password = passwordFile(Path.of(dbPasswordFile));
        } else if (dbPassword != null && !dbPassword.isEmpty()) {
            password = DatabaseConfig.Secret.of(dbPassword);
        }
        DatabaseConfig db = dbUrl == null || dbUrl.isEmpty() ? DatabaseConfig.EMBEDDED
                : new DatabaseConfig(dbUrl, dbUser == null || dbUser.isEmpty() ? null : dbUser, password, poolSize,
                        dbTimeout);
        if (db.embedded() && (dbUser != null || password != null)) {
            throw new IllegalArgumentException("--database-user and the database password need --database-url (the "
                    + "embedded database has none)");
        }
        b.cluster = cluster.withDatabase(db);
        b.analysts = new ServiceConfig.Analysts(analystMinTokens, analystMaxAlpha, dailyDocs, dailyTokens, tenantDocs,
                tenantTokens);
        b.timeouts = new ServiceConfig.Timeouts(idle, request, header);
        b.testDelayMillisPerDocument = Long.getLong("hallmark.test.scanDelayMillis", 0L);
        return new Parsed(b.build(), demo);
    }

    /** The password in {@code file}: its first line (the file is read once, at start). */
    static DatabaseConfig.Secret passwordFile(Path file) {
        String text;
        try {
            text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read the database password file " + file + ": "
                    + e.getClass().getSimpleName());
        }
        int nl = text.indexOf('\n');
        String line = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
        if (line.isEmpty()) {
            throw new IllegalArgumentException("the database password file " + file + " is empty");
        }
        return DatabaseConfig.Secret.of(line);
    }

    private static String val(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    private static long num(String[] args, int i, String opt, long max) {
        String v = val(args, i, opt);
        try {
            long n = StrictNumbers.integer(v);
            if (n > max) {
                throw new NumberFormatException("too large");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs an integer, got '" + v + "'");
        }
    }

    private static double dbl(String[] args, int i, String opt) {
        String v = val(args, i, opt);
        try {
            return StrictNumbers.decimal(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a decimal number, got '" + v + "'");
        }
    }
}
