-- CXM's ClickHouse schema for a cluster (replicated, sharded). GENERATED from schemas/clickhouse/*.sql by
-- deploy/clickhouse-cluster (go generate ./deploy/clickhouse-cluster): do not edit; deploy/clickhouse-cluster's
-- tests fail while this file is stale. How to apply it and what it assumes: deploy/README.md, section 3.
--
-- The servers need <macros> {cluster}, {shard} and {replica} ({replica} unique per server across the whole
-- cluster: the tables replicated to every server use it too), a <remote_servers> entry named like {cluster}
-- with <internal_replication>true</internal_replication>, and ZooKeeper or ClickHouse Keeper. Apply it on
-- one server: clickhouse-client --multiquery < schema.sql

-- The database, on every server.
CREATE DATABASE IF NOT EXISTS `cxm` ON CLUSTER '{cluster}';

-- schema_migrations (created by internal/clickhouse.Migrate): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.schema_migrations ON CLUSTER '{cluster}'
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime('UTC')
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/schema_migrations', '{replica}')
ORDER BY version;

-- events (from 001_events.sql): the shard's part
CREATE TABLE IF NOT EXISTS `cxm`.events_local ON CLUSTER '{cluster}'
(
    id String,
    type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4),
    location LowCardinality(String),
    device LowCardinality(String),
    time DateTime('UTC') CODEC(Delta, LZ4),
    kind Enum8('' = 0, 'smiley' = 1, 'consultation' = 2, 'like' = 3, 'dislike' = 4),
    value UInt8,
    scale UInt8,
    subject LowCardinality(String),
    `in` UInt32,
    `out` UInt32,
    receipt String,
    amount_cents Int64,
    items Int32,
    currency LowCardinality(String),
    seller LowCardinality(String),
    refund UInt8,
    survey LowCardinality(String),
    nps Nullable(UInt8),
    csat Nullable(UInt8),
    ces Nullable(UInt8),
    comment String CODEC(ZSTD(1)),
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
    ext String CODEC(ZSTD(1)),
    `repeat` UInt8,
    received DateTime('UTC') CODEC(Delta, LZ4),
    kafka_partition UInt16,
    kafka_offset UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/events', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (location, time, id);

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- kpi_minute (from 002_kpi_minute.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.kpi_minute ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/kpi_minute', '{replica}')
ORDER BY (location, minute);

-- like_minute (from 002_kpi_minute.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.like_minute ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
    minute DateTime('UTC'),
    subject LowCardinality(String),
    likes Int64,
    dislikes Int64,
    kafka_partition UInt16,
    last_offset UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/like_minute', '{replica}')
ORDER BY (location, minute, subject);

-- kpi_status (from 003_status.sql): the shard's part
CREATE TABLE IF NOT EXISTS `cxm`.kpi_status_local ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
    kpi LowCardinality(String),
    window LowCardinality(String),
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/kpi_status', '{replica}', evaluated_at)
ORDER BY (location, kpi, window);

-- kpi_status: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.kpi_status ON CLUSTER '{cluster}' AS `cxm`.kpi_status_local
ENGINE = Distributed('{cluster}', `cxm`, kpi_status_local, cityHash64(location));

-- kpi_status_history (from 003_status.sql): the shard's part
CREATE TABLE IF NOT EXISTS `cxm`.kpi_status_history_local ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
    kpi LowCardinality(String),
    window LowCardinality(String),
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/kpi_status_history', '{replica}')
PARTITION BY toYYYYMM(evaluated_at)
ORDER BY (location, kpi, window, evaluated_at);

-- kpi_status_history: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.kpi_status_history ON CLUSTER '{cluster}' AS `cxm`.kpi_status_history_local
ENGINE = Distributed('{cluster}', `cxm`, kpi_status_history_local, cityHash64(location));

-- kpi_hour (from 005_kpi_hour.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.kpi_hour ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/all/{database}/kpi_hour', '{replica}', (promoters, passives, detractors, nps_missing, csat_top2, csat_n, ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5, likes, dislikes, visitors, exits, receipts, refunds, revenue_cents, items, consultations, surveys))
PARTITION BY toYYYYMM(hour)
ORDER BY (location, hour);

-- from 005_kpi_hour.sql: on every server, from the local kpi_minute to the local kpi_hour
CREATE MATERIALIZED VIEW IF NOT EXISTS `cxm`.kpi_hour_mv ON CLUSTER '{cluster}' TO `cxm`.kpi_hour AS
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
FROM `cxm`.kpi_minute
GROUP BY location, hour;

-- kpi_day (from 006_kpi_day_total.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.kpi_day ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/all/{database}/kpi_day', '{replica}', (minute_rows, promoters, passives, detractors, nps_missing, csat_top2, csat_n, ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5, likes, dislikes, visitors, exits, receipts, refunds, revenue_cents, items, consultations, surveys))
PARTITION BY toYYYYMM(day)
ORDER BY (location, day);

-- kpi_hour_total (from 006_kpi_day_total.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.kpi_hour_total ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/all/{database}/kpi_hour_total', '{replica}', (promoters, passives, detractors, nps_missing, csat_top2, csat_n, ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5, likes, dislikes, visitors, exits, receipts, refunds, revenue_cents, items, consultations, surveys))
PARTITION BY toYYYYMM(hour)
ORDER BY hour;

-- from 006_kpi_day_total.sql: on every server, from the local kpi_minute to the local kpi_day
CREATE MATERIALIZED VIEW IF NOT EXISTS `cxm`.kpi_day_mv ON CLUSTER '{cluster}' TO `cxm`.kpi_day AS
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
FROM `cxm`.kpi_minute
GROUP BY location, day;

-- from 006_kpi_day_total.sql: on every server, from the local kpi_minute to the local kpi_hour_total
CREATE MATERIALIZED VIEW IF NOT EXISTS `cxm`.kpi_hour_total_mv ON CLUSTER '{cluster}' TO `cxm`.kpi_hour_total AS
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
FROM `cxm`.kpi_minute
GROUP BY hour;

-- kpi_5m (from 007_kpi_5m.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.kpi_5m ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/all/{database}/kpi_5m', '{replica}', (promoters, passives, detractors, nps_missing, csat_top2, csat_n, ces_sum, ces_sumsq, ces_n, smile_sum12, smile_sumsq144, smile_n, smile_face1, smile_face2, smile_face3, smile_face4, smile_face5, likes, dislikes, visitors, exits, receipts, refunds, revenue_cents, items, consultations, surveys))
PARTITION BY toYYYYMM(five_minute)
ORDER BY (location, five_minute);

-- from 007_kpi_5m.sql: on every server, from the local kpi_minute to the local kpi_5m
CREATE MATERIALIZED VIEW IF NOT EXISTS `cxm`.kpi_5m_mv ON CLUSTER '{cluster}' TO `cxm`.kpi_5m AS
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
FROM `cxm`.kpi_minute
GROUP BY location, five_minute;

-- from 010_misuse.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS misuse String DEFAULT '' AFTER `repeat`;

-- from 010_misuse.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 011_survey_answers.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS answers String DEFAULT '' CODEC(ZSTD(1)) AFTER q11;

-- from 011_survey_answers.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- survey_minute (from 012_survey_minute.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.survey_minute ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
    minute DateTime('UTC'),
    survey LowCardinality(String),
    item LowCardinality(String),
    value Int32,
    n Int64,
    sum Int64,
    sumsq Int64,
    source UInt8,
    kafka_partition UInt16,
    last_offset UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/survey_minute', '{replica}')
ORDER BY (survey, location, minute, item, value);

-- from 013_why.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS reason LowCardinality(String) DEFAULT '' AFTER `misuse`;

-- from 013_why.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 013_why.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS platform LowCardinality(String) DEFAULT '' AFTER reason;

-- from 013_why.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 013_why.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' MODIFY COLUMN type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4, 'review' = 16);

-- from 013_why.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 013_why.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' MODIFY COLUMN kind Enum8('' = 0, 'smiley' = 1, 'consultation' = 2, 'like' = 3, 'dislike' = 4, 'shown' = 16, 'click' = 17);

-- from 013_why.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS facet LowCardinality(String) DEFAULT '' AFTER subject;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS n Int64 DEFAULT 0 AFTER dislikes;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS consultations Int64 DEFAULT 0 AFTER n;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS receipts Int64 DEFAULT 0 AFTER consultations;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS refunds Int64 DEFAULT 0 AFTER receipts;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS revenue_cents Int64 DEFAULT 0 AFTER refunds;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS items Int64 DEFAULT 0 AFTER revenue_cents;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS shown Int64 DEFAULT 0 AFTER items;

-- from 014_why_minute.sql
ALTER TABLE `cxm`.like_minute ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS clicks Int64 DEFAULT 0 AFTER shown;

-- from 015_audits.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' MODIFY COLUMN type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4, 'audit' = 5, 'review' = 16);

-- from 015_audits.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 015_audits.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS audit String DEFAULT '' CODEC(ZSTD(1));

-- from 015_audits.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- audit_minute (from 016_audit_minute.sql): replicated to every server
CREATE TABLE IF NOT EXISTS `cxm`.audit_minute ON CLUSTER '{cluster}'
(
    location LowCardinality(String),
    minute DateTime('UTC'),
    template LowCardinality(String),
    dim LowCardinality(String),
    key String,
    n Int64,
    sum Int64,
    sumsq Int64,
    kafka_partition UInt16,
    last_offset UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/audit_minute', '{replica}')
ORDER BY (location, minute, template, dim, key);

-- from 017_closed_loop.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' MODIFY COLUMN type Enum8('button' = 1, 'counter' = 2, 'pos' = 3, 'survey' = 4, 'audit' = 5, 'message' = 6, 'case' = 7, 'review' = 16);

-- from 017_closed_loop.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 017_closed_loop.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' MODIFY COLUMN kind Enum8('' = 0, 'smiley' = 1, 'consultation' = 2, 'like' = 3, 'dislike' = 4, 'complaint' = 5, 'thanks' = 6, 'suggestion' = 7, 'shown' = 16, 'click' = 17);

-- from 017_closed_loop.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- from 017_closed_loop.sql
ALTER TABLE `cxm`.events_local ON CLUSTER '{cluster}' ADD COLUMN IF NOT EXISTS contact String DEFAULT '', ADD COLUMN IF NOT EXISTS voice String DEFAULT '', ADD COLUMN IF NOT EXISTS re String DEFAULT '', ADD COLUMN IF NOT EXISTS case_id String DEFAULT '', ADD COLUMN IF NOT EXISTS action LowCardinality(String) DEFAULT '', ADD COLUMN IF NOT EXISTS rule String DEFAULT '', ADD COLUMN IF NOT EXISTS trigger_id String DEFAULT '', ADD COLUMN IF NOT EXISTS source String DEFAULT '', ADD COLUMN IF NOT EXISTS actor String DEFAULT '', ADD COLUMN IF NOT EXISTS assignee String DEFAULT '', ADD COLUMN IF NOT EXISTS note String DEFAULT '', ADD COLUMN IF NOT EXISTS checklist String DEFAULT '', ADD COLUMN IF NOT EXISTS causes Array(String);

-- from 017_closed_loop.sql: the Distributed events again, with the new column
DROP TABLE IF EXISTS `cxm`.events ON CLUSTER '{cluster}';

-- events: what cxm reads and writes, spread over the shards by location
CREATE TABLE IF NOT EXISTS `cxm`.events ON CLUSTER '{cluster}' AS `cxm`.events_local
ENGINE = Distributed('{cluster}', `cxm`, events_local, cityHash64(location));

-- record 001_events.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(1), 'events', '144ef584c6584a42de39c04a8aa144b70dc65d3501acbdca8bd6d8455925c001', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 1) = 0;

-- record 002_kpi_minute.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(2), 'kpi_minute', 'b88901b276801bbafc524e26d0cb7d94700527eebb4ebb0b48ddf04333a47865', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 2) = 0;

-- record 003_status.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(3), 'status', '37597d5d1d4f58b30f6f290593655d2462f6eeb28a83315a6ee59d8f8a940e36', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 3) = 0;

-- record 005_kpi_hour.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(5), 'kpi_hour', 'abde86087eda14e68cffff1cb07a6382703ab812f6db4c5b5c108fc3ca1405a5', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 5) = 0;

-- record 006_kpi_day_total.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(6), 'kpi_day_total', '0019f6c487ef2e60804339b8de87f6112a79b45710139bc81fca67ebf6682562', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 6) = 0;

-- record 007_kpi_5m.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(7), 'kpi_5m', 'e49a36fcf36d2bcf7c7825a45432fbd7e52c79a79d249814ab5f47361e57f4d5', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 7) = 0;

-- record 010_misuse.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(10), 'misuse', '30a699a479083f4f7425bf482b4a4576eff34873bd475963b9e2d421d5eff6d6', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 10) = 0;

-- record 011_survey_answers.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(11), 'survey_answers', '30456fd49fb8508c9e78364b10a0829eb6f1c424f2b1f308e0b976dc589a6ad2', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 11) = 0;

-- record 012_survey_minute.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(12), 'survey_minute', '1475f7bc5df3c95ac55584ee22eb89073efb819dbb04a5ee0f5711a2033ad862', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 12) = 0;

-- record 013_why.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(13), 'why', '767712b5b0db176fc888e4e480071a2d5192b9261ee9aa600e35c75ab7b131ef', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 13) = 0;

-- record 014_why_minute.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(14), 'why_minute', '82ec253fcd53d7316b4e75d23cb07869ea68df9797483167bbe8b2bdfde86266', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 14) = 0;

-- record 015_audits.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(15), 'audits', 'da5325dcb89e2cf1766f68d6bd38d270077d7650dc4981dc029b12589c5d0c51', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 15) = 0;

-- record 016_audit_minute.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(16), 'audit_minute', '4314e9736ed54694cccec5e690f6214cf5269df22e4b049f324a502c12d20191', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 16) = 0;

-- record 017_closed_loop.sql as applied (checksum of the file, as cxm migrate computes it)
INSERT INTO `cxm`.schema_migrations SELECT toUInt32(17), 'closed_loop', '4ac89696ac077538a17265c23c1c03cccf1eba15a219fc1ae6d27117ee12a073', now()
WHERE (SELECT count() FROM `cxm`.schema_migrations WHERE version = 17) = 0;
