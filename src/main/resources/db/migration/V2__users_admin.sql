-- Users administration: the audit log, API keys, and the indexes that keep the admin user list
-- fast on large user tables.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One expression covers the four searchable fields, so "?search=" is one trigram index scan.
-- UsersRepository builds its WHERE clause from exactly this expression (it must match to use the index).
CREATE INDEX users_search_trgm ON users
    USING gin ((lower(email || ' ' || username || ' ' || first_name || ' ' || last_name)) gin_trgm_ops);

-- Default ordering and the date filters; the id breaks ties so pages are stable.
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);
-- Flag filters combined with the default ordering.
CREATE INDEX users_active_created_idx ON users (is_active, created_at DESC);
CREATE INDEX users_verified_created_idx ON users (is_verified, created_at DESC);
-- Staff are few: a partial index finds them without touching the rest.
CREATE INDEX users_staff_created_idx ON users (created_at DESC) WHERE is_staff;
-- Other orderings offered by ?ordering=.
CREATE INDEX users_last_name_idx ON users (lower(last_name), id);
CREATE INDEX users_first_name_idx ON users (lower(first_name), id);
CREATE INDEX users_last_login_idx ON users (last_login DESC NULLS LAST, id DESC);
CREATE INDEX users_updated_idx ON users (updated_at DESC, id DESC);

-- Grants that end: housekeeping and "role=" filters look at these.
CREATE INDEX user_roles_expiry_idx ON user_roles (expires_at) WHERE expires_at IS NOT NULL;

-- Every admin change, written in the same transaction as the change itself. No foreign keys:
-- the record of a deleted user or role must outlive it.
CREATE TABLE audit_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id     uuid,
    action       text        NOT NULL,
    target_type  text        NOT NULL,
    target_id    text,
    changes      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ip           text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, created_at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, created_at DESC);

-- API keys: shown once, stored as a SHA-256 digest; scoped to a subset of the owner's permissions.
CREATE TABLE api_keys (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text        NOT NULL,
    key_hash      bytea       NOT NULL UNIQUE,
    key_prefix    text        NOT NULL,
    permissions   text[]      NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC) WHERE revoked_at IS NULL;
