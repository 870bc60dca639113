-- Schema 7: the probing defence's near-duplicate index, shared by every instance on the database.
-- Per tenant, the MinHash signature of each text an analyst was answered (and of each scanned
-- document listed to one), numbered 1, 2, ... per tenant (seq): a new text is numbered and inserted
-- under the tenant's row lock in probe_tenants, so within a tenant the numbers commit in order and
-- an instance catches up with "seq > the last it saw". A text's cluster_seq is the seq of the first
-- text of its near-duplicate cluster; the newest 16,384 texts per tenant are kept.
CREATE TABLE probe_tenants (
  tenant VARCHAR(100) PRIMARY KEY,
  last_seq BIGINT NOT NULL);

CREATE TABLE probe_texts (
  tenant VARCHAR(100) NOT NULL,
  seq BIGINT NOT NULL,
  cluster_seq BIGINT NOT NULL,
  signature VARBINARY(256) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant, seq));
CREATE INDEX probe_texts_cluster ON probe_texts(tenant, cluster_seq);

-- the first answer of a cluster, per test (key id, or a keyless scheme's spec): the unadjusted
-- log10 p every later near-duplicate gets again; the first insert wins, whichever instance made it
CREATE TABLE probe_answers (
  tenant VARCHAR(100) NOT NULL,
  cluster_seq BIGINT NOT NULL,
  test_id VARCHAR(200) NOT NULL,
  log10_p DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (tenant, cluster_seq, test_id));

-- near-duplicate answers per API token (the audit log gets the 1st, 10th, 100th, ...)
CREATE TABLE probe_hits (
  token_id VARCHAR(200) PRIMARY KEY,
  hits BIGINT NOT NULL);
