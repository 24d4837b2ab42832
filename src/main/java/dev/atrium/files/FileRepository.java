package dev.atrium.files;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * SQL on {@code files} and {@code file_quotas}. What must commit together takes the caller's
 * transaction ({@link SqlConnection}); the services decide where transactions begin and end.
 */
public final class FileRepository {
  private final Pool pool;

  public FileRepository(Pool pool) {
    this.pool = pool;
  }

  /** A file's bytes are in place; the row and the quota charge are written together. */
  public record NewFile(UUID id, UUID ownerId, String filename, String storageKey, long size, String contentType,
                        String declaredType, String sha256) {
  }

  public Future<Long> usedBytes(UUID ownerId) {
    return pool.preparedQuery("SELECT used_bytes FROM file_quotas WHERE user_id = $1")
        .execute(Tuple.of(ownerId))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
  }

  /**
   * Holds up to {@code wanted} bytes of the owner's quota for an upload in flight and returns how
   * many were granted (0 when the quota is full; with {@code allOrNothing}, 0 unless all fit).
   * The row lock taken by the upsert serialises concurrent uploads of one owner until {@code conn}'s
   * transaction ends.
   */
  public Future<Long> reserve(SqlConnection conn, UUID reservationId, UUID ownerId, long wanted, long quota,
                              boolean allOrNothing, java.time.Duration ttl) {
    return conn.preparedQuery("""
            INSERT INTO file_quotas (user_id, used_bytes) VALUES ($1, 0)
            ON CONFLICT (user_id) DO UPDATE SET used_bytes = file_quotas.used_bytes
            RETURNING used_bytes""")
        .execute(Tuple.of(ownerId))
        .compose(rows -> {
          long left = Math.max(0, quota - rows.iterator().next().getLong(0));
          long granted = Math.min(wanted, left);
          if (granted <= 0 || allOrNothing && granted < wanted) {
            return Future.succeededFuture(0L);
          }
          return conn.preparedQuery("UPDATE file_quotas SET used_bytes = used_bytes + $2 WHERE user_id = $1")
              .execute(Tuple.of(ownerId, granted))
              .compose(v -> conn.preparedQuery("""
                      INSERT INTO file_reservations (id, user_id, bytes, expires_at)
                      VALUES ($1, $2, $3, now() + make_interval(secs => $4))""")
                  .execute(Tuple.of(reservationId, ownerId, granted, (double) ttl.toSeconds())))
              .map(v -> granted);
        });
  }

  /**
   * Moves {@code bytes} of a reservation to a stored file (they stay counted in used_bytes);
   * false when the reservation does not hold them.
   */
  public Future<Boolean> takeFromReservation(SqlConnection conn, UUID reservationId, long bytes) {
    return conn.preparedQuery("UPDATE file_reservations SET bytes = bytes - $2 WHERE id = $1 AND bytes >= $2")
        .execute(Tuple.of(reservationId, bytes))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Gives what is left of a reservation back to the quota; nothing when it is gone already. */
  public Future<Void> release(UUID reservationId) {
    return pool.preparedQuery("""
            WITH r AS (DELETE FROM file_reservations WHERE id = $1 RETURNING user_id, bytes)
            UPDATE file_quotas q SET used_bytes = greatest(0, q.used_bytes - r.bytes) FROM r
            WHERE q.user_id = r.user_id""")
        .execute(Tuple.of(reservationId))
        .mapEmpty();
  }

  /** Gives back reservations whose upload died with its node. */
  public Future<Integer> releaseExpired() {
    return pool.preparedQuery("""
            WITH r AS (DELETE FROM file_reservations WHERE expires_at < now() RETURNING user_id, bytes),
                 s AS (SELECT user_id, sum(bytes) AS b FROM r GROUP BY user_id)
            UPDATE file_quotas q SET used_bytes = greatest(0, q.used_bytes - s.b) FROM s
            WHERE q.user_id = s.user_id""")
        .execute(Tuple.tuple())
        .map(rows -> rows.rowCount());
  }

  public Future<Void> insert(SqlConnection conn, NewFile f) {
    return conn.preparedQuery("""
            INSERT INTO files (id, owner_id, filename, storage_key, size, content_type, declared_type, sha256)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""")
        .execute(Tuple.of(f.id(), f.ownerId(), f.filename(), f.storageKey(), f.size(), f.contentType(),
            f.declaredType(), f.sha256()))
        .mapEmpty();
  }

  public Future<Optional<FileRecord>> find(UUID id) {
    return pool.preparedQuery("SELECT " + FileRecord.COLUMNS + " FROM files WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(FileRecord.from(rows.iterator().next())));
  }

  /** One page, newest first; {@code ownerId} null means every owner. */
  public Future<List<FileRecord>> page(UUID ownerId, int offset, int limit) {
    String where = ownerId == null ? "" : " WHERE owner_id = $3";
    Tuple args = ownerId == null ? Tuple.of(limit, offset) : Tuple.of(limit, offset, ownerId);
    return pool.preparedQuery("SELECT " + FileRecord.COLUMNS + " FROM files" + where
            + " ORDER BY created_at DESC, id LIMIT $1 OFFSET $2")
        .execute(args)
        .map(rows -> {
          List<FileRecord> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            out.add(FileRecord.from(r));
          }
          return out;
        });
  }

  public Future<Long> count(UUID ownerId) {
    return (ownerId == null
        ? pool.query("SELECT count(*) FROM files").execute()
        : pool.preparedQuery("SELECT count(*) FROM files WHERE owner_id = $1").execute(Tuple.of(ownerId)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Deletes the row and gives its bytes back to the owner's quota; empty when it was gone already. */
  public Future<Optional<FileRecord>> delete(SqlConnection conn, UUID id) {
    return conn.preparedQuery(
            "DELETE FROM files WHERE id = $1 RETURNING " + FileRecord.COLUMNS)
        .execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<FileRecord>empty());
          }
          FileRecord f = FileRecord.from(rows.iterator().next());
          return conn.preparedQuery(
                  "UPDATE file_quotas SET used_bytes = greatest(0, used_bytes - $2) WHERE user_id = $1")
              .execute(Tuple.of(f.ownerId(), f.size()))
              .map(v -> Optional.of(f));
        });
  }

  /** Records the outcome of after-upload processing; false when the file was deleted meanwhile. */
  public Future<Boolean> markProcessed(UUID id, String status, Integer width, Integer height, boolean thumbnail,
                                       String error) {
    return pool.preparedQuery("""
            UPDATE files SET status = $2, width = $3, height = $4, has_thumbnail = $5, error = $6,
                             processed_at = now()
            WHERE id = $1""")
        .execute(Tuple.of(id, status, width, height, thumbnail, error))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Bytes to remove: rows deleted since the last sweep. */
  public record Purge(UUID fileId, String storageKey) {
  }

  public Future<List<Purge>> purges(int limit) {
    return pool.preparedQuery("SELECT file_id, storage_key FROM file_purges ORDER BY queued_at LIMIT $1")
        .execute(Tuple.of(limit))
        .map(rows -> {
          List<Purge> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Purge(r.getUUID("file_id"), r.getString("storage_key"))));
          return out;
        });
  }

  public Future<Void> purged(List<UUID> ids) {
    return pool.preparedQuery("DELETE FROM file_purges WHERE file_id = ANY($1)")
        .execute(Tuple.of(ids.toArray(new UUID[0])))
        .mapEmpty();
  }

  /** Files in {@code processing} for longer than {@code olderThan} (a node stopped mid-way, a lost outcome), oldest first. */
  public Future<List<FileRecord>> stuck(int limit, Duration olderThan) {
    return pool.preparedQuery("SELECT " + FileRecord.COLUMNS + " FROM files WHERE status = 'processing'"
            + " AND created_at < now() - $2 * interval '1 millisecond' ORDER BY created_at LIMIT $1")
        .execute(Tuple.of(limit, olderThan.toMillis()))
        .map(rows -> {
          List<FileRecord> out = new ArrayList<>();
          rows.forEach(r -> out.add(FileRecord.from(r)));
          return out;
        });
  }
}
