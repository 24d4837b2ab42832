package dev.atrium.analytics;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** SQL for activities: the batched insert, per-user statistics, and the export cursor. */
public final class ActivityRepository {
  /**
   * One statement per flush, whatever its size: the rows travel as parallel arrays. Client
   * event ids are claimed per user in activity_event_ids first; a row whose (user, id) was
   * claimed before (by an earlier request, in any partition) is skipped. Returns the keys
   * actually stored.
   */
  private static final String INSERT = """
      WITH input AS (
        SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                             $7::text[], $8::text[], $9::text[], $10::text[], $11::bool[])
          AS t(id, occurred_at, user_id, action, source, metadata, ip, user_agent, client_ip, client_user_agent,
               keyed)
      ), claimed AS (
        INSERT INTO activity_event_ids (user_id, event_id)
        SELECT user_id, id FROM input WHERE keyed
        ON CONFLICT (user_id, event_id) DO NOTHING
        RETURNING user_id, event_id
      )
      INSERT INTO activities (occurred_at, id, user_id, action, source, metadata, ip, user_agent, client_ip,
                              client_user_agent)
      SELECT occurred_at, id, user_id, action, source, metadata::jsonb, ip, user_agent, client_ip, client_user_agent
      FROM input
      WHERE NOT keyed OR (user_id, id) IN (SELECT user_id, event_id FROM claimed)
      ON CONFLICT DO NOTHING
      RETURNING user_id, id""";

  private static final String INSERT_SERVER_IDS = """
      INSERT INTO activities (occurred_at, id, user_id, action, source, metadata, ip, user_agent, client_ip,
                              client_user_agent)
      SELECT occurred_at, id, user_id, action, source, metadata::jsonb, ip, user_agent, client_ip, client_user_agent
      FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                  $7::text[], $8::text[], $9::text[], $10::text[])
        AS t(id, occurred_at, user_id, action, source, metadata, ip, user_agent, client_ip, client_user_agent)""";

  /** Which rows of an insert were new: all of them, or those whose keys are listed. */
  public record Stored(boolean all, Set<Activity.Key> keys) {
    static final Stored ALL = new Stored(true, Set.of());

    public boolean isNew(Activity a) {
      return all || keys.contains(a.key());
    }
  }

  /**
   * Everything user-stats shows in one round trip; the window's rows are read once (the CTE is
   * materialised) through the (user_id, occurred_at) index of the partitions in the window.
   */
  private static final String STATS = """
      WITH w AS MATERIALIZED (
        SELECT action, source, metadata -> 'duration_ms' AS d
        FROM activities WHERE user_id = $1 AND occurred_at >= $2
      ), usage AS (
        SELECT action, count(*) AS n FROM w GROUP BY action ORDER BY n DESC, action LIMIT 20
      ), perf AS (
        SELECT (d #>> '{}')::double precision AS ms FROM w WHERE jsonb_typeof(d) = 'number'
      )
      SELECT (SELECT count(*) FROM w) AS total,
             (SELECT count(*) FROM w WHERE action = 'login' AND source = 'server') AS logins,
             (SELECT coalesce(json_agg(json_build_array(action, n)), '[]'::json)::text FROM usage) AS usage,
             (SELECT count(*) FROM perf) AS perf_count,
             (SELECT avg(ms) FROM perf) AS perf_avg,
             (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) FROM perf) AS perf_p95,
             (SELECT max(occurred_at) FROM activities WHERE user_id = $1) AS last_active_at""";

  static final String EXPORT_COLUMNS =
      "id, occurred_at, received_at, user_id, action, source, ip, user_agent, metadata, client_ip, client_user_agent";

  private final Pool pool;
  private final Pool ingest;

  /** {@code ingest}: the group commit's own connections, used by {@link #insert} alone. */
  public ActivityRepository(Pool pool, Pool ingest) {
    this.pool = pool;
    this.ingest = ingest;
  }

  /**
   * Stores the rows in one statement and one commit; answers the ids that were new. A batch
   * without client event ids takes the plain insert: server-made ids are time-ordered UUIDs
   * that never collide, so nothing needs claiming or returning (a collision would fail the
   * statement rather than skip a row).
   */
  public Future<Stored> insert(List<Activity> rows) {
    int n = rows.size();
    UUID[] ids = new UUID[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    UUID[] users = new UUID[n];
    String[] actions = new String[n];
    String[] sources = new String[n];
    String[] metadata = new String[n];
    String[] ips = new String[n];
    String[] agents = new String[n];
    String[] clientIps = new String[n];
    String[] clientAgents = new String[n];
    Boolean[] keyed = new Boolean[n];
    boolean anyKeyed = false;
    for (int i = 0; i < n; i++) {
      Activity a = rows.get(i);
      ids[i] = a.id();
      at[i] = a.occurredAt().atOffset(ZoneOffset.UTC);
      users[i] = a.userId();
      actions[i] = a.action();
      sources[i] = a.source();
      metadata[i] = a.metadata();
      ips[i] = a.ip();
      agents[i] = a.userAgent();
      clientIps[i] = a.clientIp();
      clientAgents[i] = a.clientUserAgent();
      keyed[i] = a.clientKeyed();
      anyKeyed |= a.clientKeyed();
    }
    if (!anyKeyed) {
      return ingest.preparedQuery(INSERT_SERVER_IDS)
          .execute(Tuple.tuple(List.of(ids, at, users, actions, sources, metadata, ips, agents, clientIps,
              clientAgents)))
          .map(rs -> Stored.ALL);
    }
    Tuple args = Tuple.tuple(List.of(ids, at, users, actions, sources, metadata, ips, agents, clientIps, clientAgents,
        keyed));
    return ingest.preparedQuery(INSERT).execute(args).map(rs -> {
      Set<Activity.Key> stored = new HashSet<>(rs.rowCount() * 2);
      for (Row r : rs) {
        stored.add(new Activity.Key(r.getUUID(0), r.getUUID(1)));
      }
      return new Stored(false, stored);
    });
  }

  /** Which of the ids are existing users. */
  public Future<Set<UUID>> existingUsers(Collection<UUID> ids) {
    return pool.preparedQuery("SELECT id FROM users WHERE id = ANY($1::uuid[])")
        .execute(Tuple.of(ids.toArray(new UUID[0])))
        .map(rs -> {
          Set<UUID> found = new HashSet<>();
          rs.forEach(r -> found.add(r.getUUID(0)));
          return found;
        });
  }

  public Future<UserStats> stats(UUID userId, Instant since) {
    return pool.preparedQuery(STATS).execute(Tuple.of(userId, since.atOffset(ZoneOffset.UTC))).map(rs -> {
      Row r = rs.iterator().next();
      Map<String, Long> usage = new LinkedHashMap<>();
      new io.vertx.core.json.JsonArray(r.getString("usage"))
          .forEach(pair -> {
            io.vertx.core.json.JsonArray p = (io.vertx.core.json.JsonArray) pair;
            usage.put(p.getString(0), p.getLong(1));
          });
      OffsetDateTime last = r.getOffsetDateTime("last_active_at");
      return new UserStats(r.getLong("total"), r.getLong("logins"), usage, r.getLong("perf_count"),
          r.getDouble("perf_avg"), r.getDouble("perf_p95"), last == null ? null : last.toInstant());
    });
  }

  /** Raw figures for one user over a window; {@link ActivityService} shapes them. */
  public record UserStats(long total, long logins, Map<String, Long> featureUsage, long perfCount, Double perfAvg,
                          Double perfP95, Instant lastActiveAt) {
  }

  /** What an export selects; null bounds are open. */
  public record ExportFilter(Instant from, Instant to, UUID userId) {
  }

  /**
   * A server-side cursor over the matching activities (oldest first) in the caller's
   * transaction, which it makes read-only (so it must be the transaction's first statement).
   * Only {@code fetchSize} rows are read ahead; a paused stream stops fetching.
   */
  public Future<RowStream<Row>> stream(SqlConnection tx, ExportFilter f, int fetchSize) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT ").append(EXPORT_COLUMNS).append(" FROM activities WHERE true");
    if (f.from() != null) {
      params.add(f.from().atOffset(ZoneOffset.UTC));
      sql.append(" AND occurred_at >= $").append(params.size());
    }
    if (f.to() != null) {
      params.add(f.to().atOffset(ZoneOffset.UTC));
      sql.append(" AND occurred_at < $").append(params.size());
    }
    if (f.userId() != null) {
      params.add(f.userId());
      sql.append(" AND user_id = $").append(params.size());
    }
    sql.append(" ORDER BY occurred_at, user_id, id"); // the primary key's order: no sort
    Tuple args = Tuple.tuple(params);
    return tx.query("SET TRANSACTION READ ONLY").execute()
        .compose(v -> tx.prepare(sql.toString()))
        .map(ps -> ps.createStream(fetchSize, args));
  }

  static JsonObject metadataOf(Row r) {
    Object m = r.getValue("metadata");
    return m instanceof JsonObject j ? j : null;
  }
}
