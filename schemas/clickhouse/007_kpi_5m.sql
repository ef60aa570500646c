-- Five-minute rollup of kpi_minute, for steps of whole 5 minutes that are not whole hours (5m, 10m, 15m,
-- 30m): the query engine (internal/query/plan.go) reads their whole 5-minute periods from here instead of
-- every delta row of every minute. A minute of kpi_minute holds a row per processor flush that touched it,
-- so a busy location's week at a 5-minute step reads about 2,016 rows here once merged, instead of tens of
-- thousands. Day steps in zones whose offset is not whole hours (India's +05:30, Nepal's +05:45) read the
-- hour a day boundary cuts from here too, instead of from its minutes.
--
-- Exactness, as kpi_hour (005): kpi_5m_mv is a materialized view TO kpi_5m; ClickHouse runs its SELECT on
-- every block inserted into kpi_minute, so kpi_5m receives exactly the rows kpi_minute receives, summed per
-- 5 minutes. SummingMergeTree only adds rows of the same (location, five_minute) together in the
-- background, and readers always sum(), so a query that reads whole 5-minute periods from kpi_5m, whole
-- hours from kpi_hour and the ragged minutes from kpi_minute gets the same components as one that reads
-- every minute.
--
-- The view sees only inserts made after it exists. Statement 2 copies what kpi_minute held before, once:
-- it runs only while the view does not exist and kpi_5m is empty, so re-running this migration after a
-- partial failure cannot copy twice. Apply it (like any migration) before the processor starts writing,
-- as `cxm run` and `cxm migrate` do: rows inserted between statements 2 and 3 would be missing from
-- kpi_5m. The copy holds every existing (location, 5 minutes) in memory at once, 350-470 bytes each
-- (8.6 M of them, 1,000 locations x 30 days, needed 2.8-3.7 GiB on 18.16): before applying this to a larger
-- kpi_minute, raise max_memory_usage or set max_bytes_before_external_group_by in the migrating user's
-- profile (18.16 ignores a SETTINGS clause on the SELECT). 18.16 supports MATERIALIZED VIEW ... TO,
-- toStartOfFiveMinute and SummingMergeTree with an explicit column tuple.
CREATE TABLE IF NOT EXISTS {{ .DB }}.kpi_5m
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    five_minute DateTime('UTC'),
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
PARTITION BY toYYYYMM(five_minute)
ORDER BY (location, five_minute);

INSERT INTO {{ .DB }}.kpi_5m
SELECT
    location,
    toStartOfFiveMinute(minute) AS five_minute,
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
WHERE (SELECT count() FROM system.tables WHERE database = '{{ .Database }}' AND name = 'kpi_5m_mv') = 0
  AND (SELECT count() FROM {{ .DB }}.kpi_5m) = 0
GROUP BY location, five_minute;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{ .DB }}.kpi_5m_mv TO {{ .DB }}.kpi_5m AS
SELECT
    location,
    toStartOfFiveMinute(minute) AS five_minute,
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
GROUP BY location, five_minute;
