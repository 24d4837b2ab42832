package dev.atrium.account;

import dev.atrium.access.AccessState;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.Optional;
import java.util.UUID;

/**
 * What the account flows need from sign-in and access, wired by {@link AccountModule}: the
 * password pool, voiding a user's credentials, the login throttle, and the cached access
 * state. Kept narrow so that the flows do not depend on how auth and access do it.
 */
public interface AuthPorts {
  Future<String> hashPassword(String password);

  Future<Boolean> verifyPassword(String password, String hash);

  /** In the caller's transaction: every session ends, every access token and API key issued until now dies. */
  Future<Void> voidCredentials(SqlClient tx, UUID userId);

  /** After that transaction committed: every node forgets the user's cached access at once. */
  Future<Void> credentialsVoided(String userId);

  /** Counts a sign-in attempt (a second-factor code is one) in the login throttle; fails 429 at the limit. */
  Future<Void> countLoginAttempt(String email, String ip);

  /** The user's account changed (email, flags): every node drops its cached view. */
  Future<Void> accountChanged(String userId);

  /** The user's current access (permissions, flags), for the delegation rules. */
  Future<Optional<AccessState>> accessState(String userId);
}
