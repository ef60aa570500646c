-- audit_minute: the additive components of service-standard audits (kpi.AuditComponents) per location
-- minute, template, dimension and key: dim '' is the visit's ИВС (key ''), 'factor' a factor's, 'employee'
-- the audited employee's, 'element' an element's (100 when met, 0 when not met). n visits, sum and sum of
-- squares of their scores in 1/10000 of a point. Delta rows like kpi_minute, with the processor's mark
-- (kafka_partition, last_offset), written before kpi_minute in each flush; no PARTITION BY, so one INSERT is
-- one part and a flush's rows land together or not at all (processor/README.md).
CREATE TABLE IF NOT EXISTS {{ .DB }}.audit_minute
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    minute DateTime('UTC'),
    template {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    dim {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    key String,
    n Int64,
    sum Int64,
    sumsq Int64,
    kafka_partition UInt16,
    last_offset UInt64
)
ENGINE = MergeTree
ORDER BY (location, minute, template, dim, key);
