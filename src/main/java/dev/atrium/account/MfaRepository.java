package dev.atrium.account;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL on user_totp, mfa_recovery_codes and users.mfa_enabled. */
final class MfaRepository {
  private final Pool pool;

  MfaRepository(Pool pool) {
    this.pool = pool;
  }

  record TotpRow(byte[] secret, boolean confirmed, long lastStep) {
  }

  /** Starts (or restarts) an enrolment; false when TOTP is already on (a confirmed secret is never replaced). */
  Future<Boolean> startEnrolment(UUID userId, byte[] secret) {
    return pool.preparedQuery("""
            INSERT INTO user_totp (user_id, secret) VALUES ($1, $2)
            ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = 0, created_at = now()
            WHERE user_totp.confirmed_at IS NULL RETURNING user_id""")
        .execute(Tuple.of(userId, Buffer.buffer(secret)))
        .map(rows -> rows.size() == 1);
  }

  Future<Optional<TotpRow>> lock(SqlClient tx, UUID userId) {
    return tx.preparedQuery("SELECT secret, confirmed_at IS NOT NULL AS confirmed, last_step FROM user_totp"
            + " WHERE user_id = $1 FOR UPDATE")
        .execute(Tuple.of(userId))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          return Optional.of(new TotpRow(r.getBuffer("secret").getBytes(), r.getBoolean("confirmed"),
              r.getLong("last_step")));
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
}
