package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * The service's persistent state: API tokens, watermark keys (sealed), scans and their reports,
 * the audit log, settings, the rate limiter's buckets, the analysts' daily usage and the probing
 * defence's near-duplicate index. Two databases hold it with the same schema and behaviour: the
 * embedded H2 database under the data directory (one process) and PostgreSQL (any number of
 * instances; {@link #open}). Corpus files (and scan checkpoints) live beside it in {@link ScanFiles}.
 *
 * <p>Every call blocks: call from worker or scan threads, never from an event loop. A database
 * that cannot be reached fails a call with {@link Database.StoreException#unavailable()}.
 */
public interface Store extends AutoCloseable {

    ApiTokens tokens();

    KeyStore keys();

    ScanStore scans();

    AuditLog audit();

    Settings settings();

    /** The rate limiter's token buckets (shared by every instance on the database). */
    RateBuckets rateBuckets();

    /**
     * Runs {@code work} in one database transaction: every store call it makes on this thread
     * commits together when it returns, or none does when it throws (the exception is rethrown).
     */
    <T> T atomically(Supplier<T> work);

    /**
     * Checks that the database answers within {@code seconds} (readiness probes).
     *
     * @throws Database.StoreException if it does not
     */
    void ping(int seconds);

    /** True when no other process can share this store (the embedded database). */
    boolean exclusive();

    /** Which database this is, for messages (never credentials). */
    String description();

    /** Sealing of probed endpoints' API keys (the same master key as the watermark keys). */
    ProbeSecrets probeSecrets();

    /** Daily use per API token and tenant (the analysts' query budget; shared by every instance on the database). */
    UsageStore usage();

    /** The probing defence's near-duplicate index (shared by every instance on the database). */
    ProbeRecords probes();

    /** Where the master key that seals key secrets came from (for the start-up message; never the key). */
    String masterKeySource();

    /** The schema version after migration. */
    int schemaVersion();

    @Override
    void close();

    /**
     * Opens (creating and migrating if needed) the store: the embedded H2 database under
     * {@code dataDir/db/} when {@code db} is {@link DatabaseConfig#EMBEDDED}, else the PostgreSQL
     * database it names; the master key from the environment or {@code dataDir/master.key}
     * ({@link SecretBox}).
     *
     * @param owner this instance's name on the scan leases it takes (unique per process)
     * @throws SQLException naming the problem: the database cannot be reached, refuses the
     *     credentials, or holds a schema newer than this build
     */
    static Store open(Path dataDir, DatabaseConfig db, SecureRandom random, String owner)
            throws IOException, SQLException {
        return SqlStore.open(dataDir, db, random, owner);
    }
}
