package dev.atrium.access;

import dev.atrium.problem.Problem;
import dev.atrium.api.RequestLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: a signed-in user (a session's access token) or an API key acting for its
 * owner, what it may do right now, and where the request came from. The one place that
 * answers a permission question: {@link #may(String)} applies a key's scopes as well as the
 * owner's current grants, and a key never carries superuser powers.
 *
 * @param userId    the user (the key's owner for a key); null for an anonymous caller
 * @param sessionId the session of an access token; null for a key or an anonymous caller
 * @param keyId     the API key; null for a session
 * @param scopes    what a key may use; null for a session (no narrowing)
 * @param expiresAt the credential's expiry, epoch seconds (0: none)
 * @param state     the user's access state when it authenticated; null for an anonymous caller
 */
public record Caller(String userId, String sessionId, String keyId, Set<String> scopes, long expiresAt,
                     AccessState state, String ip, String userAgent) {
  /** Where the authenticators leave the access state they checked, in the vertx-auth user's attributes. */
  static final String STATE = "atrium.access";

  /** The authenticated caller of the request; 401 when the request carries no credential. */
  public static Caller of(RoutingContext ctx) {
    User user = ctx.user();
    if (user == null) {
      throw Problem.of(401, "not_authenticated", "Authentication is required");
    }
    return of(user, ctx.get(RequestLog.CLIENT_IP), ctx.get(RequestLog.USER_AGENT));
  }

  /** Whoever calls an operation that needs no credential (login, registration): only the network's view. */
  public static Caller anonymous(RoutingContext ctx) {
    return new Caller(null, null, null, null, 0, null, ctx.get(RequestLog.CLIENT_IP), ctx.get(RequestLog.USER_AGENT));
  }

  /** The caller behind a credential checked outside HTTP routing (a WebSocket's auth frame). */
  public static Caller of(User user, String ip, String userAgent) {
    JsonObject p = user.principal();
    JsonArray scopes = p.getJsonArray("scopes");
    Set<String> scopeSet = null;
    if (scopes != null) {
      scopeSet = new HashSet<>();
      for (Object s : scopes) {
        scopeSet.add(String.valueOf(s));
      }
    }
    Object state = user.attributes().getValue(STATE);
    return new Caller(p.getString("sub"), p.getString("sid"), p.getString("key_id"), scopeSet,
        p.getLong("exp", 0L), state instanceof AccessState s ? s : null, ip, userAgent);
  }

  /** The same caller judged against a newer access state (after its grants changed). */
  public Caller withState(AccessState newer) {
    return new Caller(userId, sessionId, keyId, scopes, expiresAt, newer, ip, userAgent);
  }

  public UUID id() {
    return UUID.fromString(userId);
  }

  public boolean viaKey() {
    return keyId != null;
  }

  /** May this caller use the permission: the owner holds it now, and a key's scopes name it. */
  public boolean may(String permission) {
    return state != null && state.active() && state.has(permission) && (scopes == null || scopes.contains(permission));
  }

  /** Superuser powers belong to a signed-in superuser, never to a key. */
  public boolean superuser() {
    return state != null && state.active() && state.superuser() && keyId == null;
  }

  /** Everything this caller may use: the owner's permissions, narrowed by a key's scopes. */
  public Set<String> usable() {
    if (state == null) {
      return Set.of();
    }
    Set<String> out = new HashSet<>(state.permissions());
    if (scopes != null) {
      out.retainAll(scopes);
    }
    return out;
  }
}
