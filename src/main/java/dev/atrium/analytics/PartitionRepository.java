package dev.atrium.analytics;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL of the partition maintenance, in the transaction {@link ActivityPartitions} opens: the
 * advisory lock and the lock_timeout taken here last until that transaction ends.
 */
final class PartitionRepository {
  private static final long LOCK_KEY = 0x61637469766974L; // "activit": one key for this job, cluster-wide

  private PartitionRepository() {
  }

  /**
   * Waits at most 3 s for any lock from here on (a drop must not stall inserts behind it), then
   * takes the job's advisory lock, so nodes take turns.
   */
  static Future<Void> lock(SqlConnection tx) {
    return tx.query("SET LOCAL lock_timeout = '3s'").execute()
        .compose(v -> tx.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK_KEY)))
        .mapEmpty();
  }

  /** The names of the partitions of {@code activities} in the current schema. */
  static Future<List<String>> partitions(SqlConnection tx) {
    return tx.query("""
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace AND n.nspname = current_schema()
            WHERE p.relname = 'activities'""").execute()
        .map(rs -> {
          List<String> names = new ArrayList<>();
          rs.forEach(r -> names.add(r.getString(0)));
          return names;
        });
  }

  /** DDL cannot take bind parameters; every part here is built from integers, never from input. */
  static Future<Void> create(SqlConnection tx, YearMonth m) {
    LocalDate from = m.atDay(1);
    LocalDate to = m.plusMonths(1).atDay(1);
    return tx.query("CREATE TABLE IF NOT EXISTS " + ActivityPartitions.name(m) + " PARTITION OF activities"
        + " FOR VALUES FROM ('" + from + " 00:00:00+00') TO ('" + to + " 00:00:00+00')").execute().mapEmpty();
  }

  static Future<Void> drop(SqlConnection tx, YearMonth m) {
    return tx.query("DROP TABLE IF EXISTS " + ActivityPartitions.name(m)).execute().mapEmpty();
  }

  /** Forgets the client event ids received before {@code horizon}; returns how many. */
  static Future<Long> pruneEventIds(SqlConnection tx, Instant horizon) {
    return tx.preparedQuery("DELETE FROM activity_event_ids WHERE received_at < $1")
        .execute(Tuple.of(horizon.atOffset(ZoneOffset.UTC)))
        .map(rs -> (long) rs.rowCount());
  }
}
