-- kpi_minute: the mergeable components (kpi.Components) of one location's minute, as additive delta rows
-- written by the processor. A figure is sum() over rows, so readers never need FINAL; the same minute may
-- have several rows (later batches, late events).
--
-- The last four columns are the processor's effectively-once marks: every row of one flush carries, for its
-- Kafka partition, the last offset the flush covers and the partition's event-time watermark and receive
-- clock after it. There is deliberately no PARTITION BY: one INSERT is then one block and one part, so a
-- flush's rows for all its Kafka partitions land together or not at all, and
-- `max(last_offset) WHERE kafka_partition = p` says exactly what is in (processor/README.md).
CREATE TABLE IF NOT EXISTS {{ .DB }}.kpi_minute
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    minute DateTime('UTC'),
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
    surveys Int64,
    kafka_partition UInt16,
    last_offset UInt64,
    watermark DateTime('UTC'),
    clock DateTime('UTC')
)
ENGINE = MergeTree
ORDER BY (location, minute);

-- like_minute: like / dislike presses per subject (parking, queue, an employee) of a location's minute,
-- delta rows like kpi_minute, with the same marks (written before kpi_minute in each flush).
CREATE TABLE IF NOT EXISTS {{ .DB }}.like_minute
(
    location {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    minute DateTime('UTC'),
    subject {{ if .AtLeast 19 3 }}LowCardinality(String){{ else }}String{{ end }},
    likes Int64,
    dislikes Int64,
    kafka_partition UInt16,
    last_offset UInt64
)
ENGINE = MergeTree
ORDER BY (location, minute, subject);
