package dev.atrium.api;

import dev.atrium.problem.Problem;
import dev.atrium.api.validation.ValidatedRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;

/** Reads a request's validated input (see {@link ContractValidation}) and writes JSON answers. */
public final class Inputs {
  private Inputs() {
  }

  public static ValidatedRequest of(RoutingContext ctx) {
    return ctx.get(ContractValidation.VALIDATED);
  }

  /** The JSON object body, or an empty object when there was none. */
  public static JsonObject body(RoutingContext ctx) {
    ValidatedRequest vr = of(ctx);
    return vr != null && vr.body() instanceof JsonObject o ? o : new JsonObject();
  }

  public static String path(RoutingContext ctx, String name) {
    ValidatedRequest.Value v = of(ctx).path().get(name);
    return v == null ? null : v.text();
  }

  /** A path parameter the contract declares as an integer. */
  public static long pathLong(RoutingContext ctx, String name) {
    return (Long) of(ctx).path().get(name).typed();
  }

  public static String query(RoutingContext ctx, String name) {
    ValidatedRequest.Value v = of(ctx).query().get(name);
    return v == null ? null : v.text();
  }

  /**
   * A time from the query, or null when absent. The contract declares such parameters
   * {@code format: date-time}, so the validator has parsed them already; the parse here is for a
   * parameter declared without it, and names the parameter when it fails.
   */
  public static OffsetDateTime queryTime(RoutingContext ctx, String name) {
    ValidatedRequest.Value v = of(ctx).query().get(name);
    if (v == null || v.typed() instanceof OffsetDateTime) {
      return v == null ? null : (OffsetDateTime) v.typed();
    }
    try {
      return OffsetDateTime.parse(v.text());
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
