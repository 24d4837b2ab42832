package dev.atrium.access;

import dev.atrium.problem.Problem;
import dev.atrium.api.ProblemHandler;
import dev.atrium.api.RouteGuards;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;
import java.util.ArrayList;
import java.util.List;

/**
 * The one generic permission check: an operation's {@code x-permission} in the contract names
 * what the caller must hold. Runs after authentication and before validation, so a caller who
 * may not use an operation learns nothing about its input rules. The decision is
 * {@link Caller#may}: a key may use a permission only if its scopes name it and its owner holds
 * it right now. Operations on the account's sign-in itself carry {@code x-session-only} and
 * refuse API keys.
 */
public final class PermissionGuard implements RouteGuards {
  public static final String EXTENSION = "x-permission";
  public static final String SESSION_ONLY = "x-session-only";

  @Override
  public List<Handler<RoutingContext>> forOperation(Operation operation) {
    List<Handler<RoutingContext>> handlers = new ArrayList<>();
    if (operation.getOpenAPIModel().getBoolean(SESSION_ONLY, false)) {
      handlers.add(PermissionGuard::sessionOnly);
    }
    String permission = operation.getOpenAPIModel().getString(EXTENSION);
    if (permission != null) {
      handlers.add(ctx -> {
        if (Caller.of(ctx).may(permission)) {
          ctx.next();
        } else {
          ProblemHandler.send(ctx, Problem.of(403, "permission_denied",
              "This operation needs the permission '" + permission + "'"));
        }
      });
    }
    return handlers;
  }

  private static void sessionOnly(RoutingContext ctx) {
    if (ctx.user() != null && Caller.of(ctx).viaKey()) {
      ProblemHandler.send(ctx, Problem.of(403, "session_required",
          "This operation needs a signed-in session, not an API key"));
    } else {
      ctx.next();
    }
  }
}
