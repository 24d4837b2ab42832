-- Signing keys sealed at rest under ATRIUM_DATA_KEY, as the TOTP secrets are (V16): with the
-- key set, material holds base64(nonce, AES-256-GCM ciphertext, tag) and sealed_with the data
-- key's id; without it, material is the key in clear (PEM or base64) and sealed_with is null.
-- A dump of the database alone then mints no access token and signs no link.
ALTER TABLE signing_keys ADD COLUMN sealed_with text;
