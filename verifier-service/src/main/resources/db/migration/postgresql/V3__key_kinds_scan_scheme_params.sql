-- Schema 3: key kinds (SynthID key sets), the scan's scheme and parameters.
-- (secret_enc is BYTEA, unbounded: the embedded database widens its column to 65,536 bytes here.)
ALTER TABLE wm_keys ADD COLUMN kind VARCHAR(20) DEFAULT 'hallmark' NOT NULL;
ALTER TABLE scans ADD COLUMN scheme VARCHAR(500);
ALTER TABLE scans ADD COLUMN params VARCHAR(4000);
