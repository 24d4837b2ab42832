package dev.atrium.users;

import com.github.benmanes.caffeine.cache.Cache;
import dev.atrium.access.User;
import dev.atrium.platform.Caches;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL of the users list: a page and its count, exact where that is cheap, else a marked estimate. */
public final class UserListRepository {
  /** Matches counted exactly before the count becomes an estimate (filters other than flags). */
  static final int COUNT_CAP = 500;
  static final Duration ESTIMATE_TTL = Duration.ofSeconds(10);
  /** Most users' worth of reading in order a search may expect before the trigram index is used instead. */
  static final long WALK_ROWS = 5_000;
  /** A piece's holder read in order costs about this many users read in order (SearchRead.PIECES). */
  static final int HOLDER_COST = 10;
  /** Every user: its estimate is the table's size. */
  private static final UserQuery.Where ALL_USERS = new UserQuery.Where(" FROM users u WHERE true", List.of());

  /** User.COLUMNS without the password hash, which a list never shows (the same positions). */
  private static final String COLUMNS = User.COLUMNS.replace("u.password_hash", "NULL::text AS password_hash");

  private final SqlClient statements;
  private final SearchPieces pieces;
  private final Cache<UserQuery.Where, Long> estimates = Caches.builder().maximumSize(1_000)
      .expireAfterWrite(ESTIMATE_TTL).build();

  public UserListRepository(SqlClient statements) {
    this.statements = statements;
    this.pieces = new SearchPieces(statements);
  }

  /** A page of users and the number of matches: exact, or (when {@code exact} is false) an estimate. */
  public record Listed(long count, boolean exact, List<User> users) {
  }

  /**
   * A page and its count. No filter or flags only: the page plus the exact count kept in
   * user_counts (V9), in one statement. Other filters (a search, a role, dates): see
   * {@link #listFiltered}. An exact count(*) would read every match on every page (the whole
   * table without a filter).
   */
  public Future<Listed> list(UserQuery q, int limit, long offset) {
    return q.flagsOnly() ? listCounted(q, limit, offset) : listFiltered(q, limit, offset);
  }

  private Future<Listed> listCounted(UserQuery q, int limit, long offset) {
    UserQuery.Where where = q.where();
    List<Object> params = new ArrayList<>(where.params());
    String window = window(params, limit, offset);
    // sum(bigint) is numeric; as bigint each row's copy of the count decodes without a BigDecimal
    String count = "SELECT coalesce(sum(c.n), 0)::bigint FROM user_counts c" + q.countsWhere();
    String page = "SELECT " + COLUMNS + ", (" + count + ") AS total_count" + where.sql()
        + q.orderBy() + window;
    return statements.preparedQuery(page).execute(Tuple.from(params)).compose(rows -> {
      List<User> users = new ArrayList<>(rows.size());
      long total = -1;
      for (Row r : rows) {
        users.add(User.fromLeading(r));
        total = r.getLong(User.WIDTH);
      }
      if (total >= 0) {
        return Future.succeededFuture(new Listed(total, true, users));
      }
      // past the last page: no row carried the count
      return statements.preparedQuery(count).execute(Tuple.tuple())
          .map(rs -> new Listed(rs.iterator().next().getLong(0), true, users));
    });
  }

  /**
   * LIMIT and OFFSET, added to {@code params} unless this is the first page. The first page is
   * most of the traffic; with a parameter as LIMIT, PostgreSQL's generic plan assumes 10 % of
   * the rows are wanted, so every execution is planned anew (for the unfiltered page more than
   * half of its cost). The first page's LIMIT is written into the statement instead (a number
   * PageRequest parsed, 1-101, not client text), so PostgreSQL may keep its plan; later pages
   * keep parameters, so paging deep does not fill the statement cache.
   */
  private static String window(List<Object> params, int limit, long offset) {
    if (offset == 0) {
      return " LIMIT " + limit;
    }
    params.add(limit);
    params.add(offset);
    return " LIMIT $" + (params.size() - 1) + " OFFSET $" + params.size();
  }

  /**
   * A search, role or date filter: the page read in order, one row more than the page to know
   * whether another follows (the planner reads in order until the page is full, or gathers the
   * matches through the trigram index when it expects few). The count: exact when this page
   * reaches the last match; else the planner's estimate when it expects more than
   * {@link #COUNT_CAP} matches (marked as such); else the matches counted, up to the cap.
   * Counting every match would read them all on every page: about 0.4 ms of PostgreSQL time per
   * 1,000 matches of a search.
   */
  private Future<Listed> listFiltered(UserQuery q, int limit, long offset) {
    // the LIKE form is also what the estimates and the count read
    UserQuery.Where where = q.where();
    return read(q, where, offset + limit + 1).compose(read -> {
      UserQuery.Where page = read.way() == SearchRead.Way.GATHER ? where : q.where(read);
      List<Object> params = new ArrayList<>(page.params());
      String sql = "SELECT " + COLUMNS + page.sql() + q.orderBy(read) + window(params, limit + 1, offset);
      return readFiltered(where, sql, params, limit, offset);
    });
  }

  /**
   * How a search's page is read ({@link SearchRead}), from the planner's estimates: reading in
   * order reaches {@code reach} matches after about {@code reach} × users ÷ matches users, or
   * {@code reach} × holders ÷ matches holders of the term's rarest piece, never more than all
   * of them (a rare term whose rarest piece is rare too reads its few holders). A user read in
   * order costs about 0.2 µs, a piece's holder about ten times that (a probe of users for each);
   * the cheaper one is chosen when it stays within {@link #WALK_ROWS} users' worth. Otherwise the
   * matches are gathered through the trigram index (about 1.5 µs a match, planned each time):
   * walking to a rare term's page would read the whole table.
   */
  private Future<SearchRead> read(UserQuery q, UserQuery.Where where, long reach) {
    if (!q.walkable()) {
      return Future.succeededFuture(SearchRead.GATHER);
    }
    return estimate(where).compose(matches -> estimate(ALL_USERS)
        .compose(users -> pieces.rarest(q.term()).map(rarest -> choose(matches, users, rarest, reach))));
  }

  /** The choice of {@link #read}, from the estimates alone. */
  static SearchRead choose(long matches, long users, Optional<SearchPieces.Piece> rarest, long reach) {
    double walked = readTo(reach, users, matches);
    // every match holds the piece, whatever the estimates say
    double byPiece = rarest.map(p -> HOLDER_COST * Math.min(readTo(reach, Math.max(p.holders(), matches), matches),
            p.holders()))
        .orElse(Double.MAX_VALUE);
    if (Math.min(walked, byPiece) > WALK_ROWS) {
      return SearchRead.GATHER;
    }
    return byPiece < walked ? SearchRead.pieces(rarest.get().gram()) : SearchRead.WALK;
  }

  /**
   * Rows read in order from {@code rows} that hold {@code matches} until {@code reach} of them are
   * found: the read stops at the page's last match, or at the end of the rows.
   */
  private static double readTo(long reach, double rows, double matches) {
    return matches > 0 ? Math.min(reach * rows / matches, rows) : rows;
  }

  /** Reads the page ({@code sql}); {@code where}, the LIKE form, gives its count when the page does not. */
  private Future<Listed> readFiltered(UserQuery.Where where, String sql, List<Object> params, int limit, long offset) {
    return statements.preparedQuery(sql).execute(Tuple.from(params)).compose(rows -> {
      List<User> users = new ArrayList<>(rows.size());
      for (Row r : rows) {
        users.add(User.fromLeading(r));
      }
      boolean more = users.size() > limit;
      if (more) {
        users.remove(users.size() - 1);
      }
      if (!more && (!users.isEmpty() || offset == 0)) {
        return Future.succeededFuture(new Listed(offset + users.size(), true, users));
      }
      // at least what this page proves to exist, so next and previous stay right
      long seen = offset + users.size() + (more ? 1 : 0);
      return estimate(where).compose(expected -> {
        if (expected > COUNT_CAP) {
          return Future.succeededFuture(new Listed(Math.max(expected, seen), false, users));
        }
        return countUpTo(where, Math.max(offset + limit, COUNT_CAP) + 1)
            .map(found -> found.exact() ? new Listed(found.n(), true, users)
                : new Listed(Math.max(found.n(), seen), false, users));
      });
    });
  }

  private record Counted(long n, boolean exact) {
  }

  /** The matches, counted up to {@code reach} (exact when fewer). */
  private Future<Counted> countUpTo(UserQuery.Where where, long reach) {
    List<Object> params = new ArrayList<>(where.params());
    params.add(reach);
    return statements.preparedQuery("SELECT count(*) AS n FROM (SELECT 1" + where.sql() + " LIMIT $"
            + params.size() + ") m").execute(Tuple.from(params))
        .map(rs -> {
          long found = rs.iterator().next().getLong("n");
          return new Counted(found, found < reach);
        });
  }

  /**
   * The planner's estimate of the matches (statistics, no rows read). Planning a role filter
   * costs about as much as reading its page, and the estimate only moves when ANALYZE runs, so
   * it is kept for {@link #ESTIMATE_TTL} per filter (bounded); it only ever decides whether to
   * count and what an estimated count says.
   */
  private Future<Long> estimate(UserQuery.Where where) {
    Long known = estimates.getIfPresent(where);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return statements.preparedQuery("EXPLAIN (FORMAT JSON) SELECT 1" + where.sql())
        .execute(Tuple.from(where.params()))
        .map(rs -> {
          Object plan = rs.iterator().next().getValue(0);
          JsonArray json = plan instanceof JsonArray a ? a : new JsonArray(String.valueOf(plan));
          long rows = json.getJsonObject(0).getJsonObject("Plan").getNumber("Plan Rows").longValue();
          estimates.put(where, rows);
          return rows;
        });
  }
}
