package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;

/**
 * The service's persistent state: API tokens, watermark keys (sealed), scans and their reports,
 * the audit log and settings. One implementation per database; today the embedded one
 * ({@link #embedded}). Corpus files live beside it in {@link ScanFiles}.
 *
 * <p>Every call blocks: call from worker or scan threads, never from an event loop.
 */
public interface Store extends AutoCloseable {

    ApiTokens tokens();

    KeyStore keys();

    ScanStore scans();

    AuditLog audit();

    Settings settings();

    /** Daily use per API token and tenant (the analysts' query budget). */
    UsageStore usage();

    /** Where the master key that seals key secrets came from (for the start-up message; never the key). */
    String masterKeySource();

    /** The schema version after migration. */
    int schemaVersion();

    @Override
    void close();

    /**
     * Opens (creating and migrating if needed) the embedded store in {@code dataDir}: an H2 database
     * under {@code db/}, the master key from the environment or {@code master.key} ({@link SecretBox}).
     */
    static Store embedded(Path dataDir, SecureRandom random) throws IOException, SQLException {
        return EmbeddedStore.open(dataDir, random);
    }
}
