package dev.atrium.keys;

import dev.atrium.secrets.SecretBox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * SQL on {@code signing_keys}, on the connection or transaction {@link SigningKeys} chose. Key
 * material passes through {@link SecretBox}: sealed on the way in when ATRIUM_DATA_KEY is set,
 * opened on the way out; callers only ever see keys in clear.
 */
final class KeyRepository {
  /** Serialises key creation across nodes (any constant; "atrium.signing_keys" hashed by hand). */
  private static final long LOCK = 0x61747269756d4bL;

  private KeyRepository() {
  }

  /** One key, its material in clear. */
  record StoredKey(String kid, String material, OffsetDateTime activatesAt) {
  }

  /** What the periodic refresh reads: the keys left, newest first, and whether the next one is due. */
  record Current(List<StoredKey> keys, boolean due) {
  }

  private static final String PRUNE = """
      DELETE FROM signing_keys k WHERE purpose = $1 AND EXISTS (
        SELECT 1 FROM signing_keys n WHERE n.purpose = k.purpose AND n.activates_at > k.activates_at
        AND n.activates_at < now() - make_interval(secs => $2))""";
  private static final String SELECT = "SELECT kid, material, sealed_with, activates_at,"
      + " created_at > now() - make_interval(secs => $2) AS recent"
      + " FROM signing_keys WHERE purpose = $1 ORDER BY activates_at DESC";

  /**
   * Deletes keys whose successor has been active for longer than {@code keep} and returns the
   * keys left; {@code due} when none is younger than {@code rotation} (or there is none). Cheap:
   * no key is made here, so the caller generates one only when it is due.
   */
  static Future<Current> current(SqlClient db, SecretBox box, String purpose, Duration rotation, Duration keep) {
    return db.preparedQuery(PRUNE).execute(Tuple.of(purpose, seconds(keep)))
        .compose(v -> db.preparedQuery(SELECT).execute(Tuple.of(purpose, seconds(rotation))))
        .map(rows -> current(box, purpose, rows));
  }

  private static Current current(SecretBox box, String purpose, io.vertx.sqlclient.RowSet<Row> rows) {
    List<StoredKey> out = new ArrayList<>();
    boolean recent = false;
    for (Row r : rows) {
      String kid = r.getString("kid");
      String material = r.getString("material");
      String clear = opened(box, purpose, kid, material, r.getString("sealed_with"));
      out.add(new StoredKey(kid, clear, r.getOffsetDateTime("activates_at")));
      recent |= r.getBoolean("recent");
    }
    return new Current(out, !recent);
  }

  /** What a key is sealed as: bound to its purpose and id, so it opens in no other row. */
  private static String sealedAs(String purpose, String kid) {
    return "signing_key:" + purpose + ":" + kid;
  }

  /** The material in clear: as stored, or opened (base64 of the sealed bytes) with the key that sealed it. */
  private static String opened(SecretBox box, String purpose, String kid, String material, String sealedWith) {
    return sealedWith == null ? material : new String(box.open(sealedAs(purpose, kid),
        new SecretBox.Stored(Base64.getDecoder().decode(material), sealedWith)), StandardCharsets.UTF_8);
  }

  /** The material as stored: sealed (base64) with a data key, else as it is. */
  private static SealedMaterial seal(SecretBox box, String purpose, String kid, String material) {
    SecretBox.Stored s = box.seal(sealedAs(purpose, kid), material.getBytes(StandardCharsets.UTF_8));
    return s.keyId() == null ? new SealedMaterial(material, null)
        : new SealedMaterial(Base64.getEncoder().encodeToString(s.bytes()), s.keyId());
  }

  private record SealedMaterial(String material, String sealedWith) {
  }

  /** Keys sealed with a data key that {@code box} cannot open (with any, when it has none). */
  static Future<Long> sealedWithOtherKey(SqlClient db, SecretBox box) {
    return db.preparedQuery("SELECT count(*) AS n FROM signing_keys WHERE sealed_with IS NOT NULL"
            + " AND sealed_with <> ALL($1)").execute(Tuple.of(box.openingKeyIds().toArray(String[]::new)))
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  /**
   * Seals again, under the current data key, the keys stored in clear (before ATRIUM_DATA_KEY was
   * set) or under a fallback key (a rotation); answers how many. Rows are locked, so two nodes
   * starting together seal each key once. A handful of rows: one statement.
   */
  static Future<Long> reseal(SqlConnection tx, SecretBox box) {
    if (box.keyId().isEmpty()) {
      return Future.succeededFuture(0L);
    }
    return tx.preparedQuery("SELECT kid, purpose, material, sealed_with FROM signing_keys"
            + " WHERE sealed_with IS DISTINCT FROM $1 FOR UPDATE").execute(Tuple.of(box.keyId().get()))
        .compose(rows -> {
          List<Tuple> updates = new ArrayList<>();
          for (Row r : rows) {
            String purpose = r.getString("purpose");
            String kid = r.getString("kid");
            String clear = opened(box, purpose, kid, r.getString("material"), r.getString("sealed_with"));
            SealedMaterial m = seal(box, purpose, kid, clear);
            updates.add(Tuple.of(kid, m.material(), m.sealedWith()));
          }
          return updates.isEmpty() ? Future.succeededFuture(0L)
              : tx.preparedQuery("UPDATE signing_keys SET material = $2, sealed_with = $3 WHERE kid = $1")
                  .executeBatch(updates).map((long) updates.size());
        });
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
  static Future<Void> insertUnlessRecent(SqlConnection tx, SecretBox box, String purpose, StoredKey fresh,
                                         Duration rotation, Duration delay) {
    SealedMaterial stored = seal(box, purpose, fresh.kid(), fresh.material());
    return tx.preparedQuery("""
            INSERT INTO signing_keys (kid, purpose, material, sealed_with, activates_at)
            SELECT $1, $2, $3, $6, CASE WHEN EXISTS (SELECT 1 FROM signing_keys WHERE purpose = $2)
                                    THEN now() + make_interval(secs => $5) ELSE now() END
            WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE purpose = $2
                              AND created_at > now() - make_interval(secs => $4))""")
        .execute(Tuple.of(fresh.kid(), purpose, stored.material(), seconds(rotation), seconds(delay),
            stored.sealedWith()))
        .mapEmpty();
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
