package dev.atrium.files;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL on {@code tus_uploads}: the state of resumable uploads, shared by every node. Steps that
 * commit together take the transaction {@link TusService} opened.
 */
final class TusRepository {
  private static final String COLUMNS = "id, owner_id, filename, declared_type, metadata, length, \"offset\","
      + " storage_key, store_state, digest_state, head, expires_at";

  private final Pool pool;

  TusRepository(Pool pool) {
    this.pool = pool;
  }

  /** One resumable upload. */
  record TusUpload(UUID id, UUID ownerId, String filename, String declaredType, String metadata, long length,
                   long offset, String storageKey, JsonObject storeState, byte[] digestState, byte[] head,
                   OffsetDateTime expiresAt) {
    boolean expired() {
      return expiresAt.toInstant().isBefore(java.time.Instant.now());
    }
  }

  private static TusUpload from(Row r) {
    Buffer digest = r.getBuffer("digest_state");
    Buffer head = r.getBuffer("head");
    return new TusUpload(r.getUUID("id"), r.getUUID("owner_id"), r.getString("filename"), r.getString("declared_type"),
        r.getString("metadata"), r.getLong("length"), r.getLong("offset"), r.getString("storage_key"),
        r.getJsonObject("store_state"), digest == null ? null : digest.getBytes(), head == null ? new byte[0]
        : head.getBytes(), r.getOffsetDateTime("expires_at"));
  }

  Future<Void> insert(TusUpload u, Duration expiry) {
    return pool.preparedQuery("""
            INSERT INTO tus_uploads (id, owner_id, filename, declared_type, metadata, length, storage_key, store_state,
                                     expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))""")
        .execute(Tuple.from(List.of(u.id(), u.ownerId(), u.filename(), u.declaredType() == null ? "" : u.declaredType(),
            u.metadata() == null ? "" : u.metadata(), u.length(), u.storageKey(), u.storeState(),
            (double) expiry.toSeconds())))
        .mapEmpty();
  }

  Future<Optional<TusUpload>> find(UUID id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM tus_uploads WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(from(rows.iterator().next())));
  }

  /** Takes the upload's lease for one PATCH; empty when another PATCH holds it. */
  Future<Optional<TusUpload>> lock(UUID id, String token, Duration lease) {
    return pool.preparedQuery("UPDATE tus_uploads SET locked_by = $2, locked_until = now() + make_interval(secs => $3)"
            + " WHERE id = $1 AND (locked_until IS NULL OR locked_until < now()) RETURNING " + COLUMNS)
        .execute(Tuple.of(id, token, (double) lease.toSeconds()))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(from(rows.iterator().next())));
  }

  Future<Void> renew(UUID id, String token, Duration lease) {
    return pool.preparedQuery("UPDATE tus_uploads SET locked_until = now() + make_interval(secs => $3)"
            + " WHERE id = $1 AND locked_by = $2")
        .execute(Tuple.of(id, token, (double) lease.toSeconds())).mapEmpty();
  }

  Future<Void> unlock(UUID id, String token) {
    return pool.preparedQuery("UPDATE tus_uploads SET locked_by = NULL, locked_until = NULL"
            + " WHERE id = $1 AND locked_by = $2")
        .execute(Tuple.of(id, token)).mapEmpty();
  }

  /**
   * Records an append and gives up the lease, unless the last byte is in: then the lease is kept
   * for the completion, so the sweeper does not complete it at the same time. The upload (and its
   * quota reservation) lives {@code expiry} longer, in {@code conn}'s transaction. False when the
   * lease was lost meanwhile.
   */
  Future<Boolean> advance(SqlConnection conn, UUID id, String token, long offset, JsonObject storeState,
                          byte[] digest, byte[] head, Duration expiry) {
    return conn.preparedQuery("""
            UPDATE tus_uploads SET "offset" = $3, store_state = $4, digest_state = $5, head = $6,
                   expires_at = now() + make_interval(secs => $7),
                   locked_by = CASE WHEN $3 < length THEN NULL ELSE locked_by END,
                   locked_until = CASE WHEN $3 < length THEN NULL ELSE locked_until END
            WHERE id = $1 AND locked_by = $2""")
        .execute(Tuple.from(List.of(id, token, offset, storeState, Buffer.buffer(digest), Buffer.buffer(head),
            (double) expiry.toSeconds())))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
            : conn.preparedQuery("UPDATE file_reservations SET expires_at = now() + make_interval(secs => $2)"
                    + " WHERE id = $1")
                .execute(Tuple.of(id, (double) expiry.toSeconds())).map(true));
  }

  Future<Boolean> delete(SqlConnection conn, UUID id) {
    return conn.preparedQuery("DELETE FROM tus_uploads WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<Boolean> delete(UUID id) {
    return pool.withConnection(conn -> delete(conn, id));
  }

  /**
   * Uploads whose last byte is in but that are not files yet: their completion failed (the store
   * or the database answered with an error, or the node stopped), and nobody holds their lease.
   */
  Future<List<TusUpload>> uncompleted(int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM tus_uploads WHERE \"offset\" = length"
            + " AND expires_at >= now() AND (locked_until IS NULL OR locked_until < now()) LIMIT $1")
        .execute(Tuple.of(limit))
        .map(TusRepository::all);
  }

  private static List<TusUpload> all(io.vertx.sqlclient.RowSet<Row> rows) {
    List<TusUpload> out = new ArrayList<>();
    rows.forEach(r -> out.add(from(r)));
    return out;
  }

  /** Unfinished uploads past their expiry and not being written. */
  Future<List<TusUpload>> expired(int limit) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM tus_uploads WHERE expires_at < now()"
            + " AND (locked_until IS NULL OR locked_until < now()) ORDER BY expires_at LIMIT $1")
        .execute(Tuple.of(limit))
        .map(TusRepository::all);
  }
}
