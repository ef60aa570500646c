-- Traffic lights written by the status evaluator (processor/status) every kpi.evaluate_interval: one row per
-- location, KPI and window (kpi.windows, labelled as configured: '15m', '1h', '7d') and evaluation.
--
-- kpi_status is the current status: ReplacingMergeTree(evaluated_at) keeps the latest row per key after
-- merges, which are not guaranteed, so readers pick it with argMax(…, evaluated_at) (internal/query
-- Statuses). Its thirteen columns are exactly, in order, what that reader and the API / plugin fixtures read
-- and insert; the sample-size limit the status was judged with (min_n) is in kpi_status_history.
--
-- value, low, high are NULL when undefined (no sample) or without an interval; yellow, red are NULL for a
-- KPI without a threshold (status 'none'). since is when the current status began. status: grey = no data
-- or n < min_n; none = not judged (no threshold). The Enum numbers are kpi.Status and kpi.Direction.
CREATE TABLE IF NOT EXISTS {{ .DB }}.kpi_status
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    kpi {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    window {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    evaluated_at DateTime('UTC'),
    value Nullable(Float64),
    n Int64,
    low Nullable(Float64),
    high Nullable(Float64),
    status Enum8('grey' = 0, 'green' = 1, 'yellow' = 2, 'red' = 3, 'none' = 4),
    since DateTime('UTC'),
    yellow Nullable(Float64),
    red Nullable(Float64),
    direction Enum8('higher' = 1, 'lower' = 2)
)
ENGINE = ReplacingMergeTree(evaluated_at)
ORDER BY (location, kpi, window);

-- kpi_status_history: every evaluation's row, for "when was this store red" questions and status timelines.
-- About 13 KPIs x windows rows per location and evaluation: 5,000 locations, 4 windows, one evaluation a
-- minute is ~370 M rows a day before compression; drop old months with ALTER TABLE … DROP PARTITION.
CREATE TABLE IF NOT EXISTS {{ .DB }}.kpi_status_history
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    kpi {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    window {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    evaluated_at DateTime('UTC'),
    value Nullable(Float64),
    n Int64,
    low Nullable(Float64),
    high Nullable(Float64),
    status Enum8('grey' = 0, 'green' = 1, 'yellow' = 2, 'red' = 3, 'none' = 4),
    since DateTime('UTC'),
    yellow Nullable(Float64),
    red Nullable(Float64),
    direction Enum8('higher' = 1, 'lower' = 2),
    min_n Int64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(evaluated_at)
ORDER BY (location, kpi, window, evaluated_at);
