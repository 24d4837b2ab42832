package dev.atrium.analytics;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
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
 * One run is one transaction, opened here; {@link PartitionRepository} holds the SQL.
 */
public final class ActivityPartitions {
  static final Pattern NAME = Pattern.compile("activities_y(\\d{4})m(\\d{2})");
  static final int MONTHS_AHEAD = 2;

  private final Pool pool;

  public ActivityPartitions(Pool pool) {
    this.pool = pool;
  }

  /** What one run changed. */
  public record Result(List<String> created, List<String> dropped, long prunedEventIds) {
  }

  public Future<Result> maintain(Instant now, int retentionDays) {
    Instant horizon = now.minusSeconds(retentionDays * 86_400L);
    return pool.withTransaction(tx -> PartitionRepository.lock(tx)
        .compose(v -> PartitionRepository.partitions(tx))
        .compose(names -> {
          Plan plan = plan(months(names), now, horizon);
          Future<Void> ddl = Future.succeededFuture();
          for (YearMonth m : plan.create()) {
            ddl = ddl.compose(x -> PartitionRepository.create(tx, m));
          }
          for (YearMonth m : plan.drop()) {
            ddl = ddl.compose(x -> PartitionRepository.drop(tx, m));
          }
          return ddl.compose(x -> PartitionRepository.pruneEventIds(tx, horizon))
              .map(pruned -> new Result(plan.create().stream().map(ActivityPartitions::name).toList(),
                  plan.drop().stream().map(ActivityPartitions::name).toList(), pruned));
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

  /** The months of the monthly partitions among {@code names} (others are not this job's). */
  private static TreeSet<YearMonth> months(List<String> names) {
    TreeSet<YearMonth> months = new TreeSet<>();
    for (String name : names) {
      Matcher m = NAME.matcher(name);
      if (m.matches()) {
        months.add(YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
      }
    }
    return months;
  }

  static String name(YearMonth m) {
    return String.format("activities_y%04dm%02d", m.getYear(), m.getMonthValue());
  }
}
