-- Service-standard audits in the raw events table: type 'audit' (5; 'review' = 16 is the review hand-off's,
-- listed so this MODIFY keeps it), and the audit object in canonical JSON (template, auditor, employee,
-- each element's result with the factor, weight and critical flag the ingest stamped from the template,
-- evidence references, the critical cap). Adding enum values is a metadata change on 18.16 and current
-- ClickHouse alike.
ALTER TABLE {{ .DB }}.events MODIFY COLUMN type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4, 'audit' = 5, 'review' = 16);
ALTER TABLE {{ .DB }}.events ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}audit String DEFAULT ''{{ if .AtLeast 19 1 }} CODEC(ZSTD(1)){{ end }};
