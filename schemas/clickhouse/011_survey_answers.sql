-- Answers to configured questionnaires (event contract v2, internal/survey): the event's configured answers
-- as one JSON object keyed by question id, '' for every other event. The raw table keeps them so a changed
-- definition can be applied to history (cxm reindex) and data engineers can read them with JSONExtract*.
ALTER TABLE {{ .DB }}.events ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}answers String DEFAULT ''{{ if .AtLeast 19 1 }} CODEC(ZSTD(1)){{ end }} AFTER q11;
