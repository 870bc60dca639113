-- Schema 2: the verdict on the scan row (scan lists show it without reading reports).
ALTER TABLE scans ADD COLUMN IF NOT EXISTS verdict VARCHAR(40);

UPDATE scans SET verdict = CASE WHEN (SELECT report_json FROM reports r WHERE r.scan_id = scans.id)
  LIKE '%"verdict":"watermarked"%' THEN 'watermarked' ELSE 'no_watermark_detected' END
WHERE state = 'done' AND verdict IS NULL;
