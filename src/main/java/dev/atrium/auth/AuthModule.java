package dev.atrium.auth;

import dev.atrium.apikeys.ApiKeyAuth;
import dev.atrium.apikeys.ApiKeyRepository;
import dev.atrium.keys.TokenKeys;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import dev.atrium.rbac.AccessRepository;
import dev.atrium.users.AccountService;
import dev.atrium.users.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and tokens. Also owns what other domains need to act on access: {@link #accessStates()}
 * (who may do what, cached), {@link #accessChanges()} (void tokens, announce grant changes on
 * every node) and {@link #passwords()} (the bounded hashing pool).
 */
public final class AuthModule implements Module {
  private static final Logger LOG = LoggerFactory.getLogger(AuthModule.class);

  private final Platform platform;
  private final SessionRepository sessions;
  private final AccessStates accessStates;
  private final AccessChanges accessChanges;
  private final AccessChangeBridge bridge;
  private final PasswordClient passwords;
  private final TokenService tokens;
  private final AuthService auth;
  private final AuthHandlers handlers;
  private final AccessTokenAuth bearerAuth;
  private final ApiKeyAuth apiKeyAuth;

  public AuthModule(Platform p, TokenKeys keys) {
    this.platform = p;
    UserRepository users = new UserRepository(p.pool());
    this.sessions = new SessionRepository(p.pool());
    this.accessStates = new AccessStates(p.redisApi(), p.keys(), new AccessRepository(p.pool()));
    this.accessChanges = new AccessChanges(p.vertx(), p.redisApi(), p.keys(), accessStates, p.nodeId(),
        p.config().accessTtl());
    this.bridge = new AccessChangeBridge(p.vertx(), p.redis(), accessChanges, accessStates);
    this.passwords = new PasswordClient(p.vertx());
    this.tokens = new TokenService(keys, p.config().accessTtl());
    LoginThrottle throttle = new LoginThrottle(p.redisApi(), p.keys(), p.config().loginMaxFailures(),
        p.config().loginMaxFailuresPerIp(), p.config().loginWindow());
    this.auth = new AuthService(p.vertx(), users, sessions, passwords, tokens, throttle, accessChanges,
        p.config().refreshTtl());
    this.handlers = new AuthHandlers(auth, new AccountService(users, accessStates, accessChanges), keys, p.config().refreshTtl());
    this.apiKeyAuth = new ApiKeyAuth(p.vertx(), new ApiKeyRepository(p.pool()), accessStates);
    this.bearerAuth = new AccessTokenAuth(tokens.verifier(), accessStates, apiKeyAuth);
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  @Override
  public Future<Void> start() {
    bridge.start();
    return platform.vertx().deployVerticle(new AuthVerticle(platform.config(), sessions, platform.registry()))
        .compose(id -> seedAdmin());
  }

  @Override
  public Future<Void> stop() {
    return bridge.stop().otherwiseEmpty();
  }

  /** Verifies bearer tokens for the contract's bearerAuth scheme. */
  public JWTAuth bearerAuth() {
    return bearerAuth;
  }

  /** Verifies API keys for the contract's apiKeyAuth scheme (X-API-Key). */
  public ApiKeyAuth apiKeyAuth() {
    return apiKeyAuth;
  }

  public AccessStates accessStates() {
    return accessStates;
  }

  public AccessChanges accessChanges() {
    return accessChanges;
  }

  public PasswordClient passwords() {
    return passwords;
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
