package dev.atrium.push;

import dev.atrium.api.Timestamps;
import dev.atrium.access.AccessState;
import dev.atrium.access.Caller;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.TokenCredentials;
import java.time.Duration;
import java.time.Instant;

/**
 * Who a socket speaks for, and until when: the first token (header or {@code auth} frame)
 * within the auth timeout, newer tokens of the same user in later {@code auth} frames, the
 * current token's expiry, and whether an access change still accepts it. Event-loop only.
 */
final class SocketAuth {
  /** What the socket does with the outcomes. */
  interface Listener {
    void authenticated(boolean first, JsonObject ack);

    void close(short code, String reason);
  }

  private final Vertx vertx;
  private final AuthenticationProvider auth;
  private final Listener listener;
  private String userId;
  /** Who authenticated the socket (a key's scopes apply to the dashboard too). */
  private Caller caller;
  private String sessionId;
  private long issuedAtMs;
  private long authTimer = -1;
  private long expiryTimer = -1;

  SocketAuth(Vertx vertx, AuthenticationProvider auth, Listener listener) {
    this.vertx = vertx;
    this.auth = auth;
    this.listener = listener;
  }

  String userId() {
    return userId;
  }

  Caller caller() {
    return caller;
  }

  /** Without a header token, the client has {@code timeout} to send an auth frame. */
  void expectFrame(Duration timeout) {
    authTimer = vertx.setTimer(timeout.toMillis(), id -> {
      authTimer = -1;
      if (userId == null) {
        listener.close(Frames.CLOSE_UNAUTHENTICATED, "authentication timeout");
      }
    });
  }

  void onFrame(JsonObject frame) {
    if (!(frame.getValue("token") instanceof String token) || token.isBlank()) {
      listener.close(Frames.CLOSE_UNAUTHENTICATED, "token required");
      return;
    }
    authenticate(token);
  }

  Future<User> authenticate(String token) {
    return auth.authenticate(new TokenCredentials(token))
        .onSuccess(this::accept)
        .onFailure(t -> {
          if (t instanceof Problem p && p.status() == 503) {
            listener.close(Frames.CLOSE_TOO_SLOW, "try again later"); // the store is busy: not the client's fault
          } else {
            listener.close(Frames.CLOSE_UNAUTHENTICATED, "authentication failed");
          }
        });
  }

  private void accept(User user) {
    JsonObject claims = user.principal();
    String sub = claims.getString("sub");
    if (userId != null && !userId.equals(sub)) {
      listener.close(Frames.CLOSE_UNAUTHENTICATED, "token of another user");
      return;
    }
    boolean first = userId == null;
    userId = sub;
    caller = Caller.of(user, null, null);
    sessionId = claims.getString("sid");
    issuedAtMs = claims.getLong("iat_ms", claims.getLong("iat", 0L) * 1000);
    long expiresAtMs = claims.getLong("exp", 0L) * 1000;
    cancelTimers();
    // The token's expiry ends the socket unless a newer auth frame arrived before it.
    expiryTimer = vertx.setTimer(Math.max(1, expiresAtMs - System.currentTimeMillis()), id -> {
      expiryTimer = -1;
      listener.close(Frames.CLOSE_UNAUTHENTICATED, "token expired");
    });
    listener.authenticated(first, Frames.ack("auth").put("user_id", userId)
        .put("expires_at", Timestamps.format(Instant.ofEpochMilli(expiresAtMs))));
  }

  /** Whether the user's current access state still accepts this socket's token. */
  boolean acceptedBy(AccessState state) {
    return state.accepts(issuedAtMs, sessionId);
  }

  void cancelTimers() {
    if (authTimer >= 0) {
      vertx.cancelTimer(authTimer);
      authTimer = -1;
    }
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
  }
}
