-- Schema 3: key kinds (SynthID key sets), the scan's scheme and parameters.
ALTER TABLE wm_keys ADD COLUMN IF NOT EXISTS kind VARCHAR(20) DEFAULT 'hallmark' NOT NULL;
-- a SynthID key set is up to 1,024 int64 values in JSON, sealed
ALTER TABLE wm_keys ALTER COLUMN secret_enc SET DATA TYPE VARBINARY(65536);
ALTER TABLE scans ADD COLUMN IF NOT EXISTS scheme VARCHAR(500);
ALTER TABLE scans ADD COLUMN IF NOT EXISTS params VARCHAR(4000);
