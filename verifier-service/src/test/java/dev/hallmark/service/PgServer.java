package dev.hallmark.service;

import dev.hallmark.service.store.DatabaseConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real, throwaway PostgreSQL server for the tests: one per test JVM (Surefire runs every test
 * class in one), started on first use on a free local port, stopped by a shutdown hook however the
 * tests end. Debian's {@code postgresql} package provides the binaries; as root (CI) they run as
 * user {@code postgres} through {@code runuser}, since initdb refuses root. Host connections need
 * a password (scram-sha-256), so wrong credentials are refused as in production. Each test takes
 * a fresh database ({@link #newDatabase}), owned by role {@value #ROLE}.
 *
 * <p>A server left behind by a test JVM that was killed (no shutdown hook ran) is stopped by the
 * next run: each server's directory records the pid of the JVM that started it.
 */
public final class PgServer {

    public static final String ROLE = "hallmark";
    public static final String ROLE_PASSWORD = "role-pw-" + Long.toHexString(System.nanoTime());
    static final Path BASE = Path.of(System.getProperty("java.io.tmpdir"), "hallmark-pg-tests");

    private static PgServer instance;

    private final Path bin;
    private final Path dir;
    private final boolean asPostgres;
    private final int port;
    private final String superPassword;
    private final AtomicInteger databases = new AtomicInteger();

    private PgServer(Path bin, Path dir, boolean asPostgres, int port, String superPassword) {
        this.bin = bin;
        this.dir = dir;
        this.asPostgres = asPostgres;
        this.port = port;
        this.superPassword = superPassword;
    }

    /** The server of this test run (started on the first call). */
    public static synchronized PgServer get() {
        if (instance == null) {
            try {
                instance = start();
            } catch (IOException | InterruptedException | SQLException e) {
                throw new IllegalStateException("cannot start the test PostgreSQL server: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    public int port() {
        return port;
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A new, empty database owned by {@value #ROLE}; the config connects as that role with its password. */
    public DatabaseConfig newDatabase() {
        String name = "t" + databases.incrementAndGet() + "_" + ProcessHandle.current().pid();
        admin("CREATE DATABASE " + name + " OWNER " + ROLE);
        return DatabaseConfig.postgres(url(name), ROLE, DatabaseConfig.Secret.of(ROLE_PASSWORD)).withPool(8, 3);
    }

    /** The database name of a config made by {@link #newDatabase}. */
    public static String databaseName(DatabaseConfig cfg) {
        return cfg.url().substring(cfg.url().lastIndexOf('/') + 1);
    }

    /** Runs SQL as the superuser in database {@code postgres}. */
    public void admin(String sql) {
        admin("postgres", sql);
    }

    /** Runs SQL as the superuser in {@code database}. */
    public void admin(String database, String sql) {
        try (Connection c = DriverManager.getConnection(url(database), "postgres", superPassword);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The server's data directory (the tests look for secrets in its files). */
    public Path dataDir() {
        return dir.resolve("data");
    }

    private static Path binaries() throws IOException {
        String given = System.getProperty("hallmark.pg.bin", System.getenv("HALLMARK_PG_BIN"));
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                // the newest major version installed
                Path best = s.map(p -> p.resolve("bin"))
                        .filter(p -> Files.isExecutable(p.resolve("initdb")))
                        .max(Comparator.comparingInt(p -> {
                            try {
                                return Integer.parseInt(p.getParent().getFileName().toString());
                            } catch (NumberFormatException e) {
                                return 0;
                            }
                        })).orElse(null);
                if (best != null) {
                    return best;
                }
            }
        }
        throw new IOException("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: "
                + "install Debian's postgresql package (it is in .ci/apt-packages.txt) or set -Dhallmark.pg.bin=DIR");
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static PgServer start() throws IOException, InterruptedException, SQLException {
        Path bin = binaries();
        boolean asPostgres = root();
        Files.createDirectories(BASE);
        BASE.toFile().setWritable(true, false);
        stopLeftovers(bin, asPostgres);
        Path dir = Files.createDirectory(BASE.resolve(ProcessHandle.current().pid() + "-"
                + Long.toHexString(System.nanoTime() & 0xffffff)));
        Files.writeString(dir.resolve("owner.pid"), String.valueOf(ProcessHandle.current().pid()));
        String superPassword = "su-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        Path pw = dir.resolve("pwfile");
        Files.writeString(pw, superPassword + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        if (asPostgres) {
            UserPrincipal pg = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, pg);
            Files.setOwner(pw, pg);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PgServer server = new PgServer(bin, dir, asPostgres, port, superPassword);
        server.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pw, "-E", "UTF8", "--no-locale",
                "--no-sync"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "pg-test-server-stop"));
        server.run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("log").toString(), "-w", "-t", "120", "-o", "-p " + port + " -k " + dir
                        + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                        + " -c full_page_writes=off -c max_connections=300", "start"));
        server.admin("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + ROLE_PASSWORD + "'");
        return server;
    }

    /** Stops and removes servers whose test JVM is gone (killed before its shutdown hook could run). */
    private static void stopLeftovers(Path bin, boolean asPostgres) {
        try (Stream<Path> s = Files.list(BASE)) {
            for (Path d : s.toList()) {
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(d.resolve("owner.pid")).trim());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                PgServer old = new PgServer(bin, d, asPostgres, 0, null);
                old.stop();
            }
        } catch (IOException ignored) {
            // nothing to clean
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            String log = "";
            try {
                log = Files.readString(dir.resolve("log"));
            } catch (IOException ignored) {
                // no server log yet
            }
            throw new IOException(String.join(" ", command).toLowerCase(Locale.ROOT).contains("pwfile")
                    ? "initdb failed: " + out : String.join(" ", cmd) + " failed: " + out + log);
        }
    }

    /** Stops the server (fast shutdown) and deletes its directory. */
    void stop() {
        try {
            if (Files.exists(dir.resolve("data").resolve("postmaster.pid"))) {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                        "-w", "-t", "60", "stop"));
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("test PostgreSQL server in " + dir + " did not stop: " + e.getMessage());
        }
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path x : w.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            System.err.println("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
