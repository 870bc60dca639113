package dev.hallmark.service.store;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.function.Supplier;

/** {@link Store} over a {@link Database}: the embedded H2 one, or PostgreSQL. */
final class SqlStore implements Store {

    private final Database db;
    private final SecretBox box;
    private final boolean exclusive;
    private final ApiTokens tokens;
    private final KeyStore keys;
    private final ScanStore scans;
    private final AuditLog audit;
    private final Settings settings;
    private final RateBuckets rateBuckets;

    private SqlStore(Database db, SecretBox box, SecureRandom random, String owner, boolean exclusive) {
        this.db = db;
        this.box = box;
        this.exclusive = exclusive;
        this.tokens = new ApiTokens(new SqlTokenRecords(db), random);
        this.keys = new KeyStore(new SqlKeyRecords(db), box, random);
        this.scans = new SqlScanStore(db, owner);
        this.audit = new SqlAuditLog(db);
        this.settings = new SqlSettings(db);
        this.rateBuckets = new SqlRateBuckets(db);
    }

    static SqlStore open(Path dataDir, DatabaseConfig cfg, SecureRandom random, String owner)
            throws IOException, SQLException {
        boolean embedded = cfg.embedded();
        Database db = embedded ? Database.openEmbedded(dataDir.resolve("db")) : Database.openPostgres(cfg);
        try {
            SqlStore s = new SqlStore(db, SecretBox.load(dataDir, random), random, owner, embedded);
            if (embedded) {
                // H2 in file mode admits one process: every lease in it is of a process that is gone
                s.scans.expireLeases();
            }
            return s;
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
    public RateBuckets rateBuckets() {
        return rateBuckets;
    }

    @Override
    public <T> T atomically(Supplier<T> work) {
        return db.atomically(work);
    }

    @Override
    public void ping(int seconds) {
        db.ping(seconds);
    }

    @Override
    public boolean exclusive() {
        return exclusive;
    }

    @Override
    public String description() {
        return db.description();
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
