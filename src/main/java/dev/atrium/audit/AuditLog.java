package dev.atrium.audit;

import dev.atrium.access.Caller;
import dev.atrium.api.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL on audit_log. Writers pass the connection of their own transaction, so an entry exists
 * exactly when its change was committed.
 */
public final class AuditLog {
  private static final String INSERT = "INSERT INTO audit_log (actor_id, action, target_type, target_id, changes, ip)"
      + " VALUES ($1, $2, $3, $4, $5, $6)";

  private final Pool pool;

  public AuditLog(Pool pool) {
    this.pool = pool;
  }

  public record Filter(UUID actorId, String action, String targetType, String targetId, OffsetDateTime from,
                       OffsetDateTime to) {
  }

  /** Records one entry outside any transaction (security events: the change they name did not happen). */
  public Future<Void> record(Caller actor, String action, String targetType, Object targetId, JsonObject changes) {
    return record(pool, actor, action, targetType, targetId, changes);
  }

  /** Records one change inside the caller's transaction. */
  public Future<Void> record(SqlClient tx, Caller actor, String action, String targetType, Object targetId,
                             JsonObject changes) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.of(actor.userId() == null ? null : actor.id(), action, targetType, targetId == null ? null : targetId.toString(),
            changes == null ? new JsonObject() : changes, actor.ip()))
        .mapEmpty();
  }

  public Future<Page<AuditEntry>> list(Filter f, int limit, long offset) {
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE true");
    if (f.actorId() != null) {
      params.add(f.actorId());
      where.append(" AND actor_id = $").append(params.size());
    }
    if (f.action() != null) {
      params.add(f.action());
      where.append(" AND action = $").append(params.size());
    }
    if (f.targetType() != null) {
      params.add(f.targetType());
      where.append(" AND target_type = $").append(params.size());
    }
    if (f.targetId() != null) {
      params.add(f.targetId());
      where.append(" AND target_id = $").append(params.size());
    }
    if (f.from() != null) {
      params.add(f.from());
      where.append(" AND created_at >= $").append(params.size());
    }
    if (f.to() != null) {
      params.add(f.to());
      where.append(" AND created_at < $").append(params.size());
    }
    List<Object> pageParams = new ArrayList<>(params);
    pageParams.add(limit);
    pageParams.add(offset);
    String page = "SELECT id, actor_id, action, target_type, target_id, changes, ip, created_at FROM audit_log"
        + where + " ORDER BY created_at DESC, id DESC LIMIT $" + (params.size() + 1) + " OFFSET $" + (params.size() + 2);
    var count = pool.preparedQuery("SELECT count(*) AS n FROM audit_log" + where).execute(Tuple.from(params))
        .map(rows -> rows.iterator().next().getLong("n"));
    var rows = pool.preparedQuery(page).execute(Tuple.from(pageParams));
    return Future.all(count, rows).map(v -> {
      List<AuditEntry> entries = new ArrayList<>();
      for (Row r : rows.result()) {
        entries.add(AuditEntry.from(r));
      }
      return new Page<>(count.result(), entries);
    });
  }
}
