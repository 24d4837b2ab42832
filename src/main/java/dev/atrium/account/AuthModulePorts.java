package dev.atrium.account;

import dev.atrium.access.AccessModule;
import dev.atrium.access.AccessRepository;
import dev.atrium.access.AccessState;
import dev.atrium.auth.AuthModule;
import dev.atrium.auth.Emails;
import dev.atrium.auth.SessionRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.util.Optional;
import java.util.UUID;

/** {@link AuthPorts} over the auth and access modules, with the mechanisms logout-all uses. */
public final class AuthModulePorts implements AuthPorts {
  private final AuthModule auth;
  private final AccessModule access;

  public AuthModulePorts(AuthModule auth, AccessModule access) {
    this.auth = auth;
    this.access = access;
  }

  @Override
  public Future<String> hashPassword(String password) {
    return auth.passwords().hash(password);
  }

  @Override
  public Future<Boolean> verifyPassword(String password, String hash) {
    return auth.passwords().verify(password == null ? "" : password, hash).map(c -> c.valid());
  }

  @Override
  public Future<Void> voidCredentials(SqlClient tx, UUID userId) {
    return SessionRepository.revokeAll(tx, userId, null)
        .compose(n -> AccessRepository.voidCredentials(tx, userId, System.currentTimeMillis()));
  }

  @Override
  public Future<Void> credentialsVoided(String userId) {
    return access.changes().tokensVoided(userId);
  }

  @Override
  public Future<Void> countLoginAttempt(String email, String ip) {
    return auth.loginThrottle().attempt(Emails.normalise(email), ip);
  }

  @Override
  public Future<Void> accountChanged(String userId) {
    return access.changes().permissionsChanged(userId);
  }

  @Override
  public Future<Optional<AccessState>> accessState(String userId) {
    return access.states().get(userId);
  }
}
