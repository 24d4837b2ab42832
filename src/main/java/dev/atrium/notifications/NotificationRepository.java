package dev.atrium.notifications;

import dev.atrium.api.Page;
import dev.atrium.api.Problem;
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
 * SQL on notifications. A send stores one row per recipient with a single INSERT ... SELECT,
 * whatever the number of recipients (a broadcast is one statement, not one per user).
 */
public final class NotificationRepository {
  private static final String INSERT = """
      INSERT INTO notifications (user_id, batch_id, sender_id, title, body, level, data)
      SELECT u.id, $1, $2, $3, $4, $5, $6 FROM users u WHERE u.is_active AND\s""";

  private final Pool pool;

  public NotificationRepository(Pool pool) {
    this.pool = pool;
  }

  /** The content of one send. */
  public record Content(UUID batchId, UUID senderId, String title, String body, String level, JsonObject data) {
    Tuple tuple() {
      return Tuple.of(batchId, senderId, title, body, level, data);
    }
  }

  /** One stored row: notification id and recipient. */
  public record Recipient(UUID id, UUID userId) {
  }

  /** The rows one send stored, all with the same creation time. */
  public record Stored(List<Recipient> recipients, OffsetDateTime createdAt) {
  }

  /** To listed users; fails with {@code unknown_users} (and stores nothing) if any is unknown or inactive. */
  public Future<Stored> toUsers(Content c, List<UUID> userIds) {
    Set<UUID> wanted = new LinkedHashSet<>(userIds);
    return pool.withTransaction(conn -> insert(conn, INSERT + "u.id = ANY($7)",
        c.tuple().addArrayOfUUID(wanted.toArray(new UUID[0])))
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
        }));
  }

  /** To every active holder of an unexpired grant of the role; empty when no role has that name. */
  public Future<Optional<Stored>> toRole(Content c, String role) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT id FROM roles WHERE name = $1")
        .execute(Tuple.of(role))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.<Stored>empty());
          }
          long roleId = rows.iterator().next().getLong("id");
          return insert(conn, INSERT + """
              EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id AND ur.role_id = $7
                      AND (ur.expires_at IS NULL OR ur.expires_at > now()))""", c.tuple().addLong(roleId))
              .map(Optional::of);
        }));
  }

  /** To every active user. */
  public Future<Stored> toEveryone(Content c) {
    return pool.withTransaction(conn -> insert(conn, INSERT + "true", c.tuple()));
  }

  private static Future<Stored> insert(SqlConnection conn, String sql, Tuple params) {
    return conn.preparedQuery(sql + " RETURNING id, user_id, created_at").execute(params).map(rows -> {
      List<Recipient> recipients = new ArrayList<>(rows.size());
      OffsetDateTime at = null;
      for (Row r : rows) {
        recipients.add(new Recipient(r.getUUID("id"), r.getUUID("user_id")));
        at = r.getOffsetDateTime("created_at");
      }
      return new Stored(recipients, at == null ? OffsetDateTime.now() : at);
    });
  }

  /** One page of the user's notifications, newest first, and the total count. */
  public Future<Page<Notification>> list(UUID userId, boolean unreadOnly, int limit, int offset) {
    String where = " WHERE user_id = $1" + (unreadOnly ? " AND read_at IS NULL" : "");
    Future<RowSet<Row>> rows = pool.preparedQuery("SELECT " + Notification.COLUMNS + " FROM notifications" + where
        + " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3").execute(Tuple.of(userId, limit, offset));
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
    return pool.preparedQuery("UPDATE notifications SET read_at = coalesce(read_at, now())"
            + " WHERE id = $1 AND user_id = $2 RETURNING " + Notification.COLUMNS)
        .execute(Tuple.of(id, userId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Notification.of(rows.iterator().next())));
  }

  /** Marks all of the user's unread notifications read; answers how many changed. */
  public Future<Integer> markAllRead(UUID userId) {
    return pool.preparedQuery("UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL")
        .execute(Tuple.of(userId)).map(RowSet::rowCount);
  }
}
