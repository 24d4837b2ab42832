package dev.atrium.api;

import dev.atrium.auth.AccessStates;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;

/**
 * The one generic permission check: an operation's {@code x-permission} in the contract names
 * what the caller must hold. Runs after authentication and before validation, so a caller who
 * may not use an operation learns nothing about its input rules. An API key's principal lists
 * its {@code scopes}: it may use a permission only if the scopes name it and the owner holds
 * it right now.
 */
public final class PermissionGuard {
  public static final String EXTENSION = "x-permission";
  /** Operations on the account's sign-in itself (sessions, password, API keys) refuse API keys. */
  public static final String SESSION_ONLY = "x-session-only";

  private PermissionGuard() {
  }

  /** A handler refusing API-key callers, or null when the operation accepts them. */
  public static Handler<RoutingContext> sessionOnly(Operation operation) {
    if (!operation.getOpenAPIModel().getBoolean(SESSION_ONLY, false)) {
      return null;
    }
    return ctx -> {
      if (ctx.user() != null && ctx.user().principal().containsKey("key_id")) {
        ProblemHandler.send(ctx, Problem.of(403, "session_required",
            "This operation needs a signed-in session, not an API key"));
      } else {
        ctx.next();
      }
    };
  }

  /** A handler for the operation, or null when it requires no permission. */
  public static Handler<RoutingContext> forOperation(Operation operation, AccessStates states) {
    String permission = operation.getOpenAPIModel().getString(EXTENSION);
    if (permission == null) {
      return null;
    }
    return ctx -> states.get(Caller.of(ctx).userId())
        .onSuccess(state -> {
          JsonArray scopes = ctx.user().principal().getJsonArray("scopes");
          if (state.isPresent() && state.get().has(permission) && (scopes == null || scopes.contains(permission))) {
            ctx.next();
          } else {
            ProblemHandler.send(ctx, Problem.of(403, "permission_denied",
                "This operation needs the permission '" + permission + "'"));
          }
        })
        .onFailure(ctx::fail);
  }
}
