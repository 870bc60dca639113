package dev.hallmark.service.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Settings in table {@code settings}. */
final class SqlSettings implements Settings {

    private final Database db;

    SqlSettings(Database db) {
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
            try (PreparedStatement ps = c.prepareStatement(db.dialect().upsert("settings", "name", "name", "val"))) {
                ps.setString(1, name);
                ps.setString(2, value);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean putIfAbsent(String name, String value) {
        return db.with(c -> {
            try (PreparedStatement ps = c.prepareStatement(db.dialect().insertIfAbsent("settings", "name", "name", "val"))) {
                ps.setString(1, name);
                ps.setString(2, value);
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    return false; // H2: another transaction inserted it first
                }
                throw e;
            }
        });
    }
}
