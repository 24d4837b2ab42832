package dev.atrium.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/** Reads a request's validated input. */
public final class Inputs {
  private Inputs() {
  }

  public static ValidatedRequest of(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  public static JsonObject body(RoutingContext ctx) {
    ValidatedRequest vr = of(ctx);
    RequestParameter body = vr == null ? null : vr.getBody();
    if (body == null || body.isNull() || !body.isJsonObject()) {
      return new JsonObject();
    }
    return body.getJsonObject();
  }

  public static String path(RoutingContext ctx, String name) {
    RequestParameter p = of(ctx).getPathParameters().get(name);
    return p == null ? null : p.getString();
  }

  public static String query(RoutingContext ctx, String name) {
    RequestParameter p = of(ctx).getQuery().get(name);
    return p == null || p.isNull() ? null : String.valueOf(p.get());
  }

  /** An ISO 8601 time with offset from the query, or null; a bad one is a 400 naming the parameter. */
  public static java.time.OffsetDateTime queryTime(RoutingContext ctx, String name) {
    String v = query(ctx, name);
    if (v == null) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw Problem.field("validation_failed", name, "must be an ISO 8601 time with offset, such as 2026-01-31T12:00:00Z");
    }
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }

  public static void noContent(RoutingContext ctx) {
    ctx.response().setStatusCode(204).end();
  }
}
