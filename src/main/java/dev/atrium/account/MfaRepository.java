package dev.atrium.account;

import dev.atrium.secrets.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL on user_totp, mfa_recovery_codes and users.mfa_enabled; secrets pass through {@link SecretBox}. */
final class MfaRepository {
  static final int SEAL_BATCH = 500;
  private final Pool pool;
  private final SecretBox box;

  MfaRepository(Pool pool, SecretBox box) {
    this.pool = pool;
    this.box = box;
  }

  record TotpRow(byte[] secret, boolean confirmed, long lastStep) {
  }

  /** Starts (or restarts) an enrolment; false when TOTP is already on (a confirmed secret is never replaced). */
  Future<Boolean> startEnrolment(UUID userId, byte[] secret) {
    SecretBox.Stored stored = box.seal(sealedAs(userId), secret);
    return pool.preparedQuery("""
            INSERT INTO user_totp (user_id, secret, secret_key_id) VALUES ($1, $2, $3)
            ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, secret_key_id = EXCLUDED.secret_key_id,
              last_step = 0, created_at = now()
            WHERE user_totp.confirmed_at IS NULL RETURNING user_id""")
        .execute(Tuple.of(userId, Buffer.buffer(stored.bytes()), stored.keyId()))
        .map(rows -> rows.size() == 1);
  }

  Future<Optional<TotpRow>> lock(SqlClient tx, UUID userId) {
    return tx.preparedQuery("SELECT secret, secret_key_id, confirmed_at IS NOT NULL AS confirmed, last_step"
            + " FROM user_totp WHERE user_id = $1 FOR UPDATE")
        .execute(Tuple.of(userId))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          byte[] secret = box.open(sealedAs(userId), new SecretBox.Stored(r.getBuffer("secret").getBytes(),
              r.getString("secret_key_id")));
          return Optional.of(new TotpRow(secret, r.getBoolean("confirmed"), r.getLong("last_step")));
        });
  }

  /** How many secrets are sealed with a data key the box cannot open (with any, when it has none). */
  Future<Long> sealedWithOtherKey() {
    return pool.preparedQuery("SELECT count(*) AS n FROM user_totp WHERE secret_key_id IS NOT NULL"
            + " AND secret_key_id <> ALL($1)")
        .execute(Tuple.of(box.openingKeyIds().toArray(String[]::new)))
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  /**
   * Seals again, under the current data key, up to {@link #SEAL_BATCH} secrets stored in clear
   * (before ATRIUM_DATA_KEY was set) or under a fallback key (a rotation), in the caller's
   * transaction; rows another node is sealing at the same time are skipped (they stay locked
   * until {@code tx} ends). Answers how many it sealed: none when no key is set.
   */
  Future<Long> resealBatch(SqlConnection tx) {
    if (box.keyId().isEmpty()) {
      return Future.succeededFuture(0L);
    }
    return tx.preparedQuery("SELECT user_id, secret, secret_key_id FROM user_totp"
            + " WHERE secret_key_id IS DISTINCT FROM $1 LIMIT " + SEAL_BATCH + " FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(box.keyId().get()))
        .compose(rows -> {
          List<Tuple> sealed = new ArrayList<>();
          for (Row r : rows) {
            UUID id = r.getUUID("user_id");
            byte[] secret = box.open(sealedAs(id), new SecretBox.Stored(r.getBuffer("secret").getBytes(),
                r.getString("secret_key_id")));
            SecretBox.Stored s = box.seal(sealedAs(id), secret);
            sealed.add(Tuple.of(id, Buffer.buffer(s.bytes()), s.keyId()));
          }
          return sealed.isEmpty() ? Future.succeededFuture(0L)
              : tx.preparedQuery("UPDATE user_totp SET secret = $2, secret_key_id = $3 WHERE user_id = $1")
                  .executeBatch(sealed).map((long) sealed.size());
        });
  }

  /** Remembers the step of an accepted code, so that the same code is refused from now on. */
  Future<Void> useStep(SqlClient tx, UUID userId, long step) {
    return tx.preparedQuery("UPDATE user_totp SET last_step = $2 WHERE user_id = $1")
        .execute(Tuple.of(userId, step)).mapEmpty();
  }

  /** Turns TOTP on with a fresh set of recovery codes (older ones are dropped). */
  Future<Void> enable(SqlClient tx, UUID userId, long step, List<byte[]> recoveryHashes) {
    List<Tuple> codes = new ArrayList<>();
    recoveryHashes.forEach(h -> codes.add(Tuple.of(userId, Buffer.buffer(h))));
    return tx.preparedQuery("UPDATE user_totp SET confirmed_at = now(), last_step = $2 WHERE user_id = $1")
        .execute(Tuple.of(userId, step))
        .compose(r -> tx.preparedQuery("UPDATE users SET mfa_enabled = true, updated_at = now() WHERE id = $1")
            .execute(Tuple.of(userId)))
        .compose(r -> tx.preparedQuery("DELETE FROM mfa_recovery_codes WHERE user_id = $1").execute(Tuple.of(userId)))
        .compose(r -> tx.preparedQuery("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .executeBatch(codes))
        .mapEmpty();
  }

  /** Spends one recovery code; false when it is unknown or already used. */
  Future<Boolean> useRecoveryCode(SqlClient tx, UUID userId, byte[] hash) {
    return tx.preparedQuery("UPDATE mfa_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2"
            + " AND used_at IS NULL")
        .execute(Tuple.of(userId, Buffer.buffer(hash)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Turns TOTP off: secret and recovery codes are deleted. Returns whether it was on. */
  Future<Boolean> disable(SqlClient tx, UUID userId) {
    return tx.preparedQuery("DELETE FROM user_totp WHERE user_id = $1").execute(Tuple.of(userId))
        .compose(r -> tx.preparedQuery("DELETE FROM mfa_recovery_codes WHERE user_id = $1").execute(Tuple.of(userId)))
        .compose(r -> tx.preparedQuery("UPDATE users SET mfa_enabled = false, updated_at = now() WHERE id = $1"
            + " AND mfa_enabled RETURNING id").execute(Tuple.of(userId)))
        .map(rows -> rows.size() == 1);
  }

  /** What a user's TOTP secret is sealed as: bound to the user, so it opens for no other. */
  private static String sealedAs(UUID userId) {
    return "user_totp:" + userId;
  }
}
