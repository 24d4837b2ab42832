-- Quota held for uploads in flight: an upload reserves its declared size before its first byte
-- is stored (file_quotas.used_bytes counts reservations too), each stored file takes its size out
-- of its reservation in the transaction that writes the row, and the rest is given back when the
-- upload ends. A node that dies mid-upload leaves its reservation to expire: FilesVerticle gives
-- expired ones back.
CREATE TABLE file_reservations (
    id          uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bytes       bigint      NOT NULL CHECK (bytes >= 0),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX file_reservations_expiry_idx ON file_reservations (expires_at);

-- Resumable uploads (tus 1.0.0). Everything a node needs to continue an upload another node
-- began: the offset, the store's state (an S3 multipart upload id and its parts), the SHA-256
-- state so far and the first bytes (for content sniffing). The quota is held by the
-- file_reservations row with the same id. A PATCH takes a lease (locked_by/locked_until), so two
-- nodes never append to one upload at once. No foreign key on owner_id: when a user is deleted
-- the expiry sweep removes their unfinished uploads together with their bytes.
CREATE TABLE tus_uploads (
    id             uuid        PRIMARY KEY,
    owner_id       uuid        NOT NULL,
    filename       text        NOT NULL,
    declared_type  text,
    metadata       text,
    length         bigint      NOT NULL CHECK (length >= 0),
    "offset"       bigint      NOT NULL DEFAULT 0 CHECK ("offset" >= 0 AND "offset" <= length),
    storage_key    text        NOT NULL UNIQUE,
    store_state    jsonb       NOT NULL DEFAULT '{}',
    digest_state   bytea,
    head           bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    locked_by      text,
    locked_until   timestamptz
);
CREATE INDEX tus_uploads_expiry_idx ON tus_uploads (expires_at);
