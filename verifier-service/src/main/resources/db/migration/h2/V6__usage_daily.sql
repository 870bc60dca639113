-- Schema 5: the analysts' daily query budget. What each API token ('token:<id>') and tenant
-- ('tenant:<name>') used per UTC day: texts tested plus documents scanned, and their tokens.
-- Shared by every instance on the database; a row is charged under its row lock.
CREATE TABLE usage_daily (
  subject VARCHAR(140) NOT NULL,
  usage_day DATE NOT NULL,
  documents BIGINT DEFAULT 0 NOT NULL,
  tokens BIGINT DEFAULT 0 NOT NULL,
  PRIMARY KEY (subject, usage_day));
