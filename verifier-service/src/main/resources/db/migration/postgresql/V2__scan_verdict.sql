-- Schema 2: the verdict on the scan row (scan lists show it without reading reports).
ALTER TABLE scans ADD COLUMN verdict VARCHAR(40);
