package dev.atrium.notifications;

import dev.atrium.api.Page;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * SQL on notifications. A send stores its content once (notification_batches) and one small row
 * per recipient referring to it, with a single INSERT ... SELECT whatever the number of
 * recipients (a broadcast is two statements, not one per user).
 */
public final class NotificationRepository {
  private static final String INSERT_CONTENT = """
      INSERT INTO notification_batches (id, sender_id, title, body, level, data) VALUES ($1, $2, $3, $4, $5, $6)
      RETURNING created_at""";
  private static final String INSERT = """
      INSERT INTO notifications (user_id, batch_id, created_at)
      SELECT u.id, $1, $2 FROM users u WHERE u.is_active AND\s""";

  private final Pool pool;

  public NotificationRepository(Pool pool) {
    this.pool = pool;
  }

  /** The content of one send. */
  public record Content(UUID batchId, UUID senderId, String title, String body, String level, JsonObject data) {
    Tuple tuple() {
      return Tuple.of(batchId, senderId, title, body, level, data);
    }

    /** Stores the content; the recipients' rows get its time. */
    Future<OffsetDateTime> store(SqlConnection conn) {
      return conn.preparedQuery(INSERT_CONTENT).execute(tuple())
          .map(rows -> rows.iterator().next().getOffsetDateTime("created_at"));
    }
  }

  /** One stored row: notification id and recipient. */
  public record Recipient(UUID id, UUID userId) {
  }

  /** The rows one send stored, all with the same creation time. */
  public record Stored(List<Recipient> recipients, OffsetDateTime createdAt) {
  }

  /**
   * To listed users, in the caller's transaction; fails with {@code unknown_users} if any is
   * unknown or inactive, so the caller's rollback stores nothing.
   */
  public Future<Stored> toUsers(SqlConnection conn, Content c, List<UUID> userIds) {
    Set<UUID> wanted = new LinkedHashSet<>(userIds);
    return c.store(conn).compose(at -> insert(conn, INSERT + "u.id = ANY($3)",
        Tuple.of(c.batchId(), at).addArrayOfUUID(wanted.toArray(new UUID[0])), at))
        .compose(stored -> {
          Set<UUID> found = new HashSet<>();
          stored.recipients().forEach(r -> found.add(r.userId()));
          if (found.size() == wanted.size()) {
            return Future.succeededFuture(stored);
          }
          JsonArray errors = new JsonArray();
          int i = 0;
          for (UUID id : userIds) {
            if (!found.contains(id)) {
              errors.add(Problem.entry("/user_ids/" + i, "No active user " + id));
            }
            i++;
          }
          return Future.failedFuture(Problem.validation("Some recipients are unknown or inactive", errors)
              .withCode("unknown_users"));
        });
  }

  /** To every active holder of an unexpired grant of the role; empty when no role has that name. */
  public Future<Optional<Stored>> toRole(SqlConnection conn, Content c, String role) {
    return conn.preparedQuery("SELECT id FROM roles WHERE name = $1")
        .execute(Tuple.of(role))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<Stored>empty());
          }
          long roleId = rows.iterator().next().getLong("id");
          return c.store(conn).compose(at -> insert(conn, INSERT + """
              EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_id = $3
                      AND (ur.expires_at IS NULL OR ur.expires_at > now()))""", Tuple.of(c.batchId(), at, roleId), at))
              .map(Optional::of);
        });
  }

  /** To every active user. */
  public Future<Stored> toEveryone(SqlConnection conn, Content c) {
    return c.store(conn).compose(at -> insert(conn, INSERT + "true", Tuple.of(c.batchId(), at), at));
  }

  private static Future<Stored> insert(SqlConnection conn, String sql, Tuple params, OffsetDateTime at) {
    return conn.preparedQuery(sql + " RETURNING id, user_id").execute(params).map(rows -> {
      List<Recipient> recipients = new ArrayList<>(rows.size());
      for (Row r : rows) {
        recipients.add(new Recipient(r.getUUID("id"), r.getUUID("user_id")));
      }
      return new Stored(recipients, at);
    });
  }

  /** One page of the user's notifications, newest first, and the total count. */
  public Future<Page<Notification>> list(UUID userId, boolean unreadOnly, int limit, int offset) {
    String where = " WHERE n.user_id = $1" + (unreadOnly ? " AND n.read_at IS NULL" : "");
    Future<RowSet<Row>> rows = pool.preparedQuery("SELECT " + Notification.COLUMNS + Notification.FROM + where
        + " ORDER BY n.created_at DESC, n.id DESC LIMIT $2 OFFSET $3").execute(Tuple.of(userId, limit, offset));
    Future<Long> total = count(userId, unreadOnly);
    return Future.all(rows, total).map(v -> {
      List<Notification> items = new ArrayList<>();
      rows.result().forEach(r -> items.add(Notification.of(r)));
      return new Page<>(total.result(), items);
    });
  }

  public Future<Long> count(UUID userId, boolean unreadOnly) {
    return pool.preparedQuery("SELECT count(*) AS n FROM notifications WHERE user_id = $1"
            + (unreadOnly ? " AND read_at IS NULL" : ""))
        .execute(Tuple.of(userId)).map(rows -> rows.iterator().next().getLong("n"));
  }

  /** Marks one of the user's notifications read (keeping the first read time); empty if not theirs. */
  public Future<Optional<Notification>> markRead(UUID userId, UUID id) {
    return pool.preparedQuery("WITH n AS (UPDATE notifications SET read_at = coalesce(read_at, now())"
            + " WHERE id = $1 AND user_id = $2 RETURNING id, batch_id, created_at, read_at)"
            + " SELECT " + Notification.COLUMNS + " FROM n JOIN notification_batches b ON b.id = n.batch_id")
        .execute(Tuple.of(id, userId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Notification.of(rows.iterator().next())));
  }

  /** Marks all of the user's unread notifications read; answers how many changed. */
  public Future<Integer> markAllRead(UUID userId) {
    return pool.preparedQuery("UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL")
        .execute(Tuple.of(userId)).map(RowSet::rowCount);
  }

  /**
   * Retention: deletes up to {@code limit} recipients' rows of sends made more than {@code days}
   * ago; answers how many. Bounded, so a broadcast's hundred thousand rows go in several short
   * statements rather than one long one.
   */
  public Future<Integer> deleteExpiredRows(int days, int limit) {
    return pool.preparedQuery("DELETE FROM notifications WHERE id IN (SELECT n.id FROM notification_batches b"
            + " JOIN notifications n ON n.batch_id = b.id WHERE b.created_at < now() - make_interval(days => $1)"
            + " LIMIT $2)")
        .execute(Tuple.of(days, limit)).map(RowSet::rowCount);
  }

  /** Retention: deletes up to {@code limit} sends older than {@code days} that no row refers to any more. */
  public Future<Integer> deleteEmptyBatches(int days, int limit) {
    return pool.preparedQuery("DELETE FROM notification_batches WHERE id IN (SELECT b.id FROM notification_batches b"
            + " WHERE b.created_at < now() - make_interval(days => $1)"
            + " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.batch_id = b.id) LIMIT $2)")
        .execute(Tuple.of(days, limit)).map(RowSet::rowCount);
  }
}
