-- A send's content is stored once, in notification_batches; each recipient's row refers to it
-- by batch_id and keeps only what is its own (read mark, list order). A 16 KB broadcast to
-- 100,000 users stores 16 KB of content and 100,000 small rows, not 1.6 GB of copies.

CREATE TABLE notification_batches (
    id          uuid        PRIMARY KEY,
    sender_id   uuid        REFERENCES users (id) ON DELETE SET NULL,
    title       text        NOT NULL,
    body        text        NOT NULL DEFAULT '',
    level       text        NOT NULL DEFAULT 'info' CHECK (level IN ('info', 'success', 'warning', 'error')),
    data        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO notification_batches (id, sender_id, title, body, level, data, created_at)
SELECT DISTINCT ON (batch_id) batch_id, sender_id, title, body, level, data, created_at
  FROM notifications
 ORDER BY batch_id, created_at;

ALTER TABLE notifications
    ADD CONSTRAINT notifications_batch_fk FOREIGN KEY (batch_id) REFERENCES notification_batches (id) ON DELETE CASCADE,
    DROP COLUMN sender_id,
    DROP COLUMN title,
    DROP COLUMN body,
    DROP COLUMN level,
    DROP COLUMN data;

CREATE INDEX notifications_batch_idx ON notifications (batch_id);
