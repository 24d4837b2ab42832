package dev.atrium.account;

import dev.atrium.auth.Emails;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** SQL of the account flows: the account fields they read and change, and account_codes. */
final class AccountRepository {
  private static final String ACCOUNT = "SELECT u.id, u.email, u.password_hash, u.is_active, u.is_verified,"
      + " u.is_superuser, u.mfa_enabled, p.preferences ->> 'language' AS language"
      + " FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id";

  private final Pool pool;

  AccountRepository(Pool pool) {
    this.pool = pool;
  }

  /** The account fields these flows need; {@code language} is the profile's preferences.language. */
  record Account(UUID id, String email, String passwordHash, boolean active, boolean verified, boolean superuser,
                 boolean mfaEnabled, String language) {
    static Account from(Row r) {
      return new Account(r.getUUID("id"), r.getString("email"), r.getString("password_hash"),
          r.getBoolean("is_active"), r.getBoolean("is_verified"), r.getBoolean("is_superuser"),
          r.getBoolean("mfa_enabled"), r.getString("language"));
    }
  }

  /** A live code, locked for the rest of the transaction. */
  record StoredCode(byte[] hash, String newEmail, int attempts) {
  }

  Future<Optional<Account>> byId(UUID id) {
    return pool.preparedQuery(ACCOUNT + " WHERE u.id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Account.from(rows.iterator().next())));
  }

  Future<Optional<Account>> byEmail(String email) {
    return pool.preparedQuery(ACCOUNT + " WHERE lower(u.email) = lower($1)").execute(Tuple.of(Emails.normalise(email)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Account.from(rows.iterator().next())));
  }

  Future<Boolean> emailInUse(String email) {
    return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1)) AS e")
        .execute(Tuple.of(email)).map(rows -> rows.iterator().next().getBoolean("e"));
  }

  /** Stores a new code, replacing (and so voiding) the user's previous one for that purpose. */
  Future<Void> issueCode(SqlClient tx, UUID userId, CodePurpose purpose, byte[] hash, String newEmail, Duration ttl) {
    return tx.preparedQuery("""
            INSERT INTO account_codes (user_id, purpose, code_hash, new_email, attempts, expires_at)
            VALUES ($1, $2, $3, $4, 0, now() + make_interval(secs => $5))
            ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = EXCLUDED.code_hash,
              new_email = EXCLUDED.new_email, attempts = 0, expires_at = EXCLUDED.expires_at, created_at = now()""")
        .execute(Tuple.of(userId, purpose.column, Buffer.buffer(hash), newEmail, (double) ttl.toSeconds()))
        .mapEmpty();
  }

  /** The user's live code for the purpose (not expired, attempts left), locked; empty otherwise. */
  Future<Optional<StoredCode>> lockCode(SqlClient tx, UUID userId, CodePurpose purpose, int maxAttempts) {
    return tx.preparedQuery("SELECT code_hash, new_email, attempts FROM account_codes WHERE user_id = $1"
            + " AND purpose = $2 AND expires_at > now() AND attempts < $3 FOR UPDATE")
        .execute(Tuple.of(userId, purpose.column, maxAttempts))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          return Optional.of(new StoredCode(r.getBuffer("code_hash").getBytes(), r.getString("new_email"),
              r.getInteger("attempts")));
        });
  }

  Future<Void> countWrongCode(SqlClient tx, UUID userId, CodePurpose purpose) {
    return tx.preparedQuery("UPDATE account_codes SET attempts = attempts + 1 WHERE user_id = $1 AND purpose = $2")
        .execute(Tuple.of(userId, purpose.column)).mapEmpty();
  }

  Future<Void> consumeCode(SqlClient tx, UUID userId, CodePurpose purpose) {
    return tx.preparedQuery("DELETE FROM account_codes WHERE user_id = $1 AND purpose = $2")
        .execute(Tuple.of(userId, purpose.column)).mapEmpty();
  }

  Future<Void> markVerified(SqlClient tx, UUID userId) {
    return tx.preparedQuery("UPDATE users SET is_verified = true, updated_at = now() WHERE id = $1")
        .execute(Tuple.of(userId)).mapEmpty();
  }

  Future<Void> setPassword(SqlClient tx, UUID userId, String hash) {
    // a mailbox that received the reset code is proven, so the address counts as verified too
    return tx.preparedQuery("UPDATE users SET password_hash = $2, is_verified = true, updated_at = now() WHERE id = $1")
        .execute(Tuple.of(userId, hash)).mapEmpty();
  }

  /** Fails with the unique violation on users_email_key when another account took the address meanwhile. */
  Future<Void> setEmail(SqlClient tx, UUID userId, String email) {
    return tx.preparedQuery("UPDATE users SET email = $2, is_verified = true, updated_at = now() WHERE id = $1")
        .execute(Tuple.of(userId, email)).mapEmpty();
  }
}
