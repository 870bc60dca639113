package dev.hallmark.service.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Supplier;

/**
 * The service's relational database: embedded H2 in file mode under {@code <data-dir>/db/}, or a
 * PostgreSQL server; a connection pool (HikariCP) and the schema migrated by Flyway
 * ({@link Migrations}). The {@code Sql*} classes of this package run their SQL through it; the
 * few statements the two databases spell differently come from its {@link Dialect}.
 *
 * <p>{@link #tx} runs a function in one transaction; {@link #atomically} makes every call of this
 * package on the current thread join one transaction (an action and its audit entry either both
 * stay or neither). A lost connection surfaces as a {@link StoreException} whose
 * {@link StoreException#unavailable()} is true (the HTTP layer answers 503).
 *
 * <p>All calls block: call them from worker threads, never from an event loop.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final int schemaVersion;
    private final String description;
    // the connection of the transaction this thread is in (atomically / tx), if any
    private final ThreadLocal<Connection> bound = new ThreadLocal<>();
    // the embedded database's directory (its files are kept 0600), null for PostgreSQL
    private Path files;
    private boolean closed;

    private Database(HikariDataSource pool, Dialect dialect, int schemaVersion, String description) {
        this.pool = pool;
        this.dialect = dialect;
        this.schemaVersion = schemaVersion;
        this.description = description;
    }

    /**
     * Opens (creating if needed) the embedded database in {@code dir} and migrates it. The directory
     * is 0700 and the database's files 0600, whatever the umask.
     */
    static Database openEmbedded(Path dir) throws SQLException, IOException {
        ScanFiles.privateDirectory(dir);
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("hallmark") + ";DB_CLOSE_ON_EXIT=FALSE";
        Database db = open(url, "hallmark", "", Dialect.H2, DatabaseConfig.EMBEDDED, "embedded H2 database in " + dir);
        db.files = dir;
        try {
            ScanFiles.restrictTree(dir);
        } catch (IOException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /** Connects to the PostgreSQL database of {@code cfg} and migrates it. */
    static Database openPostgres(DatabaseConfig cfg) throws SQLException {
        return open(cfg.url(), cfg.user(), cfg.password() == null ? null : cfg.password().reveal(), Dialect.POSTGRESQL,
                cfg, cfg.describe());
    }

    private static Database open(String url, String user, String password, Dialect dialect, DatabaseConfig cfg,
            String description) throws SQLException {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("hallmark-db");
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(cfg.poolSize());
        hc.setMinimumIdle(Math.min(2, cfg.poolSize()));
        hc.setConnectionTimeout(cfg.timeoutSeconds() * 1000L);
        hc.setValidationTimeout(Math.min(cfg.timeoutSeconds() * 1000L, 5000L));
        // fail at start if the database cannot be reached, rather than on the first request
        hc.setInitializationFailTimeout(cfg.timeoutSeconds() * 1000L);
        if (dialect == Dialect.POSTGRESQL) {
            hc.addDataSourceProperty("connectTimeout", String.valueOf(cfg.timeoutSeconds()));
            hc.addDataSourceProperty("tcpKeepAlive", "true");
            hc.addDataSourceProperty("ApplicationName", "hallmark-verifier");
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException e) {
            SQLException cause = e.getCause() instanceof SQLException s ? s : new SQLException(e.getMessage(), "08001", e);
            throw new SQLException("cannot connect to the " + description + ": " + safeMessage(cause, password),
                    cause.getSQLState(), cause);
        }
        try {
            int v = Migrations.migrate(ds, dialect);
            return new Database(ds, dialect, v, description);
        } catch (SQLException | RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /** An error's message, with the password cut out should a driver ever echo it. */
    static String safeMessage(Throwable e, String password) {
        String m = String.valueOf(e.getMessage());
        return password == null || password.isEmpty() ? m : m.replace(password, "(redacted)");
    }

    /** The schema version after migration. */
    int schemaVersion() {
        return schemaVersion;
    }

    Dialect dialect() {
        return dialect;
    }

    /** What this database is (for messages; no credentials). */
    String description() {
        return description;
    }

    /** A database operation. */
    @FunctionalInterface
    interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    /** Runs {@code f} on a pooled connection (the thread's transaction's, inside {@link #atomically}). */
    <T> T with(SqlFunction<T> f) {
        Connection b = bound.get();
        if (b != null) {
            try {
                return f.apply(b);
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }
        try (Connection c = pool.getConnection()) {
            return f.apply(c);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Runs {@code f} in one transaction (joining the thread's transaction inside {@link #atomically}). */
    <T> T tx(SqlFunction<T> f) {
        if (bound.get() != null) {
            return with(f);
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            bound.set(c);
            try {
                T t = f.apply(c);
                c.commit();
                return t;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                bound.remove();
                resetQuietly(c);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Runs {@code work} in one transaction: every store call it makes on this thread commits together, or none. */
    <T> T atomically(Supplier<T> work) {
        return tx(c -> work.get());
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e); // the connection is gone: the server rolls the transaction back itself
        }
    }

    private static void resetQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection: the pool evicts it
        }
    }

    /** Checks that the database answers within {@code seconds} (readiness). */
    void ping(int seconds) {
        // a real statement, so a broken connection fails inside the driver and the pool evicts it
        with(c -> {
            try (java.sql.Statement s = c.createStatement()) {
                s.setQueryTimeout(seconds);
                s.execute("SELECT 1");
            }
            return null;
        });
    }

    /**
     * Whether a table exists in the current schema, under its name as written or as the database
     * folds unquoted names (upper case on H2: Flyway creates its history table quoted, in lower case).
     */
    static boolean tableExists(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String schema = c.getSchema();
        for (String name : new String[] {table, table.toUpperCase(java.util.Locale.ROOT)}) {
            try (ResultSet rs = md.getTables(null, schema, name, new String[] {"TABLE", "BASE TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A store failure (an SQL error), unchecked so it can cross Future boundaries.
     * {@link #unavailable()} tells a lost or refused connection from other errors.
     */
    public static final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final boolean unavailable;

        StoreException(SQLException e) {
            super((isConnectionFailure(e) ? "database unavailable: " : "database error: ") + e.getMessage(), e);
            this.unavailable = isConnectionFailure(e);
        }

        /** True when the database could not be reached (connection refused, lost, or none free in time). */
        public boolean unavailable() {
            return unavailable;
        }

        /** The SQLState of the underlying error (null if none). */
        public String sqlState() {
            return getCause() instanceof SQLException s ? s.getSQLState() : null;
        }

        static boolean isConnectionFailure(SQLException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException
                        || t instanceof java.net.SocketException || t instanceof java.io.EOFException) {
                    return true;
                }
                if (t instanceof SQLException s && s.getSQLState() != null
                        && (s.getSQLState().startsWith("08") || s.getSQLState().equals("57P01")
                        || s.getSQLState().equals("57P02") || s.getSQLState().equals("57P03"))) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Closes the pool. H2 closes its files (writing the database out whole) when the last
     * connection closes: no {@code SHUTDOWN}, which would leave the pool's connections broken and
     * H2 writing "already closed" traces. Call after every user of the store has stopped; a second
     * call does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
        if (files != null) {
            try {
                ScanFiles.restrictTree(files);
            } catch (IOException ignored) {
                // modes were set at open; a file H2 made since is still inside the 0700 directory
            }
        }
    }
}
