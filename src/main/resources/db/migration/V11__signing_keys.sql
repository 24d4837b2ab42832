-- Signing keys, shared by every node through the database (nodes need no common disk): the
-- ES256 key pairs that sign access tokens (purpose 'token', material = PKCS#8 PEM) and the HMAC
-- keys of signed download links (purpose 'link', material = base64). Created under an advisory
-- lock, so nodes starting together agree on one key. A new key is created every
-- ATRIUM_KEY_ROTATION and signs from activates_at on (a little later than its creation, so every
-- node knows it before tokens signed with it arrive); older keys keep verifying until everything
-- they signed has expired, then they are deleted.
CREATE TABLE signing_keys (
    kid           text        PRIMARY KEY,
    purpose       text        NOT NULL CHECK (purpose IN ('token', 'link')),
    material      text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    activates_at  timestamptz NOT NULL
);
CREATE INDEX signing_keys_purpose_idx ON signing_keys (purpose, activates_at DESC);
