package dev.atrium.users;

import dev.atrium.problem.Problem;
import dev.atrium.auth.PasswordHasher;
import dev.atrium.auth.PasswordHashing;
import dev.atrium.auth.PasswordPolicy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The password an admin sets on an account: a plain {@code password} (checked by the one
 * password policy, then hashed on the bounded pool) or an existing {@code password_hash}
 * (Django PBKDF2 or Argon2id, kept as is), or none (an unusable password).
 */
public final class PasswordInput {
  /** Stored for accounts without a usable password: no hash format matches it, so login always fails. */
  public static final String UNUSABLE_PASSWORD = "!unusable";

  private final PasswordHasher hasher;
  private final SecureRandom random = new SecureRandom();

  public PasswordInput(PasswordHasher hasher) {
    this.hasher = hasher;
  }

  /** The hash to store, or null when the body sets no password and {@code creating} is false. */
  public Future<String> hashFor(JsonObject b, String email, String username, boolean creating) {
    String plain = b.getString("password");
    String hash = b.getString("password_hash");
    if (plain != null && hash != null) {
      return Future.failedFuture(Problem.field("validation_failed", "/password_hash",
          "Give either password or password_hash, not both"));
    }
    if (hash != null) {
      if (!PasswordHashing.isSupportedHash(hash)) {
        return Future.failedFuture(Problem.field("validation_failed", "/password_hash",
            "must be a Django pbkdf2_sha256$... or an Argon2id PHC string"));
      }
      String tooCostly = PasswordHashing.tooCostly(hash);
      if (tooCostly != null) {
        return Future.failedFuture(Problem.field("hash_too_costly", "/password_hash", "The hash " + tooCostly));
      }
      return Future.succeededFuture(hash);
    }
    if (plain == null) {
      return Future.succeededFuture(creating ? unusable() : null);
    }
    PasswordPolicy.require(plain, "/password", email, username);
    return hasher.hash(plain);
  }

  public Future<String> hash(String plain) {
    return hasher.hash(plain);
  }

  private String unusable() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return UNUSABLE_PASSWORD + HexFormat.of().formatHex(b);
  }

  /** How the password was given, for the audit entry (never the value). */
  static String kind(JsonObject b) {
    if (b.getString("password_hash") != null) {
      return b.getString("password_hash").startsWith("pbkdf2_sha256$") ? "django_pbkdf2" : "argon2id";
    }
    return b.getString("password") != null ? "set" : "none";
  }
}
