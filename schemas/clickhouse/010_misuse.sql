-- Survey answers the ingest kept but flagged as misuse (over a per-address or per-location limit, in a
-- burst at one location; ingest/survey/guard.go): the reason, empty for every other event. Such rows are
-- in the raw table and the export, and in no KPI component (the processor does not count them).
ALTER TABLE {{ .DB }}.events ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}misuse String DEFAULT '' AFTER `repeat`;
