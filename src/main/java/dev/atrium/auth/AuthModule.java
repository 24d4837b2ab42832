package dev.atrium.auth;

import dev.atrium.access.AccessModule;
import dev.atrium.audit.SecurityEvents;
import dev.atrium.keys.TokenKeys;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and sign-in: registration, login, tokens, sessions, the caller's own account, and
 * the bounded password pool ({@link #passwords()}) that users administration also hashes with.
 */
public final class AuthModule implements Module {
  private static final Logger LOG = LoggerFactory.getLogger(AuthModule.class);

  private final Platform platform;
  private final SessionRepository sessions;
  private final PasswordHasher passwords;
  private final AuthService auth;
  private final LoginThrottle throttle;
  private final AuthHandlers handlers;

  public AuthModule(Platform p, TokenKeys keys, TokenService tokens, AccessModule access, SecurityEvents security) {
    this.platform = p;
    UserRepository users = new UserRepository(p.pool());
    this.sessions = new SessionRepository(p.pool(), p.config().access());
    this.passwords = new PasswordHasher(p.vertx(), p.config().hashWorkers(), p.config().hashQueue(), p.registry());
    this.throttle = new LoginThrottle(p.redisApi(), p.keys(), p.config().loginMaxFailures(),
        p.config().access().loginMaxFailuresPerAccount(), p.config().loginMaxFailuresPerIp(), p.config().loginWindow());
    this.auth = new AuthService(p.vertx(), p.pool(), users, sessions, passwords, tokens, throttle, access.changes(),
        security, p.config().refreshTtl());
    this.handlers = new AuthHandlers(auth, new AccountService(p.pool(), access.states(), access.changes()), keys,
        p.config().refreshTtl());
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  @Override
  public Future<Void> start() {
    return platform.vertx().deployVerticle(new AuthVerticle(sessions, platform.config().accessTtl()))
        .compose(id -> seedAdmin());
  }

  @Override
  public Future<Void> stop() {
    return passwords.close().otherwiseEmpty();
  }

  public PasswordHasher passwords() {
    return passwords;
  }

  public SessionRepository sessions() {
    return sessions;
  }

  /** Account rules (registration, login, sessions): the account lifecycle plugs its login checks in here. */
  public AuthService service() {
    return auth;
  }

  public LoginThrottle loginThrottle() {
    return throttle;
  }

  private Future<Void> seedAdmin() {
    String email = platform.config().adminEmail().orElse("admin@atrium.local");
    Optional<String> configured = platform.config().adminPassword();
    return auth.seedAdmin(email, configured.orElse(null))
        .onSuccess(generated -> generated.ifPresent(pw -> LOG.warn(
            "Created the first admin {} with generated password {} (shown once; change it)", email, pw)))
        .mapEmpty();
  }
}
