package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** Settings in table {@code settings} of the embedded database. */
final class H2Settings implements Settings {

    private final Database db;

    H2Settings(Database db) {
        this.db = db;
    }

    @Override
    public String get(String name) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT val FROM settings WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    @Override
    public void put(String name, String value) {
        db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO settings(name, val) KEY(name) VALUES (?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, value);
                return ps.executeUpdate();
            }
        });
    }
}
