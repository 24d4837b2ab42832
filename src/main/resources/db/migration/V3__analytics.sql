-- Activities: what users did, as sent by clients (source 'api') or recorded by the server from
-- its own events (source 'server': login, logout, register, file_upload, notification).
--
-- Partitioned by month on occurred_at so that retention drops whole partitions instead of
-- deleting rows. The partitions themselves are created and dropped by the application
-- (analytics.ActivityPartitions): months from the retention horizon up to two months ahead.
--
-- The primary key leads with occurred_at: inserts land at the right edge of the index, time
-- ranges (export, stats windows) are index range scans, and ordered exports need no sort.
-- No foreign key to users: an activity is history and outlives nothing but its partition.
CREATE TABLE activities (
    occurred_at  timestamptz NOT NULL,
    id           uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    action       text        NOT NULL,
    source       text        NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'server')),
    metadata     jsonb,
    ip           text,
    user_agent   text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (occurred_at, id)
) PARTITION BY RANGE (occurred_at);

CREATE INDEX activities_user_idx ON activities (user_id, occurred_at);

-- A unique index on a partitioned table must contain the partition key, so (occurred_at, id)
-- alone would store a resent event twice if its occurred_at differed (a client that lets the
-- server stamp the time). Client-supplied event ids are therefore also claimed here, in one
-- unpartitioned table, inside the same insert statement; a claimed id is never stored again.
-- Rows older than the retention period are pruned by the same maintenance job.
CREATE TABLE activity_event_ids (
    event_id     uuid        PRIMARY KEY,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_event_ids_received_idx ON activity_event_ids USING brin (received_at);
