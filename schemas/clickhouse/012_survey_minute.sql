-- survey_minute: additive components of configured questionnaires (internal/survey, kpi.SurveySums) per
-- location, minute, survey and item, as delta rows written by the processor like kpi_minute. item is a
-- question id (n counts the answers equal to value), '@index' or '@index/dimension' (a per-respondent
-- score: n respondents, sum and sumsq of their scores in thousandths), or '' (n counts submissions).
-- Every index of any range and set of locations is computed from sum() of these rows, never from ratios.
--
-- kafka_partition / last_offset are the processor's marks (written before kpi_minute in each flush, like
-- like_minute); source is 0 for the processor and 1 for corrections written by `cxm reindex`, which carry
-- no mark (last_offset 0) and are left out when the marks are read. No PARTITION BY: one INSERT is one part.
CREATE TABLE IF NOT EXISTS {{ .DB }}.survey_minute
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    minute DateTime('UTC'),
    survey {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    item {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    value Int32,
    n Int64,
    sum Int64,
    sumsq Int64,
    source UInt8,
    kafka_partition UInt16,
    last_offset UInt64
)
ENGINE = MergeTree
ORDER BY (survey, location, minute, item, value);
