package dev.hallmark.service.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Schema migrations by Flyway: SQL scripts under {@code db/migration/h2/} and
 * {@code db/migration/postgresql/}, the same versions with the same meaning on both (the two
 * spell a few column types differently). Applied migrations are recorded in
 * {@value #HISTORY}. Append only: never edit a script that has shipped.
 *
 * <p><b>Data directories from before Flyway.</b> Until schema 3 the service migrated H2 by hand
 * and recorded versions in table {@code schema_version}. Such a database is baselined at its
 * recorded version and brought forward in place by the later scripts (V1..V3 repeat the
 * hand-written steps, so a version-1 or -2 database catches up too). Script V4 adds row 4 to
 * {@code schema_version}, so builds from before Flyway refuse an upgraded database instead of
 * running on a schema they do not know.
 *
 * <p><b>Newer schemas are refused.</b> A database that has a migration this build does not know
 * (written by a newer build) is not touched: opening it fails with a message naming both versions.
 */
final class Migrations {

    /** Flyway's table of applied migrations. */
    static final String HISTORY = "flyway_schema_history";
    /** The last version the hand-written migrator (table {@code schema_version}) applied. */
    static final int LEGACY_LAST = 3;

    private Migrations() {}

    /** The Flyway set-up of this build for {@code dialect}. */
    static FluentConfiguration configure(DataSource ds, Dialect dialect) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(ds)
                .locations("classpath:db/migration/" + dialect.vendor)
                .table(HISTORY)
                .validateMigrationNaming(true)
                .cleanDisabled(true)
                // a failed script must stop the start, never be skipped
                .outOfOrder(false);
    }

    /**
     * Brings the schema to this build's version.
     *
     * @return the version after migration
     * @throws SQLException naming the problem: a newer schema, a failed script, a foreign schema
     */
    static int migrate(DataSource ds, Dialect dialect) throws SQLException {
        int legacy = legacyVersion(ds);
        FluentConfiguration cfg = configure(ds, dialect);
        if (legacy > 0) {
            cfg.baselineOnMigrate(true)
                    .baselineVersion(String.valueOf(legacy))
                    .baselineDescription("hand-written migrations 1.." + legacy + " (table schema_version)");
        }
        try {
            Flyway flyway = cfg.load();
            MigrationInfoService info = flyway.info();
            int known = 0;
            int newest = 0;
            for (MigrationInfo m : info.all()) {
                if (m.getVersion() == null) {
                    continue;
                }
                int v = Integer.parseInt(m.getVersion().getVersion());
                if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
                    newest = Math.max(newest, v);
                } else {
                    known = Math.max(known, v);
                }
            }
            if (newest > known) {
                throw newer(newest, known);
            }
            flyway.migrate();
            MigrationInfo current = flyway.info().current();
            return current == null ? 0 : Integer.parseInt(current.getVersion().getVersion());
        } catch (FlywayException e) {
            SQLException cause = sqlCause(e);
            throw new SQLException("schema migration failed: " + e.getMessage(),
                    cause == null ? null : cause.getSQLState(), e);
        }
    }

    static SQLException newer(int version, int known) {
        return new SQLException("database schema version " + version + " is newer than this build knows (" + known
                + "): refusing to open it with an older Hallmark (upgrade this instance, or restore a backup taken "
                + "before the upgrade)");
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    /**
     * The version recorded by the hand-written migrator in a database that Flyway has not yet
     * taken over; 0 for a new database or one Flyway already manages.
     *
     * @throws SQLException if it records a version newer than the last hand-written one
     */
    static int legacyVersion(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            if (Database.tableExists(c, HISTORY) || !Database.tableExists(c, "schema_version")) {
                return 0;
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
                int v = rs.next() ? rs.getInt(1) : 0;
                if (v > LEGACY_LAST) {
                    throw newer(v, LEGACY_LAST);
                }
                return v;
            }
        }
    }
}
