-- Revocations live in PostgreSQL, the source of truth the access-state loader reads (Redis only
-- carries the news between nodes): a per-user mark before which every access token and API key
-- is void (logout-all, password change, deactivation), and each session's revoked_at.
ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz;

-- The loader lists a user's sessions revoked within the access-token lifetime.
CREATE INDEX sessions_revoked_idx ON sessions (user_id, revoked_at) WHERE revoked_at IS NOT NULL;
