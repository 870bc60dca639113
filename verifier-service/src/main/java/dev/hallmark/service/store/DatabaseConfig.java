package dev.hallmark.service.store;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the service keeps its rows: the embedded H2 database under the data directory (the
 * default: one process), or a PostgreSQL server shared by several instances.
 *
 * @param url null for the embedded database, else {@code jdbc:postgresql://HOST[:PORT]/DB[?params]}
 *     (never with a password in it)
 * @param user the PostgreSQL role (null: the driver's default)
 * @param password the role's password, or null; never printed ({@link Secret#toString()})
 * @param poolSize most connections this instance opens (default 16)
 * @param timeoutSeconds how long to wait for a connection (and for the server to answer a connect)
 *     before a request fails with 503 (default 5)
 */
public record DatabaseConfig(String url, String user, Secret password, int poolSize, int timeoutSeconds) {

    /** The embedded default. */
    public static final DatabaseConfig EMBEDDED = new DatabaseConfig(null, null, null, 16, 5);

    public DatabaseConfig {
        if (url != null) {
            if (!url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("the database URL must be jdbc:postgresql://HOST[:PORT]/DATABASE "
                        + "(without it the embedded H2 database in the data directory is used), got '"
                        + redact(url) + "'");
            }
            String q = url.toLowerCase(Locale.ROOT);
            if (q.contains("password=") || q.contains("sslpassword=") || url.substring(18).contains("@")) {
                throw new IllegalArgumentException("the database URL must not carry credentials (they would end up "
                        + "in logs): give the password with --database-password-file or HALLMARK_DATABASE_PASSWORD");
            }
        } else if (user != null || password != null) {
            throw new IllegalArgumentException("a database user or password needs --database-url (the embedded "
                    + "database has none)");
        }
        if (poolSize < 2 || poolSize > 1000) {
            throw new IllegalArgumentException("database pool size must be 2..1000, got " + poolSize);
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 600) {
            throw new IllegalArgumentException("database timeout must be 1..600 seconds, got " + timeoutSeconds);
        }
    }

    /** A PostgreSQL database with the default pool size and timeout. */
    public static DatabaseConfig postgres(String url, String user, Secret password) {
        return new DatabaseConfig(url, user, password, EMBEDDED.poolSize, EMBEDDED.timeoutSeconds);
    }

    public boolean embedded() {
        return url == null;
    }

    public DatabaseConfig withPool(int size, int timeout) {
        return new DatabaseConfig(url, user, password, size, timeout);
    }

    /**
     * What to show in messages: host, port and database (and the user), never a password or
     * the URL's parameters.
     */
    public String describe() {
        if (embedded()) {
            return "embedded H2 database";
        }
        return "PostgreSQL " + redact(url) + (user == null ? "" : " as user '" + user + "'");
    }

    /** A JDBC URL without its parameters or user info (which might carry credentials). */
    static String redact(String url) {
        if (url == null) {
            return null;
        }
        String u = url;
        int q = u.indexOf('?');
        if (q >= 0) {
            u = u.substring(0, q) + "?...";
        }
        if (u.startsWith("jdbc:")) {
            try {
                URI uri = URI.create(u.substring(5).replace("?...", ""));
                if (uri.getUserInfo() != null) {
                    return "jdbc:" + uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                            + uri.getPath() + (q >= 0 ? "?..." : "");
                }
            } catch (IllegalArgumentException e) {
                return "jdbc:...";
            }
        }
        return u;
    }

    /** A password that never shows in {@code toString}, logs or error messages. */
    public static final class Secret {
        private final char[] value;

        private Secret(char[] value) {
            this.value = value;
        }

        public static Secret of(String value) {
            Objects.requireNonNull(value, "value");
            return new Secret(value.toCharArray());
        }

        /** The password itself: only for the driver. */
        String reveal() {
            return new String(value);
        }

        /** Whether {@code text} contains the password (tests check that messages do not). */
        public boolean occursIn(String text) {
            return value.length > 0 && text != null && text.contains(new String(value));
        }

        @Override
        public String toString() {
            return "(password redacted)";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secret s && Arrays.equals(value, s.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }
    }
}
