package dev.atrium.api;

import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;

/** The authenticated caller of a request: their user id and the session their token belongs to. */
public record Caller(String userId, String sessionId, long expiresAt) {
  public static Caller of(RoutingContext ctx) {
    User user = ctx.user();
    if (user == null) {
      throw Problem.of(401, "not_authenticated", "Authentication is required");
    }
    return new Caller(user.principal().getString("sub"), user.principal().getString("sid"),
        user.principal().getLong("exp", 0L));
  }
}
