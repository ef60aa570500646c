-- Why and who (README, "Why and who"): the follow-up reason of a press or survey answer, the review
-- hand-off events (type review: kind shown / click, per platform), and the breakdowns the processor keeps
-- per location minute.
--
-- The raw events keep the new fields: reason, and the review platform.
ALTER TABLE {{ .DB }}.events ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}reason {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }} DEFAULT '' AFTER `misuse`;
ALTER TABLE {{ .DB }}.events ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}platform {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }} DEFAULT '' AFTER reason;
-- Adding enum values is a change of metadata only: no part is rewritten. 'review' and its kinds take
-- high numbers so the types other releases add keep theirs.
ALTER TABLE {{ .DB }}.events MODIFY COLUMN type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4, 'review' = 16);
ALTER TABLE {{ .DB }}.events MODIFY COLUMN kind Enum8('' = 0, 'smiley' = 1, 'consultation' = 2, 'like' = 3, 'dislike' = 4, 'shown' = 16, 'click' = 17);
