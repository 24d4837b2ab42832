package dev.atrium.apikeys;

import dev.atrium.access.Caller;
import dev.atrium.api.Inputs;
import dev.atrium.api.PageRequest;
import dev.atrium.problem.Problem;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * GET/POST /api/auth/api-keys and DELETE /api/auth/api-keys/{id}. These need a signed-in
 * session: a key cannot mint or revoke keys, or it could outlive its own revocation.
 */
public final class ApiKeyHandlers {
  private final ApiKeyService keys;

  public ApiKeyHandlers(ApiKeyService keys) {
    this.keys = keys;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "listApiKeys", this::list,
        "createApiKey", this::create,
        "revokeApiKey", this::revoke);
  }

  private void list(RoutingContext ctx) {
    keys.list(Caller.of(ctx))
        .onSuccess(list -> Inputs.json(ctx, 200, PageRequest.unpaged(list, ApiKey::toJson)))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    OffsetDateTime expires;
    try {
      expires = b.getString("expires_at") == null ? null : OffsetDateTime.parse(b.getString("expires_at"));
    } catch (DateTimeParseException e) {
      throw Problem.field("validation_failed", "/expires_at", "must be an ISO 8601 time with offset");
    }
    List<String> permissions = new ArrayList<>();
    b.getJsonArray("permissions", new JsonArray()).forEach(p -> permissions.add(String.valueOf(p)));
    keys.create(Caller.of(ctx), b.getString("name"), permissions, expires, b.getString("password"))
        .onSuccess(created -> {
          JsonObject body = created.key().toJson().put("key", created.secret());
          ctx.response().putHeader("Location", "/api/auth/api-keys/" + created.key().id())
              .putHeader("Cache-Control", "no-store");
          Inputs.json(ctx, 201, body);
        })
        .onFailure(ctx::fail);
  }

  private void revoke(RoutingContext ctx) {
    keys.revoke(Caller.of(ctx), UUID.fromString(Inputs.path(ctx, "id")))
        .onSuccess(v -> Inputs.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
