-- Two more rollups of kpi_minute for the query engine (internal/query/plan.go), fed like kpi_hour (005):
-- a materialized view TO each table receives exactly the blocks inserted into kpi_minute, and readers
-- always sum() (a SummingMergeTree adds rows of one key together only when it merges parts).
--
-- kpi_day: one row per location and UTC day. The engine reads it to learn which locations have any data in
-- a range (30 rows per location-month instead of 720 hourly ones): `minute_rows` counts the kpi_minute rows
-- summed into a row, so a location's day never sums to all zeros and vanishes in a merge while its hours
-- still count in kpi_hour_total. The other columns are the day's components, for long ranges.
--
-- kpi_hour_total: one row per hour for all locations together. A request for the whole network (group=all
-- over every location that has data in the range, which kpi_day tells) reads 720 rows for a month instead
-- of one per location and hour; any other selection reads kpi_hour.
--
-- As in 005, the INSERT … SELECT statements copy what kpi_minute held before, once: each runs only while
-- its view does not exist and its table is empty, so re-running this file after a partial failure cannot
-- copy twice. Apply it before the processor writes (cxm run and cxm migrate do); rows inserted between a
-- copy and the creation of its view would be missing from that rollup.
CREATE TABLE IF NOT EXISTS {{ .DB }}.kpi_day
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    day Date,
    minute_rows UInt64,
    promoters Int64,
    passives Int64,
    detractors Int64,
    nps_missing Int64,
    csat_top2 Int64,
    csat_n Int64,
    ces_sum Int64,
    ces_sumsq Int64,
    ces_n Int64,
    smile_sum12 Int64,
    smile_sumsq144 Int64,
    smile_n Int64,
    smile_face1 Int64,
    smile_face2 Int64,
    smile_face3 Int64,
    smile_face4 Int64,
    smile_face5 Int64,
    likes Int64,
    dislikes Int64,
    visitors Int64,
    exits Int64,
    receipts Int64,
    refunds Int64,
    revenue_cents Int64,
    items Int64,
    consultations Int64,
    surveys Int64
)
ENGINE = SummingMergeTree((minute_rows, promoters, passives, detractors, nps_missing, csat_top2, csat_n, ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5, likes, dislikes, visitors, exits, receipts, refunds, revenue_cents, items, consultations, surveys))
PARTITION BY toYYYYMM(day)
ORDER BY (location, day);

CREATE TABLE IF NOT EXISTS {{ .DB }}.kpi_hour_total
(
    hour DateTime('UTC'),
    promoters Int64,
    passives Int64,
    detractors Int64,
    nps_missing Int64,
    csat_top2 Int64,
    csat_n Int64,
    ces_sum Int64,
    ces_sumsq Int64,
    ces_n Int64,
    smile_sum12 Int64,
    smile_sumsq144 Int64,
    smile_n Int64,
    smile_face1 Int64,
    smile_face2 Int64,
    smile_face3 Int64,
    smile_face4 Int64,
    smile_face5 Int64,
    likes Int64,
    dislikes Int64,
    visitors Int64,
    exits Int64,
    receipts Int64,
    refunds Int64,
    revenue_cents Int64,
    items Int64,
    consultations Int64,
    surveys Int64
)
ENGINE = SummingMergeTree((promoters, passives, detractors, nps_missing, csat_top2, csat_n, ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5, likes, dislikes, visitors, exits, receipts, refunds, revenue_cents, items, consultations, surveys))
PARTITION BY toYYYYMM(hour)
ORDER BY hour;

INSERT INTO {{ .DB }}.kpi_day
SELECT
    location,
    toDate(minute) AS day,
    count() AS minute_rows,
    sum(promoters) AS promoters,
    sum(passives) AS passives,
    sum(detractors) AS detractors,
    sum(nps_missing) AS nps_missing,
    sum(csat_top2) AS csat_top2,
    sum(csat_n) AS csat_n,
    sum(ces_sum) AS ces_sum,
    sum(ces_sumsq) AS ces_sumsq,
    sum(ces_n) AS ces_n,
    sum(smile_sum12) AS smile_sum12,
    sum(smile_sumsq144) AS smile_sumsq144,
    sum(smile_n) AS smile_n,
    sum(smile_face1) AS smile_face1,
    sum(smile_face2) AS smile_face2,
    sum(smile_face3) AS smile_face3,
    sum(smile_face4) AS smile_face4,
    sum(smile_face5) AS smile_face5,
    sum(likes) AS likes,
    sum(dislikes) AS dislikes,
    sum(visitors) AS visitors,
    sum(exits) AS exits,
    sum(receipts) AS receipts,
    sum(refunds) AS refunds,
    sum(revenue_cents) AS revenue_cents,
    sum(items) AS items,
    sum(consultations) AS consultations,
    sum(surveys) AS surveys
FROM {{ .DB }}.kpi_minute
WHERE (SELECT count() FROM system.tables WHERE database = '{{ .Database }}' AND name = 'kpi_day_mv') = 0
  AND (SELECT count() FROM {{ .DB }}.kpi_day) = 0
GROUP BY location, day;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{ .DB }}.kpi_day_mv TO {{ .DB }}.kpi_day AS
SELECT
    location,
    toDate(minute) AS day,
    count() AS minute_rows,
    sum(promoters) AS promoters,
    sum(passives) AS passives,
    sum(detractors) AS detractors,
    sum(nps_missing) AS nps_missing,
    sum(csat_top2) AS csat_top2,
    sum(csat_n) AS csat_n,
    sum(ces_sum) AS ces_sum,
    sum(ces_sumsq) AS ces_sumsq,
    sum(ces_n) AS ces_n,
    sum(smile_sum12) AS smile_sum12,
    sum(smile_sumsq144) AS smile_sumsq144,
    sum(smile_n) AS smile_n,
    sum(smile_face1) AS smile_face1,
    sum(smile_face2) AS smile_face2,
    sum(smile_face3) AS smile_face3,
    sum(smile_face4) AS smile_face4,
    sum(smile_face5) AS smile_face5,
    sum(likes) AS likes,
    sum(dislikes) AS dislikes,
    sum(visitors) AS visitors,
    sum(exits) AS exits,
    sum(receipts) AS receipts,
    sum(refunds) AS refunds,
    sum(revenue_cents) AS revenue_cents,
    sum(items) AS items,
    sum(consultations) AS consultations,
    sum(surveys) AS surveys
FROM {{ .DB }}.kpi_minute
GROUP BY location, day;

INSERT INTO {{ .DB }}.kpi_hour_total
SELECT
    toStartOfHour(minute) AS hour,
    sum(promoters) AS promoters,
    sum(passives) AS passives,
    sum(detractors) AS detractors,
    sum(nps_missing) AS nps_missing,
    sum(csat_top2) AS csat_top2,
    sum(csat_n) AS csat_n,
    sum(ces_sum) AS ces_sum,
    sum(ces_sumsq) AS ces_sumsq,
    sum(ces_n) AS ces_n,
    sum(smile_sum12) AS smile_sum12,
    sum(smile_sumsq144) AS smile_sumsq144,
    sum(smile_n) AS smile_n,
    sum(smile_face1) AS smile_face1,
    sum(smile_face2) AS smile_face2,
    sum(smile_face3) AS smile_face3,
    sum(smile_face4) AS smile_face4,
    sum(smile_face5) AS smile_face5,
    sum(likes) AS likes,
    sum(dislikes) AS dislikes,
    sum(visitors) AS visitors,
    sum(exits) AS exits,
    sum(receipts) AS receipts,
    sum(refunds) AS refunds,
    sum(revenue_cents) AS revenue_cents,
    sum(items) AS items,
    sum(consultations) AS consultations,
    sum(surveys) AS surveys
FROM {{ .DB }}.kpi_minute
WHERE (SELECT count() FROM system.tables WHERE database = '{{ .Database }}' AND name = 'kpi_hour_total_mv') = 0
  AND (SELECT count() FROM {{ .DB }}.kpi_hour_total) = 0
GROUP BY hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{ .DB }}.kpi_hour_total_mv TO {{ .DB }}.kpi_hour_total AS
SELECT
    toStartOfHour(minute) AS hour,
    sum(promoters) AS promoters,
    sum(passives) AS passives,
    sum(detractors) AS detractors,
    sum(nps_missing) AS nps_missing,
    sum(csat_top2) AS csat_top2,
    sum(csat_n) AS csat_n,
    sum(ces_sum) AS ces_sum,
    sum(ces_sumsq) AS ces_sumsq,
    sum(ces_n) AS ces_n,
    sum(smile_sum12) AS smile_sum12,
    sum(smile_sumsq144) AS smile_sumsq144,
    sum(smile_n) AS smile_n,
    sum(smile_face1) AS smile_face1,
    sum(smile_face2) AS smile_face2,
    sum(smile_face3) AS smile_face3,
    sum(smile_face4) AS smile_face4,
    sum(smile_face5) AS smile_face5,
    sum(likes) AS likes,
    sum(dislikes) AS dislikes,
    sum(visitors) AS visitors,
    sum(exits) AS exits,
    sum(receipts) AS receipts,
    sum(refunds) AS refunds,
    sum(revenue_cents) AS revenue_cents,
    sum(items) AS items,
    sum(consultations) AS consultations,
    sum(surveys) AS surveys
FROM {{ .DB }}.kpi_minute
GROUP BY hour;
