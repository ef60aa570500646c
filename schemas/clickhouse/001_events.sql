-- Raw events: one row per accepted event, typed columns, for data engineers to query directly.
-- A Go text/template: {{ .DB }} is the quoted database; .AtLeast gates features on the server version
-- (see schemas/README.md). Statements end with a ";" at the end of a line.
CREATE TABLE IF NOT EXISTS {{ .DB }}.events
(
    id String,
    type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4),
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    device {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    time DateTime('UTC'){{ if .AtLeast 19 1 }} CODEC(Delta, LZ4){{ end }},

    kind Enum8('' = 0, 'smiley' = 1, 'consultation' = 2, 'like' = 3, 'dislike' = 4),
    value UInt8,
    scale UInt8,
    subject {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},

    `in` UInt32,
    `out` UInt32,

    receipt String,
    amount_cents Int64,
    items Int32,
    currency {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    seller {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    refund UInt8,

    survey {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    nps Nullable(UInt8),
    csat Nullable(UInt8),
    ces Nullable(UInt8),
    comment String{{ if .AtLeast 19 1 }} CODEC(ZSTD(1)){{ end }},
    q1 UInt8,
    q2 UInt8,
    q3 UInt8,
    q4 UInt8,
    q5 UInt8,
    q6 UInt8,
    q7 UInt8,
    q8 UInt8,
    q9 UInt8,
    q10 UInt8,
    q11 UInt8,

    ext String{{ if .AtLeast 19 1 }} CODEC(ZSTD(1)){{ end }},

    `repeat` UInt8,
    received DateTime('UTC'){{ if .AtLeast 19 1 }} CODEC(Delta, LZ4){{ end }},
    kafka_partition UInt16,
    kafka_offset UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (location, time, id);
