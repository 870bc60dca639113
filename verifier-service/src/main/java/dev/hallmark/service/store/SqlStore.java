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
    private final ProbeSecrets probeSecrets;
    private final UsageStore usage;
    private final ProbeRecords probes;

    private SqlStore(Database db, SecretBox box, SecureRandom random, String owner, boolean exclusive) {
        this.db = db;
        this.box = box;
        this.exclusive = exclusive;
        this.tokens = new ApiTokens(new SqlTokenRecords(db), random);
        this.keys = new KeyStore(new SqlKeyRecords(db), box, random);
        this.scans = new SqlScanStore(db, owner);
        this.audit = new SqlAuditLog(db);
        this.settings = new SqlSettings(db);
        this.probeSecrets = new ProbeSecrets(box);
        this.rateBuckets = new SqlRateBuckets(db);
        this.usage = new SqlUsageStore(db);
        this.probes = new SqlProbeRecords(db);
    }

    static SqlStore open(Path dataDir, DatabaseConfig cfg, SecureRandom random, String owner)
            throws IOException, SQLException {
        boolean embedded = cfg.embedded();
        ScanFiles.privateDirectory(dataDir);
        Database db = embedded ? Database.openEmbedded(dataDir.resolve("db")) : Database.openPostgres(cfg);
        try {
            SqlStore s = new SqlStore(db, SecretBox.load(dataDir, random), random, owner, embedded);
            s.checkMasterKey();
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

    static final String MASTER_KEY_CHECK = "master-key.check";
    private static final String CHECK_AAD = "hallmark/master-key-check";
    private static final byte[] CHECK_TEXT = "hallmark master key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Refuses a master key that does not open this database's secrets, before any request can
     * fail on it: instances sharing a database must share the master key. The database keeps a
     * value sealed under the first master key it saw; a database from before that check is tested
     * on its oldest key's secret instead, then gets the value.
     */
    private void checkMasterKey() throws IOException {
        String sealed = settings.get(MASTER_KEY_CHECK);
        if (sealed == null) {
            java.util.List<KeyStore.Info> all = keys.list();
            if (!all.isEmpty()) {
                try {
                    keys.keyed(all.get(0));
                } catch (IllegalStateException e) {
                    throw wrongMasterKey();
                }
            }
            settings.putIfAbsent(MASTER_KEY_CHECK,
                    java.util.Base64.getEncoder().encodeToString(box.seal(CHECK_TEXT, CHECK_AAD)));
            sealed = settings.get(MASTER_KEY_CHECK);
        }
        try {
            box.open(java.util.Base64.getDecoder().decode(sealed), CHECK_AAD);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw wrongMasterKey();
        }
    }

    private IOException wrongMasterKey() {
        return new IOException("the master key (" + box.source() + ") is not the one this database's key secrets are "
                + "sealed with: start every instance with the same master key (HALLMARK_MASTER_KEY or master.key)");
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
    public ProbeSecrets probeSecrets() {
        return probeSecrets;
    }

    @Override
    public RateBuckets rateBuckets() {
        return rateBuckets;
    }

    @Override
    public UsageStore usage() {
        return usage;
    }

    @Override
    public ProbeRecords probes() {
        return probes;
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
