package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The embedded database: H2 in file mode under {@code <data-dir>/db/}, with versioned schema
 * migrations. The {@code H2*} classes of this package run their SQL through it.
 *
 * <p>Migrations are applied in order at open; table {@code schema_version} records each applied
 * version with its description and time. A database written by a newer build (a version this
 * build does not know) is refused rather than touched. Each migration runs in one transaction
 * (H2 DDL commits implicitly, so a migration is written to be re-runnable: {@code IF NOT EXISTS}).
 *
 * <p>All calls block: call them from worker threads, never from an event loop.
 */
public final class Database implements AutoCloseable {

    /** One schema step. */
    public record Migration(int version, String description, List<String> statements) {}

    /** Every migration, in order. Append only: never edit one that has shipped. */
    public static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "tokens, keys, scans, reports, audit log", List.of(
                    """
                    CREATE TABLE IF NOT EXISTS api_tokens (
                      id VARCHAR(40) PRIMARY KEY,
                      tenant VARCHAR(100) NOT NULL,
                      role VARCHAR(20) NOT NULL,
                      label VARCHAR(200) NOT NULL,
                      token_sha256 CHAR(64) NOT NULL UNIQUE,
                      created_at TIMESTAMP WITH TIME ZONE NOT NULL,
                      revoked_at TIMESTAMP WITH TIME ZONE)""",
                    """
                    CREATE TABLE IF NOT EXISTS wm_keys (
                      id VARCHAR(40) PRIMARY KEY,
                      scheme VARCHAR(200) NOT NULL,
                      label VARCHAR(200) NOT NULL,
                      parent_id VARCHAR(40),
                      derivation_path VARCHAR(500),
                      status VARCHAR(20) NOT NULL,
                      secret_enc VARBINARY(200) NOT NULL,
                      created_at TIMESTAMP WITH TIME ZONE NOT NULL,
                      retired_at TIMESTAMP WITH TIME ZONE)""",
                    """
                    CREATE TABLE IF NOT EXISTS scans (
                      id VARCHAR(40) PRIMARY KEY,
                      scan_type VARCHAR(40) NOT NULL,
                      tenant VARCHAR(100) NOT NULL,
                      token_id VARCHAR(40) NOT NULL,
                      name VARCHAR(200) NOT NULL,
                      state VARCHAR(20) NOT NULL,
                      format VARCHAR(20) NOT NULL,
                      compression VARCHAR(20) NOT NULL,
                      field VARCHAR(200),
                      split VARCHAR(20),
                      alpha DOUBLE PRECISION NOT NULL,
                      key_ids VARCHAR(4000),
                      upload_file VARCHAR(500) NOT NULL,
                      upload_bytes BIGINT NOT NULL,
                      created_at TIMESTAMP WITH TIME ZONE NOT NULL,
                      started_at TIMESTAMP WITH TIME ZONE,
                      finished_at TIMESTAMP WITH TIME ZONE,
                      progress_documents BIGINT DEFAULT 0 NOT NULL,
                      progress_tokens BIGINT DEFAULT 0 NOT NULL,
                      progress_bytes BIGINT DEFAULT 0 NOT NULL,
                      attempts INT DEFAULT 0 NOT NULL,
                      error VARCHAR(2000))""",
                    "CREATE INDEX IF NOT EXISTS scans_tenant ON scans(tenant, created_at)",
                    """
                    CREATE TABLE IF NOT EXISTS reports (
                      scan_id VARCHAR(40) PRIMARY KEY,
                      report_json CLOB NOT NULL,
                      created_at TIMESTAMP WITH TIME ZONE NOT NULL)""",
                    """
                    CREATE TABLE IF NOT EXISTS audit_log (
                      id BIGINT AUTO_INCREMENT PRIMARY KEY,
                      at TIMESTAMP WITH TIME ZONE NOT NULL,
                      token_id VARCHAR(40),
                      tenant VARCHAR(100),
                      action VARCHAR(60) NOT NULL,
                      target VARCHAR(200),
                      detail VARCHAR(2000))""",
                    """
                    CREATE TABLE IF NOT EXISTS settings (
                      name VARCHAR(100) PRIMARY KEY,
                      val VARCHAR(2000) NOT NULL)""")),
            new Migration(2, "verdict on the scan row (scan lists show it without reading reports)", List.of(
                    "ALTER TABLE scans ADD COLUMN IF NOT EXISTS verdict VARCHAR(40)",
                    """
                    UPDATE scans SET verdict = CASE WHEN (SELECT report_json FROM reports r WHERE r.scan_id = scans.id)
                      LIKE '%"verdict":"watermarked"%' THEN 'watermarked' ELSE 'no_watermark_detected' END
                    WHERE state = 'done' AND verdict IS NULL""")),
            new Migration(3, "key kinds (SynthID key sets), scan scheme and scan parameters", List.of(
                    "ALTER TABLE wm_keys ADD COLUMN IF NOT EXISTS kind VARCHAR(20) DEFAULT 'hallmark' NOT NULL",
                    // a SynthID key set is up to 1,024 int64 values in JSON, sealed
                    "ALTER TABLE wm_keys ALTER COLUMN secret_enc SET DATA TYPE VARBINARY(65536)",
                    "ALTER TABLE scans ADD COLUMN IF NOT EXISTS scheme VARCHAR(500)",
                    "ALTER TABLE scans ADD COLUMN IF NOT EXISTS params VARCHAR(4000)")),
            new Migration(4, "daily use per API token and tenant (analysts' query budget)", List.of(
                    """
                    CREATE TABLE IF NOT EXISTS usage_daily (
                      subject VARCHAR(140) NOT NULL,
                      usage_day DATE NOT NULL,
                      documents BIGINT DEFAULT 0 NOT NULL,
                      tokens BIGINT DEFAULT 0 NOT NULL,
                      PRIMARY KEY (subject, usage_day))""")));

    private final JdbcConnectionPool pool;
    private final int schemaVersion;
    private final Path dir;
    private boolean closed;

    private Database(JdbcConnectionPool pool, int schemaVersion, Path dir) {
        this.pool = pool;
        this.schemaVersion = schemaVersion;
        this.dir = dir;
    }

    /**
     * Opens (creating if needed) the database in {@code dir} and migrates it. The directory is 0700
     * and the database's files 0600, whatever the umask.
     */
    static Database open(Path dir) throws SQLException, IOException {
        ScanFiles.privateDirectory(dir);
        String url = url(dir);
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "hallmark", "");
        pool.setMaxConnections(16);
        try {
            int v = migrate(pool, MIGRATIONS);
            ScanFiles.restrictTree(dir);
            return new Database(pool, v, dir);
        } catch (SQLException | IOException | RuntimeException e) {
            pool.dispose();
            throw e;
        }
    }

    private static String url(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("hallmark") + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    static int migrate(JdbcConnectionPool pool, List<Migration> migrations) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("""
                        CREATE TABLE IF NOT EXISTS schema_version (
                          version INT PRIMARY KEY,
                          description VARCHAR(200) NOT NULL,
                          applied_at TIMESTAMP WITH TIME ZONE NOT NULL)""");
            }
            int current = 0;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                if (rs.next()) {
                    current = rs.getInt(1);
                }
            }
            int known = migrations.isEmpty() ? 0 : migrations.get(migrations.size() - 1).version();
            if (current > known) {
                throw new SQLException("database schema version " + current + " is newer than this build knows ("
                        + known + "): refusing to open it with an older Hallmark");
            }
            for (Migration m : migrations) {
                if (m.version() <= current) {
                    continue;
                }
                c.setAutoCommit(false);
                try {
                    try (Statement s = c.createStatement()) {
                        for (String sql : m.statements()) {
                            s.execute(sql);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO schema_version(version, description, applied_at) VALUES (?, ?, ?)")) {
                        ps.setInt(1, m.version());
                        ps.setString(2, m.description());
                        ps.setObject(3, Instant.now().atOffset(ZoneOffset.UTC));
                        ps.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException e) {
                    c.rollback();
                    throw new SQLException("schema migration " + m.version() + " (" + m.description() + ") failed: "
                            + e.getMessage(), e);
                } finally {
                    c.setAutoCommit(true);
                }
                current = m.version();
            }
            return current;
        }
    }

    /** The schema version after migration. */
    int schemaVersion() {
        return schemaVersion;
    }

    /** A database operation. */
    @FunctionalInterface
    interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    /** Runs {@code f} on a pooled connection. */
    <T> T with(SqlFunction<T> f) {
        try (Connection c = pool.getConnection()) {
            return f.apply(c);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Runs {@code f} in one transaction. */
    <T> T tx(SqlFunction<T> f) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T t = f.apply(c);
                c.commit();
                return t;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** A store failure (an SQL error), unchecked so it can cross Future boundaries. */
    public static final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreException(SQLException e) {
            super("database error: " + e.getMessage(), e);
        }
    }

    /**
     * Closes the database by closing the pool: H2 closes a database (writing it out whole) when its
     * last connection closes. No {@code SHUTDOWN} statement: run through a pooled connection it made
     * the pool's close roll back a closed connection, and run beside the pool it raced the close;
     * either way H2 wrote "Database is already closed" or "Closing" to its trace file. Call after
     * every user of the store has stopped; a second call does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.dispose();
        try {
            ScanFiles.restrictTree(dir);
        } catch (IOException ignored) {
            // modes were set at open; a file H2 made since is still inside the 0700 directory
        }
    }
}
