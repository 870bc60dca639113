package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;

/** {@link Store} over the embedded H2 {@link Database}. */
final class EmbeddedStore implements Store {

    private final Database db;
    private final SecretBox box;
    private final ApiTokens tokens;
    private final KeyStore keys;
    private final ScanStore scans;
    private final AuditLog audit;
    private final Settings settings;
    private final UsageStore usage;

    private EmbeddedStore(Database db, SecretBox box, SecureRandom random) {
        this.db = db;
        this.box = box;
        this.tokens = new ApiTokens(new H2TokenRecords(db), random);
        this.keys = new KeyStore(new H2KeyRecords(db), box, random);
        this.scans = new H2ScanStore(db);
        this.audit = new H2AuditLog(db);
        this.settings = new H2Settings(db);
        this.usage = new H2UsageStore(db);
    }

    static EmbeddedStore open(Path dataDir, SecureRandom random) throws IOException, SQLException {
        ScanFiles.privateDirectory(dataDir);
        Database db = Database.open(dataDir.resolve("db"));
        try {
            return new EmbeddedStore(db, SecretBox.load(dataDir, random), random);
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** The database itself (tests reach past the interfaces with it). */
    Database database() {
        return db;
    }

    @Override
    public ApiTokens tokens() {
        return tokens;
    }

    @Override
    public KeyStore keys() {
        return keys;
    }

    @Override
    public ScanStore scans() {
        return scans;
    }

    @Override
    public AuditLog audit() {
        return audit;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public UsageStore usage() {
        return usage;
    }

    @Override
    public String masterKeySource() {
        return box.source();
    }

    @Override
    public int schemaVersion() {
        return db.schemaVersion();
    }

    @Override
    public void close() {
        db.close();
    }
}
