-- Which ATRIUM_DATA_KEY sealed user_totp.secret (AES-256-GCM; the key's id is a hash, never the
-- key). NULL: the secret is stored as it is (no key configured when it was written). A node with
-- a key seals such rows at start-up; a node whose key differs from a sealed row's refuses to start.
ALTER TABLE user_totp ADD COLUMN secret_key_id text;
