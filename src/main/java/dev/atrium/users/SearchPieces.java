package dev.atrium.users;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The three-character pieces of a search term, and how many users hold each one: the rows of
 * user_search_grams (V23) under that piece, as the planner's statistics put it. A term's
 * rarest piece decides whether its page is read from that table (UserListRepository).
 */
final class SearchPieces {
  /** How long the statistics are kept: they only move when ANALYZE runs. */
  static final Duration STATS_TTL = UserListRepository.ESTIMATE_TTL;

  private final SqlClient statements;
  private volatile Held held;

  SearchPieces(SqlClient statements) {
    this.statements = statements;
  }

  /** A piece of a term and the users expected to hold it. */
  record Piece(String gram, double holders) {
  }

  /**
   * The term's pieces as user_search_grams() cuts a text: every run of three characters (code
   * points, as PostgreSQL counts them in UTF-8) without a space. Each one is in the table for
   * every user whose text contains the term.
   */
  static Set<String> of(String term) {
    int[] cps = term.codePoints().toArray();
    Set<String> pieces = new LinkedHashSet<>();
    for (int i = 0; i + 3 <= cps.length; i++) {
      if (cps[i] != ' ' && cps[i + 1] != ' ' && cps[i + 2] != ' ') {
        pieces.add(new String(cps, i, 3));
      }
    }
    return pieces;
  }

  /** The term's piece the fewest users hold; empty for a term without pieces, or before any statistics. */
  Future<Optional<Piece>> rarest(String term) {
    Set<String> pieces = of(term);
    if (pieces.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return stats().map(stats -> {
      Piece best = null;
      for (String gram : pieces) {
        double holders = stats.holders(gram);
        if (holders >= 0 && (best == null || holders < best.holders())) {
          best = new Piece(gram, holders);
        }
      }
      return Optional.ofNullable(best);
    });
  }

  /**
   * The most common pieces with their share of the rows, and what the planner assumes of every
   * other piece: the rows left over, spread evenly over the other distinct pieces (as
   * PostgreSQL's own estimate of an equality does), never more than the least common listed one.
   */
  record Stats(Map<String, Double> common, double otherShare, double rows) {
    /** Users expected to hold {@code gram}; -1 when there are no statistics yet. */
    double holders(String gram) {
      if (rows <= 0) {
        return -1;
      }
      Double share = common.get(gram);
      return (share != null ? share : otherShare) * rows;
    }
  }

  private record Held(Stats stats, long loadedAt) {
  }

  /**
   * The statistics, kept for {@link #STATS_TTL}. Callers that find them stale each read them
   * again (one small row every few seconds) rather than share one read across event loops.
   */
  private Future<Stats> stats() {
    Held h = held;
    if (h != null && System.nanoTime() - h.loadedAt() < STATS_TTL.toNanos()) {
      return Future.succeededFuture(h.stats());
    }
    long at = System.nanoTime();
    return statements.preparedQuery("""
            SELECT c.reltuples, s.most_common_vals::text::text[] AS vals, s.most_common_freqs AS freqs,
                   s.n_distinct, s.null_frac
              FROM pg_class c
              LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = c.relname
                                  AND s.attname = 'gram'
             WHERE c.oid = to_regclass('user_search_grams')""")
        .execute(Tuple.tuple())
        .map(rs -> {
          Stats stats = rs.size() == 0 ? new Stats(Map.of(), 0, 0) : read(rs.iterator().next());
          held = new Held(stats, at);
          return stats;
        });
  }

  private static Stats read(Row r) {
    Float rows = r.getFloat("reltuples");
    Float distinct = r.getFloat("n_distinct");
    if (rows == null || rows <= 0 || distinct == null) {
      // never analyzed, or empty: no estimate, so no piece is chosen
      return new Stats(Map.of(), 0, 0);
    }
    String[] vals = r.getArrayOfStrings("vals");
    Float[] freqs = r.getArrayOfFloats("freqs");
    Map<String, Double> common = new HashMap<>();
    double listed = 0;
    double least = 1;
    for (int i = 0; vals != null && freqs != null && i < vals.length; i++) {
      common.put(vals[i], freqs[i].doubleValue());
      listed += freqs[i];
      least = Math.min(least, freqs[i]);
    }
    double distinctPieces = distinct < 0 ? -distinct * rows : distinct;
    double others = Math.max(1, distinctPieces - common.size());
    double otherShare = Math.min(least, Math.max(0, 1 - listed - r.getFloat("null_frac")) / others);
    return new Stats(common, otherShare, rows);
  }
}
