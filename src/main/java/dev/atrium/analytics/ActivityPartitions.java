package dev.atrium.analytics;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the monthly partitions of {@code activities} in step with the clock: every month from
 * the retention horizon to two months ahead exists (so an insert never meets a missing
 * partition), and a partition whose whole month lies before the horizon is dropped. Months are
 * UTC. Nodes take turns through a transaction-scoped advisory lock, and a short lock_timeout
 * keeps a drop from stalling inserts behind it: a run that cannot get the lock retries later.
 */
public final class ActivityPartitions {
  static final Pattern NAME = Pattern.compile("activities_y(\\d{4})m(\\d{2})");
  static final int MONTHS_AHEAD = 2;
  private static final long LOCK_KEY = 0x61637469766974L; // "activit": one key for this job, cluster-wide

  private final Pool pool;

  public ActivityPartitions(Pool pool) {
    this.pool = pool;
  }

  /** What one run changed. */
  public record Result(List<String> created, List<String> dropped, long prunedEventIds) {
  }

  public Future<Result> maintain(Instant now, int retentionDays) {
    Instant horizon = now.minusSeconds(retentionDays * 86_400L);
    return pool.withTransaction(conn -> conn.query("SET LOCAL lock_timeout = '3s'").execute()
        .compose(v -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK_KEY)))
        .compose(v -> existing(conn))
        .compose(existing -> {
          Plan plan = plan(existing, now, horizon);
          Future<Void> ddl = Future.succeededFuture();
          for (YearMonth m : plan.create()) {
            ddl = ddl.compose(x -> conn.query(createSql(m)).execute().mapEmpty());
          }
          for (YearMonth m : plan.drop()) {
            ddl = ddl.compose(x -> conn.query("DROP TABLE IF EXISTS " + name(m)).execute().mapEmpty());
          }
          return ddl.compose(x -> conn.preparedQuery("DELETE FROM activity_event_ids WHERE received_at < $1")
                  .execute(Tuple.of(horizon.atOffset(ZoneOffset.UTC))))
              .map(rs -> new Result(plan.create().stream().map(ActivityPartitions::name).toList(),
                  plan.drop().stream().map(ActivityPartitions::name).toList(), rs.rowCount()));
        }));
  }

  /** Which months to create and drop, given the existing ones; pure, so it is unit-tested. */
  static Plan plan(TreeSet<YearMonth> existing, Instant now, Instant horizon) {
    YearMonth first = YearMonth.from(horizon.atOffset(ZoneOffset.UTC));
    YearMonth last = YearMonth.from(now.atOffset(ZoneOffset.UTC)).plusMonths(MONTHS_AHEAD);
    List<YearMonth> create = new ArrayList<>();
    for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
      if (!existing.contains(m)) {
        create.add(m);
      }
    }
    List<YearMonth> drop = new ArrayList<>();
    for (YearMonth m : existing) {
      Instant end = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
      if (!end.isAfter(horizon)) {
        drop.add(m);
      }
    }
    return new Plan(create, drop);
  }

  record Plan(List<YearMonth> create, List<YearMonth> drop) {
  }

  private static Future<TreeSet<YearMonth>> existing(SqlConnection conn) {
    return conn.query("""
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace AND n.nspname = current_schema()
            WHERE p.relname = 'activities'""").execute()
        .map(rs -> {
          TreeSet<YearMonth> months = new TreeSet<>();
          rs.forEach(r -> {
            Matcher m = NAME.matcher(r.getString(0));
            if (m.matches()) {
              months.add(YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            }
          });
          return months;
        });
  }

  static String name(YearMonth m) {
    return String.format("activities_y%04dm%02d", m.getYear(), m.getMonthValue());
  }

  /** DDL cannot take bind parameters; every part here is built from integers, never from input. */
  private static String createSql(YearMonth m) {
    LocalDate from = m.atDay(1);
    LocalDate to = m.plusMonths(1).atDay(1);
    return "CREATE TABLE IF NOT EXISTS " + name(m) + " PARTITION OF activities FOR VALUES FROM ('"
        + from + " 00:00:00+00') TO ('" + to + " 00:00:00+00')";
  }
}
