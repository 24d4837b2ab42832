package dev.atrium.keys;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** SQL on {@code signing_keys}. */
final class KeyRepository {
  /** Serialises key creation across nodes (any constant; "atrium.signing_keys" hashed by hand). */
  private static final long LOCK = 0x61747269756d4bL;

  private final Pool pool;

  KeyRepository(Pool pool) {
    this.pool = pool;
  }

  /** One stored key. */
  record StoredKey(String kid, String material, OffsetDateTime activatesAt) {
  }

  /**
   * Under the advisory lock: creates {@code fresh} when the newest key of the purpose is older
   * than {@code rotation} (active at once when it is the first, else after {@code delay}),
   * deletes keys whose successor has been active for longer than {@code keep}, and returns the
   * keys left, newest first.
   */
  Future<List<StoredKey>> rotate(String purpose, StoredKey fresh, Duration rotation, Duration delay, Duration keep) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(LOCK))
        .compose(v -> conn.preparedQuery("""
                INSERT INTO signing_keys (kid, purpose, material, activates_at)
                SELECT $1, $2, $3, CASE WHEN EXISTS (SELECT 1 FROM signing_keys WHERE purpose = $2)
                                        THEN now() + make_interval(secs => $5) ELSE now() END
                WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE purpose = $2
                                  AND created_at > now() - make_interval(secs => $4))""")
            .execute(Tuple.of(fresh.kid(), purpose, fresh.material(), seconds(rotation), seconds(delay))))
        .compose(v -> conn.preparedQuery("""
                DELETE FROM signing_keys k WHERE purpose = $1 AND EXISTS (
                  SELECT 1 FROM signing_keys n WHERE n.purpose = k.purpose AND n.activates_at > k.activates_at
                  AND n.activates_at < now() - make_interval(secs => $2))""")
            .execute(Tuple.of(purpose, seconds(keep))))
        .compose(v -> conn.preparedQuery(
                "SELECT kid, material, activates_at FROM signing_keys WHERE purpose = $1 ORDER BY activates_at DESC")
            .execute(Tuple.of(purpose)))
        .map(rows -> {
          List<StoredKey> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new StoredKey(r.getString("kid"), r.getString("material"), r.getOffsetDateTime("activates_at")));
          }
          return out;
        }));
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
