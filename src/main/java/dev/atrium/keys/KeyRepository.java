package dev.atrium.keys;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** SQL on {@code signing_keys}, on the connection or transaction {@link SigningKeys} chose. */
final class KeyRepository {
  /** Serialises key creation across nodes (any constant; "atrium.signing_keys" hashed by hand). */
  private static final long LOCK = 0x61747269756d4bL;

  private KeyRepository() {
  }

  /** One stored key. */
  record StoredKey(String kid, String material, OffsetDateTime activatesAt) {
  }

  /** What the periodic refresh reads: the keys left, newest first, and whether the next one is due. */
  record Current(List<StoredKey> keys, boolean due) {
  }

  private static final String PRUNE = """
      DELETE FROM signing_keys k WHERE purpose = $1 AND EXISTS (
        SELECT 1 FROM signing_keys n WHERE n.purpose = k.purpose AND n.activates_at > k.activates_at
        AND n.activates_at < now() - make_interval(secs => $2))""";
  private static final String SELECT = "SELECT kid, material, activates_at,"
      + " created_at > now() - make_interval(secs => $2) AS recent"
      + " FROM signing_keys WHERE purpose = $1 ORDER BY activates_at DESC";

  /**
   * Deletes keys whose successor has been active for longer than {@code keep} and returns the
   * keys left; {@code due} when none is younger than {@code rotation} (or there is none). Cheap:
   * no key is made here, so the caller generates one only when it is due.
   */
  static Future<Current> current(SqlClient db, String purpose, Duration rotation, Duration keep) {
    return db.preparedQuery(PRUNE).execute(Tuple.of(purpose, seconds(keep)))
        .compose(v -> db.preparedQuery(SELECT).execute(Tuple.of(purpose, seconds(rotation))))
        .map(KeyRepository::current);
  }

  private static Current current(io.vertx.sqlclient.RowSet<Row> rows) {
    List<StoredKey> out = new ArrayList<>();
    boolean recent = false;
    for (Row r : rows) {
      out.add(new StoredKey(r.getString("kid"), r.getString("material"), r.getOffsetDateTime("activates_at")));
      recent |= r.getBoolean("recent");
    }
    return new Current(out, !recent);
  }

  /** Takes the key-creation lock, held until {@code tx}'s transaction ends. */
  static Future<Void> lock(SqlConnection tx) {
    return tx.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(LOCK)).mapEmpty();
  }

  /**
   * Creates {@code fresh} unless another node made a key younger than {@code rotation} meanwhile
   * (active at once when it is the first, else after {@code delay}). Call it under {@link #lock},
   * so two nodes never both find no recent key.
   */
  static Future<Void> insertUnlessRecent(SqlConnection tx, String purpose, StoredKey fresh, Duration rotation,
                                         Duration delay) {
    return tx.preparedQuery("""
            INSERT INTO signing_keys (kid, purpose, material, activates_at)
            SELECT $1, $2, $3, CASE WHEN EXISTS (SELECT 1 FROM signing_keys WHERE purpose = $2)
                                    THEN now() + make_interval(secs => $5) ELSE now() END
            WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE purpose = $2
                              AND created_at > now() - make_interval(secs => $4))""")
        .execute(Tuple.of(fresh.kid(), purpose, fresh.material(), seconds(rotation), seconds(delay)))
        .mapEmpty();
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
