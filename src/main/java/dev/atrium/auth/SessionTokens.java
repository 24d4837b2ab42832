package dev.atrium.auth;

import dev.atrium.access.AccessChanges;
import dev.atrium.access.Caller;
import dev.atrium.access.User;
import dev.atrium.audit.SecurityEvents;
import dev.atrium.events.Addresses;
import dev.atrium.events.UserLogin;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Token pairs of sessions: the session a sign-in starts (pushing the user's least recently used
 * ones out beyond the bound), and refresh-token rotation, with the same successor handed again
 * to a retry within the reuse grace ({@link SessionRepository#rotate}).
 */
final class SessionTokens {
  private final Vertx vertx;
  private final Pool pool;
  private final SessionRepository sessions;
  private final TokenService tokens;
  private final AccessChanges accessChanges;
  private final Duration refreshTtl;

  SessionTokens(Vertx vertx, Pool pool, SessionRepository sessions, TokenService tokens, AccessChanges accessChanges,
                Duration refreshTtl) {
    this.vertx = vertx;
    this.pool = pool;
    this.sessions = sessions;
    this.tokens = tokens;
    this.accessChanges = accessChanges;
    this.refreshTtl = refreshTtl;
  }

  /** Starts a session for a user who has just signed in, and announces the sign-in. */
  Future<AuthService.Tokens> start(User user, Caller client) {
    String refresh = tokens.newRefreshToken();
    return sessions.create(user.id(), TokenService.digest(refresh), refreshTtl, client.ip(), client.userAgent())
        .compose(started -> evicted(user, started, client))
        .map(session -> {
          TokenService.AccessToken access = tokens.issueAccess(user.id().toString(), session.id().toString());
          vertx.eventBus().publish(Addresses.USER_LOGIN, new UserLogin(user.id().toString(), session.id().toString(),
              client.ip(), client.userAgent(), Instant.now()).toJson());
          return new AuthService.Tokens(user, access.token(), access.expiresIn(), refresh, session);
        });
  }

  /** The session; when it pushed the user's least recently used ones out, the other nodes hear of it first. */
  private Future<Session> evicted(User user, SessionRepository.Started started, Caller client) {
    if (started.evicted() == 0) {
      return Future.succeededFuture(started.session());
    }
    SecurityEvents.log("sessions_evicted", user.id().toString(), client.ip(), Map.of("count", started.evicted()));
    return accessChanges.sessionRevoked(user.id().toString()).map(started.session());
  }

  /** Trades a refresh token for a new pair, or hands a retry within the grace its successor again. */
  Future<AuthService.Tokens> refresh(String presented, Caller client) {
    String next = tokens.newRefreshToken();
    return pool.withTransaction(tx -> sessions.rotate(tx, TokenService.digest(presented), TokenService.digest(next),
            SuccessorSeal.seal(presented, next), refreshTtl, client.ip(), client.userAgent()))
        .compose(rotation -> {
          if (rotation instanceof SessionRepository.Rotation.Rotated rotated) {
            return Future.succeededFuture(pair(rotated.session(), next));
          }
          if (rotation instanceof SessionRepository.Rotation.Replayed replayed) {
            return replayed(presented, replayed, client);
          }
          if (rotation instanceof SessionRepository.Rotation.Reused reused) {
            // The session was revoked in the rotation's transaction; this only tells the other nodes.
            SecurityEvents.log("refresh_reused", reused.userId().toString(), client.ip(),
                Map.of("session_id", reused.sessionId().toString()));
            return accessChanges.sessionRevoked(reused.userId().toString())
                .transform(ar -> Future.failedFuture(Problem.of(401, "token_reused",
                    "This refresh token was already used; its session has been revoked")));
          }
          return Future.failedFuture(invalidRefresh());
        });
  }

  /** A retry within the reuse grace: the successor already handed out, with a new access token. */
  private Future<AuthService.Tokens> replayed(String presented, SessionRepository.Rotation.Replayed replayed,
                                             Caller client) {
    Session s = replayed.session();
    return SuccessorSeal.open(presented, replayed.sealedSuccessor())
        .map(successor -> {
          SecurityEvents.log("refresh_replayed", s.userId().toString(), client.ip(),
              Map.of("session_id", s.id().toString()));
          return Future.succeededFuture(pair(s, successor));
        })
        .orElseGet(() -> Future.failedFuture(invalidRefresh()));
  }

  private AuthService.Tokens pair(Session s, String refresh) {
    TokenService.AccessToken access = tokens.issueAccess(s.userId().toString(), s.id().toString());
    return new AuthService.Tokens(null, access.token(), access.expiresIn(), refresh, s);
  }

  private static Problem invalidRefresh() {
    return Problem.of(401, "token_invalid", "Refresh token is invalid or expired");
  }
}
