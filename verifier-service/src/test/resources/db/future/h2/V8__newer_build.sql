-- A migration of a newer build (version 8) than this one (StoreTest: such a database is refused).
ALTER TABLE scans ADD COLUMN newer_build_note VARCHAR(10);
