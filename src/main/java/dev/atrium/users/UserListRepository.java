package dev.atrium.users;

import dev.atrium.access.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** SQL of the users list: a page and its count, exact where that is cheap, else a marked estimate. */
public final class UserListRepository {
  /** Matches counted exactly before the count becomes an estimate (filters other than flags). */
  static final int COUNT_CAP = 2000;

  private final Pool pool;

  public UserListRepository(Pool pool) {
    this.pool = pool;
  }

  /** A page of users and the number of matches: exact, or (when {@code exact} is false) an estimate. */
  public record Listed(long count, boolean exact, List<User> users) {
  }

  /**
   * A page and its count. No filter or flags only: the page plus the exact count kept in
   * user_counts (V9), in one statement. Other filters count exactly up to {@link #COUNT_CAP}
   * matches (or to the end of the page, if further); beyond, the count is the planner's
   * estimate (never less than the page proves), marked as such. An exact count(*) would read
   * every match on every page (the whole table without a filter).
   */
  public Future<Listed> list(UserQuery q, int limit, long offset) {
    if (q.flagsOnly()) {
      return listCounted(q, limit, offset);
    }
    return q.hasSearch() ? listGathered(q, limit, offset) : listEstimated(q, limit, offset);
  }

  private Future<Listed> listCounted(UserQuery q, int limit, long offset) {
    UserQuery.Where where = q.where();
    List<Object> params = new ArrayList<>(where.params());
    params.add(limit);
    params.add(offset);
    UserQuery.Where counts = q.countsWhere(params.size() + 1);
    params.addAll(counts.params());
    String count = "SELECT coalesce(sum(c.n), 0) FROM user_counts c" + counts.sql();
    String page = "SELECT " + User.COLUMNS + ", (" + count + ") AS total_count FROM users u" + where.sql()
        + q.orderBy() + " LIMIT $" + (where.params().size() + 1) + " OFFSET $" + (where.params().size() + 2);
    return pool.preparedQuery(page).execute(Tuple.from(params)).compose(rows -> {
      List<User> users = new ArrayList<>(rows.size());
      long total = -1;
      for (Row r : rows) {
        users.add(User.from(r));
        total = r.getLong("total_count");
      }
      if (total >= 0) {
        return Future.succeededFuture(new Listed(total, true, users));
      }
      // past the last page: no row carried the count
      UserQuery.Where alone = q.countsWhere(1);
      return pool.preparedQuery("SELECT coalesce(sum(c.n), 0) AS n FROM user_counts c" + alone.sql())
          .execute(Tuple.from(alone.params()))
          .map(rs -> new Listed(rs.iterator().next().getLong("n"), true, users));
    });
  }

  /**
   * A search gathers its matches through the trigram index without an order (up to the cap),
   * then counts them and sorts the page from them in the same statement; sorting a few
   * thousand rows is cheaper than walking an ordering index past every non-match.
   */
  private Future<Listed> listGathered(UserQuery q, int limit, long offset) {
    UserQuery.Where where = q.where();
    long reach = Math.max(offset + limit, COUNT_CAP) + 1;
    List<Object> params = new ArrayList<>(where.params());
    int n = params.size();
    params.add(reach);
    params.add(limit);
    params.add(offset);
    // "u" names the gathered rows, so the ORDER BY expressions apply unchanged.
    String sql = "WITH m AS MATERIALIZED (SELECT " + User.COLUMNS + " FROM users u" + where.sql()
        + " LIMIT $" + (n + 1) + ") SELECT u.*, (SELECT count(*) FROM m) AS total_count FROM m u" + q.orderBy()
        + " LIMIT $" + (n + 2) + " OFFSET $" + (n + 3);
    return pool.preparedQuery(sql).execute(Tuple.from(params)).compose(rows -> {
      List<User> users = new ArrayList<>(rows.size());
      long hits = -1;
      for (Row r : rows) {
        users.add(User.from(r));
        hits = r.getLong("total_count");
      }
      if (hits >= 0 && hits < reach) {
        return Future.succeededFuture(new Listed(hits, true, users));
      }
      // more matches than the cap (the gathered ones are not the first in order), or a page
      // past the gathered ones
      return listEstimated(q, limit, offset);
    });
  }

  /**
   * Other filters (a role, dates): the page read in order through the ordering's index (one
   * row more than the page, to know whether another follows) beside the planner's estimate of
   * the matches; when the estimate is within the cap the matches are counted exactly.
   */
  private Future<Listed> listEstimated(UserQuery q, int limit, long offset) {
    UserQuery.Where where = q.where();
    List<Object> params = new ArrayList<>(where.params());
    int n = params.size();
    params.add(limit + 1);
    params.add(offset);
    var page = pool.preparedQuery("SELECT " + User.COLUMNS + " FROM users u" + where.sql() + q.orderBy()
        + " LIMIT $" + (n + 1) + " OFFSET $" + (n + 2)).execute(Tuple.from(params));
    var estimate = estimate(where);
    return Future.all(page, estimate).compose(v -> {
      List<User> users = new ArrayList<>(limit);
      page.result().forEach(r -> users.add(User.from(r)));
      boolean more = users.size() > limit;
      if (more) {
        users.remove(users.size() - 1);
      }
      // at least what this page proves to exist, so next and previous stay right
      long seen = offset + users.size() + (more ? 1 : 0);
      long reach = Math.max(offset + limit, COUNT_CAP) + 1;
      if (estimate.result() > COUNT_CAP) {
        return Future.succeededFuture(new Listed(Math.max(estimate.result(), seen), false, users));
      }
      List<Object> countParams = new ArrayList<>(where.params());
      countParams.add(reach);
      return pool.preparedQuery("SELECT count(*) AS n FROM (SELECT 1 FROM users u" + where.sql() + " LIMIT $" + (n + 1)
              + ") m").execute(Tuple.from(countParams))
          .map(rs -> {
            long found = rs.iterator().next().getLong("n");
            return found < reach ? new Listed(found, true, users) : new Listed(Math.max(reach, seen), false, users);
          });
    });
  }

  /** The planner's estimate of the matches (statistics, no rows read). */
  private Future<Long> estimate(UserQuery.Where where) {
    return pool.preparedQuery("EXPLAIN (FORMAT JSON) SELECT 1 FROM users u" + where.sql())
        .execute(Tuple.from(where.params()))
        .map(rs -> {
          Object plan = rs.iterator().next().getValue(0);
          JsonArray json = plan instanceof JsonArray a ? a : new JsonArray(String.valueOf(plan));
          return json.getJsonObject(0).getJsonObject("Plan").getNumber("Plan Rows").longValue();
        });
  }
}
