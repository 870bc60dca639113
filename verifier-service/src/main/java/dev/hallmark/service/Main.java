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
              --rate-per-second R       sustained requests (texts) per second per API token (default 5)
              --rate-burst N            burst per API token (default 60)
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
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "hallmark-shutdown"));
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
        ServiceConfig c = ServiceConfig.defaults(Path.of("hallmark-data"));
        boolean demo = false;
        String host = c.host();
        int port = c.port();
        Path dataDir = c.dataDir();
        long body = c.maxBodyBytes();
        long upload = c.maxUploadBytes();
        long decompressed = c.maxDecompressedBytes();
        double ratio = c.maxGzipRatio();
        double rate = c.ratePerSecond();
        int burst = c.rateBurst();
        int detectThreads = c.detectThreads();
        long positions = c.maxScanPositionsPerKey();
        Path tokenizer = c.tokenizerPath();
        TokenizerEngine engine = c.tokenizerEngine();
        String dbUrl = env.apply("HALLMARK_DATABASE_URL");
        String dbUser = env.apply("HALLMARK_DATABASE_USER");
        String dbPasswordFile = env.apply("HALLMARK_DATABASE_PASSWORD_FILE");
        String dbPassword = env.apply("HALLMARK_DATABASE_PASSWORD");
        int poolSize = DatabaseConfig.EMBEDDED.poolSize();
        int dbTimeout = DatabaseConfig.EMBEDDED.timeoutSeconds();
        ServiceConfig.Cluster cluster = c.cluster();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--demo" -> demo = true;
                case "--port" -> port = (int) num(args, ++i, a);
                case "--host" -> host = val(args, ++i, a);
                case "--data-dir" -> dataDir = Path.of(val(args, ++i, a));
                case "--max-body-bytes" -> body = num(args, ++i, a);
                case "--max-upload-bytes" -> upload = num(args, ++i, a);
                case "--max-decompressed-bytes" -> decompressed = num(args, ++i, a);
                case "--max-gzip-ratio" -> ratio = dbl(args, ++i, a);
                case "--rate-per-second" -> rate = dbl(args, ++i, a);
                case "--rate-burst" -> burst = (int) num(args, ++i, a);
                case "--detect-threads" -> detectThreads = (int) num(args, ++i, a);
                case "--max-scan-positions" -> positions = num(args, ++i, a);
                case "--tokenizer" -> tokenizer = Path.of(val(args, ++i, a));
                case "--tokenizer-engine" -> engine = TokenizerEngine.parse(val(args, ++i, a));
                case "--database-url" -> dbUrl = val(args, ++i, a);
                case "--database-user" -> dbUser = val(args, ++i, a);
                case "--database-password-file" -> {
                    dbPasswordFile = val(args, ++i, a);
                    dbPassword = null;
                }
                case "--database-pool-size" -> poolSize = (int) num(args, ++i, a);
                case "--database-timeout-seconds" -> dbTimeout = (int) num(args, ++i, a);
                case "--instance-name" -> cluster = cluster.withInstanceName(val(args, ++i, a));
                case "--scan-lease-seconds" -> cluster = cluster.withScanLeaseMillis(num(args, ++i, a) * 1000);
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
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
        ServiceConfig cfg = new ServiceConfig(host, port, dataDir, body, upload, decompressed, ratio, c.maxBatchTexts(),
                c.minTokens(), rate, burst, detectThreads, c.scanThreads(), positions, tokenizer,
                Long.getLong("hallmark.test.scanDelayMillis", 0L), cluster.withDatabase(db), engine);
        return new Parsed(cfg, demo);
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

    private static long num(String[] args, int i, String opt) {
        try {
            return Long.parseLong(val(args, i, opt));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs an integer, got '" + args[i] + "'");
        }
    }

    private static double dbl(String[] args, int i, String opt) {
        try {
            return Double.parseDouble(val(args, i, opt));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a number, got '" + args[i] + "'");
        }
    }
}
