-- Schema 1 of the embedded database, as the hand-written migrator created it (before Flyway).
-- IF NOT EXISTS: a data directory from before Flyway is baselined at its recorded version, and
-- these statements must be harmless should one ever run on it.
CREATE TABLE IF NOT EXISTS api_tokens (
  id VARCHAR(40) PRIMARY KEY,
  tenant VARCHAR(100) NOT NULL,
  role VARCHAR(20) NOT NULL,
  label VARCHAR(200) NOT NULL,
  token_sha256 CHAR(64) NOT NULL UNIQUE,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at TIMESTAMP WITH TIME ZONE);

CREATE TABLE IF NOT EXISTS wm_keys (
  id VARCHAR(40) PRIMARY KEY,
  scheme VARCHAR(200) NOT NULL,
  label VARCHAR(200) NOT NULL,
  parent_id VARCHAR(40),
  derivation_path VARCHAR(500),
  status VARCHAR(20) NOT NULL,
  secret_enc VARBINARY(200) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  retired_at TIMESTAMP WITH TIME ZONE);

CREATE TABLE IF NOT EXISTS scans (
  id VARCHAR(40) PRIMARY KEY,
  scan_type VARCHAR(40) NOT NULL,
  tenant VARCHAR(100) NOT NULL,
  token_id VARCHAR(40) NOT NULL,
  name VARCHAR(200) NOT NULL,
  state VARCHAR(20) NOT NULL,
  format VARCHAR(20) NOT NULL,
  compression VARCHAR(20) NOT NULL,
  field VARCHAR(200),
  split VARCHAR(20),
  alpha DOUBLE PRECISION NOT NULL,
  key_ids VARCHAR(4000),
  upload_file VARCHAR(500) NOT NULL,
  upload_bytes BIGINT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  started_at TIMESTAMP WITH TIME ZONE,
  finished_at TIMESTAMP WITH TIME ZONE,
  progress_documents BIGINT DEFAULT 0 NOT NULL,
  progress_tokens BIGINT DEFAULT 0 NOT NULL,
  progress_bytes BIGINT DEFAULT 0 NOT NULL,
  attempts INT DEFAULT 0 NOT NULL,
  error VARCHAR(2000));

CREATE INDEX IF NOT EXISTS scans_tenant ON scans(tenant, created_at);

CREATE TABLE IF NOT EXISTS reports (
  scan_id VARCHAR(40) PRIMARY KEY,
  report_json CLOB NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL);

CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  at TIMESTAMP WITH TIME ZONE NOT NULL,
  token_id VARCHAR(40),
  tenant VARCHAR(100),
  action VARCHAR(60) NOT NULL,
  target VARCHAR(200),
  detail VARCHAR(2000));

CREATE TABLE IF NOT EXISTS settings (
  name VARCHAR(100) PRIMARY KEY,
  val VARCHAR(2000) NOT NULL);
