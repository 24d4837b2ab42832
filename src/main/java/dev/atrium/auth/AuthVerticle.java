package dev.atrium.auth;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Housekeeping of sign-ins: once a minute, drops sessions whose refresh tokens can no longer be
 * used, and the sealed successors of tokens spent longer ago than the reuse grace.
 */
public final class AuthVerticle extends VerticleBase {
  private final SessionRepository sessions;
  private final java.time.Duration accessTtl;
  private long housekeepingTimer;

  public AuthVerticle(SessionRepository sessions, java.time.Duration accessTtl) {
    this.sessions = sessions;
    this.accessTtl = accessTtl;
  }

  @Override
  public Future<?> start() {
    housekeepingTimer = vertx.setPeriodic(60_000, id -> sessions.deleteExpired(accessTtl)
        .compose(v -> sessions.forgetSealedSuccessors()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(housekeepingTimer);
    return Future.succeededFuture();
  }
}
