-- Notifications are kept for ATRIUM_NOTIFICATION_RETENTION_DAYS: the retention finds the old
-- sends by their time, then their recipients' rows through notifications_batch_idx.
CREATE INDEX notification_batches_created_idx ON notification_batches (created_at);
