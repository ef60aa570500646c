-- The closed loop (customer messages and cases) in the raw events table, which so holds every case's
-- full history: one row per action, written effectively once by the processor like any event.
-- The values other branches add are listed too, so this MODIFY keeps them: type 'audit' = 5 (audits, 015),
-- 'review' = 16 and kind 'shown' = 16, 'click' = 17 (the review hand-off, 013).
-- A message keeps the customer's words in `comment` (so retention and erasure blank them with the survey
-- comments) and its contact details, given only with consent, in `contact`; `voice` is an object-store
-- reference, `re` the id of the event the message follows. A case action: `case_id`, `action`, the
-- opening rule and triggering event (`rule`, `trigger_id`, `source` = the trigger's type), who acted
-- (`actor`), whom it was assigned (`assignee`), the note, the checklist (JSON object item -> bool) and the
-- root causes. The current state of a case is read from these rows with argMax (internal/query/cases.go), never FINAL.
ALTER TABLE {{ .DB }}.events MODIFY COLUMN type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4, 'audit' = 5, 'message' = 6, 'case' = 7, 'review' = 16);
ALTER TABLE {{ .DB }}.events MODIFY COLUMN kind Enum8('' = 0, 'smiley' = 1, 'consultation' = 2, 'like' = 3, 'dislike' = 4, 'complaint' = 5, 'thanks' = 6, 'suggestion' = 7, 'shown' = 16, 'click' = 17);
ALTER TABLE {{ .DB }}.events ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}contact String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}voice String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}re String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}case_id String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}action {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }} DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}rule String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}trigger_id String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}source String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}actor String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}assignee String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}note String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}checklist String DEFAULT '', ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}causes Array(String);
