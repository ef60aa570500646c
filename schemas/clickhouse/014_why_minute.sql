-- like_minute becomes the processor's breakdown table: besides the like / dislike presses per subject
-- (facet ''), it holds per location minute
--   facet 'reason+' / 'reason-', subject = reason code: n = answers giving that reason (positive / negative
--                                 list), written with the event's follow-up reason;
--   facet 'seller', subject = seller id: consultations (button presses), receipts, refunds, revenue_cents,
--                                 items (net of refunds, as kpi_minute);
--   facet 'review', subject = platform: shown (invitations shown) and clicks.
-- The same delta rows and effectively-once marks as before (one insert per flush, written before
-- kpi_minute), so the breakdowns are exactly as complete as the KPIs. Every column is an additive count.
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}facet {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }} DEFAULT '' AFTER subject;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}n Int64 DEFAULT 0 AFTER dislikes;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}consultations Int64 DEFAULT 0 AFTER n;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}receipts Int64 DEFAULT 0 AFTER consultations;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}refunds Int64 DEFAULT 0 AFTER receipts;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}revenue_cents Int64 DEFAULT 0 AFTER refunds;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}items Int64 DEFAULT 0 AFTER revenue_cents;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}shown Int64 DEFAULT 0 AFTER items;
ALTER TABLE {{ .DB }}.like_minute ADD COLUMN {{ if .AtLeast 20 1 }}IF NOT EXISTS {{ end }}clicks Int64 DEFAULT 0 AFTER shown;
