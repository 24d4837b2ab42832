-- Notifications: one row per recipient, so a user's list, unread count and read marks are
-- plain indexed lookups. A send to many users is one INSERT ... SELECT; batch_id groups the
-- rows of one send.

CREATE TABLE notifications (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    batch_id    uuid        NOT NULL,
    sender_id   uuid        REFERENCES users (id) ON DELETE SET NULL,
    title       text        NOT NULL,
    body        text        NOT NULL DEFAULT '',
    level       text        NOT NULL DEFAULT 'info' CHECK (level IN ('info', 'success', 'warning', 'error')),
    data        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);
-- The list, newest first; id breaks ties between rows of one batch.
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC);
-- Unread count and "unread only" lists touch only unread rows.
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;
