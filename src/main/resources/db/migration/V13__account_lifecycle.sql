-- Email verification, password reset, email change and TOTP two-factor sign-in.

-- One live code per user and purpose: issuing a new one replaces (voids) the previous one.
-- Only a hash of the 6-digit code is kept; `attempts` counts wrong guesses (5 kill the code).
CREATE TABLE account_codes (
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text        NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'email_change')),
    code_hash   bytea       NOT NULL,
    new_email   text,
    attempts    integer     NOT NULL DEFAULT 0,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, purpose)
);

ALTER TABLE users ADD COLUMN mfa_enabled boolean NOT NULL DEFAULT false;

-- The TOTP secret (RFC 6238). confirmed_at null: enrolment started, not yet proven with a code.
-- last_step: the last 30-second step whose code was accepted; a code is never accepted twice.
CREATE TABLE user_totp (
    user_id       uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret        bytea       NOT NULL,
    confirmed_at  timestamptz,
    last_step     bigint      NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Single-use recovery codes, stored as SHA-256 (they carry 50 random bits each).
CREATE TABLE mfa_recovery_codes (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea       NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
