-- Schema 4: several instances on one database.
-- A running scan is leased by one instance (lease_owner) until lease_expires_at (database clock);
-- the owner renews it while it works, another instance takes the scan over once it has expired.
ALTER TABLE scans ADD COLUMN lease_owner VARCHAR(200);
ALTER TABLE scans ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX scans_state ON scans(state, created_at);

-- the rate limiter's token buckets, one row per bucket (API token), shared by every instance
CREATE TABLE rate_buckets (
  bucket VARCHAR(200) PRIMARY KEY,
  tokens DOUBLE PRECISION NOT NULL,
  at_nanos BIGINT NOT NULL);

-- builds from before Flyway read this table and refuse a database newer than schema 3
CREATE TABLE IF NOT EXISTS schema_version (
  version INT PRIMARY KEY,
  description VARCHAR(200) NOT NULL,
  applied_at TIMESTAMP WITH TIME ZONE NOT NULL);
INSERT INTO schema_version(version, description, applied_at)
  VALUES (4, 'migrated by Flyway from here on (flyway_schema_history)', CURRENT_TIMESTAMP);
