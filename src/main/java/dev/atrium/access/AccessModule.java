package dev.atrium.access;

import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * Who is calling and what may it do, for every other domain: the access-state cache
 * ({@link #states()}), the announcement of access changes on every node ({@link #changes()}),
 * the two authenticators of the contract's security schemes and the permission guard. Serves
 * no operation of its own.
 */
public final class AccessModule implements Module {
  private final AccessRepository repository;
  private final AccessStates states;
  private final AccessChanges changes;
  private final AccessChangeBridge bridge;
  private final ApiKeyAuth apiKeyAuth;
  private final AccessTokenAuth bearerAuth;
  private final PermissionGuard guard = new PermissionGuard();

  /** {@code verifier} checks the signature and expiry of access tokens (auth's TokenService). */
  public AccessModule(Platform p, JWTAuth verifier) {
    this.repository = new AccessRepository(p.statements(), p.config().accessTtl());
    this.states = new AccessStates(repository);
    this.changes = new AccessChanges(p.vertx(), p.redisApi(), p.keys(), states, repository, p.nodeId());
    this.bridge = new AccessChangeBridge(p.subscriber(), changes, states);
    this.apiKeyAuth = new ApiKeyAuth(p.vertx(), repository, states);
    this.bearerAuth = new AccessTokenAuth(verifier, states, apiKeyAuth);
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of();
  }

  @Override
  public Future<Void> start() {
    return bridge.start().compose(v -> apiKeyAuth.start());
  }

  @Override
  public Future<Void> stop() {
    return apiKeyAuth.stop();
  }

  public AccessStates states() {
    return states;
  }

  public AccessChanges changes() {
    return changes;
  }

  /** Verifies bearer tokens (and API keys sent as bearer) for the contract's bearerAuth scheme. */
  public AuthenticationProvider bearerAuth() {
    return bearerAuth;
  }

  /** Verifies API keys for the contract's apiKeyAuth scheme (X-API-Key). */
  public ApiKeyAuth apiKeyAuth() {
    return apiKeyAuth;
  }

  public PermissionGuard guard() {
    return guard;
  }
}
