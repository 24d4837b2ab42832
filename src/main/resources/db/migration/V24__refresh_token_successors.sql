-- A spent refresh token names its successor (by digest, as tokens are stored) and, for the
-- reuse grace (ATRIUM_REFRESH_REUSE_GRACE), keeps that successor sealed under a key only the
-- spent token yields: a client retrying a refresh whose answer it lost gets the same successor
-- back instead of having its session revoked. Housekeeping drops the seal after the grace.
ALTER TABLE refresh_tokens ADD COLUMN successor_hash bytea, ADD COLUMN successor_sealed bytea;
CREATE INDEX refresh_tokens_sealed_idx ON refresh_tokens (used_at) WHERE successor_sealed IS NOT NULL;
