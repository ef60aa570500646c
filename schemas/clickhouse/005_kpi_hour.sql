-- Hourly rollup of kpi_minute, so long ranges read 60 times fewer rows (internal/query).
--
-- Exactness: kpi_hour_mv is a materialized view TO kpi_hour; ClickHouse runs its SELECT on every block
-- inserted into kpi_minute, so kpi_hour receives exactly the rows kpi_minute receives, summed per hour.
-- SummingMergeTree only adds rows of the same (location, hour) together in the background, and readers
-- always sum(), so a query that reads whole hours from kpi_hour and the ragged minutes from kpi_minute gets
-- the same components as one that reads every minute.
--
-- The view sees only inserts made after it exists. Statement 2 copies what kpi_minute held before, once:
-- it runs only while the view does not exist and kpi_hour is empty, so re-running this migration after a
-- partial failure cannot copy twice. Apply it (like any migration) before the processor starts writing,
-- as `cxm run` and `cxm migrate` do: rows inserted between statements 2 and 3 would be missing from
-- kpi_hour. 18.16 supports MATERIALIZED VIEW ... TO and SummingMergeTree with an explicit column tuple.
CREATE TABLE IF NOT EXISTS {{ .DB }}.kpi_hour
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
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
ORDER BY (location, hour);

INSERT INTO {{ .DB }}.kpi_hour
SELECT
    location,
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
WHERE (SELECT count() FROM system.tables WHERE database = '{{ .Database }}' AND name = 'kpi_hour_mv') = 0
  AND (SELECT count() FROM {{ .DB }}.kpi_hour) = 0
GROUP BY location, hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{ .DB }}.kpi_hour_mv TO {{ .DB }}.kpi_hour AS
SELECT
    location,
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
GROUP BY location, hour;
