-- Activities: event ids are unique per user, not across users, and the client's own report of
-- its address and user agent is kept beside what the node observed.

-- What the client says about itself (the previous system's clients send `ip` and `user_agent`
-- in each event). Never mixed with ip / user_agent, which the node observed on the connection.
ALTER TABLE activities ADD COLUMN client_ip text, ADD COLUMN client_user_agent text;

-- A client-chosen event_id is claimed per user: one user can no longer make another's events
-- be dropped as duplicates by sending the same id first. Existing claims take their owner from
-- the stored activity (a claim whose activity is gone no longer protects anything).
ALTER TABLE activity_event_ids ADD COLUMN user_id uuid;
UPDATE activity_event_ids e SET user_id = a.user_id FROM activities a WHERE a.id = e.event_id;
DELETE FROM activity_event_ids WHERE user_id IS NULL;
ALTER TABLE activity_event_ids
    ALTER COLUMN user_id SET NOT NULL,
    DROP CONSTRAINT activity_event_ids_pkey,
    ADD PRIMARY KEY (user_id, event_id);

-- Two users may now store the same id (even at the same instant), so the activity key holds
-- the user too; occurred_at still leads (inserts at the right edge, range scans by time).
ALTER TABLE activities DROP CONSTRAINT activities_pkey, ADD PRIMARY KEY (occurred_at, user_id, id);
