package dev.atrium.analytics;

import dev.atrium.access.Caller;
import dev.atrium.api.Inputs;
import dev.atrium.problem.Problem;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;

/** Binds the contract's {@code analytics} operations: parse, call, shape. */
public final class AnalyticsHandlers {
  private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final ActivityService service;
  private final ActivityExport export;
  private final Clock clock;

  AnalyticsHandlers(ActivityService service, ActivityExport export, Clock clock) {
    this.service = service;
    this.export = export;
    this.clock = clock;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "trackActivity", this::track,
        "getUserStats", this::userStats,
        "getRealTimeDashboard", this::dashboard,
        "exportActivities", this::export);
  }

  /** The body has been checked against TrackActivityRequest by the contract validator. */
  private void track(RoutingContext ctx) {
    JsonObject body = Inputs.body(ctx);
    service.track(body, Caller.of(ctx))
        .onSuccess(t -> ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
            .end(accepted(t)))
        .onFailure(ctx::fail);
  }

  /**
   * The 202 body. Written by hand because it is the hottest response of the service and holds
   * only numbers and UUIDs, which need no escaping; a test parses it as JSON.
   */
  static String accepted(ActivityService.Tracked t) {
    StringBuilder b = new StringBuilder(80 + 39 * t.ids().size())
        .append("{\"status\":\"accepted\",\"accepted\":").append(t.ids().size())
        .append(",\"stored\":").append(t.stored())
        .append(",\"duplicates\":").append(t.ids().size() - t.stored())
        .append(",\"ids\":[");
    for (int i = 0; i < t.ids().size(); i++) {
      b.append(i == 0 ? "\"" : ",\"").append(t.ids().get(i)).append('"');
    }
    return b.append("]}").toString();
  }

  private void userStats(RoutingContext ctx) {
    String days = Inputs.query(ctx, "days");
    service.userStats(Caller.of(ctx), UUID.fromString(Inputs.path(ctx, "user_id")),
            days == null ? 30 : Integer.parseInt(days))
        .onSuccess(stats -> Inputs.json(ctx, 200, stats))
        .onFailure(ctx::fail);
  }

  private void dashboard(RoutingContext ctx) {
    service.dashboardJson()
        .onSuccess(json -> ctx.response().putHeader("Cache-Control", "no-store")
            .putHeader("Content-Type", "application/json").end(json))
        .onFailure(t -> ctx.fail(t instanceof Problem ? t
            : Problem.retryLater(503, "dependency_unavailable", "Live counters unavailable", 1)));
  }

  private void export(RoutingContext ctx) {
    String format = Inputs.query(ctx, "format") == null ? "csv" : Inputs.query(ctx, "format");
    ActivityRepository.ExportFilter filter = new ActivityRepository.ExportFilter(
        time(ctx, "from"), time(ctx, "to"), Inputs.query(ctx, "user_id") == null ? null
        : UUID.fromString(Inputs.query(ctx, "user_id")));
    if (filter.from() != null && filter.to() != null && !filter.from().isBefore(filter.to())) {
      throw Problem.field("invalid_range", "to", "to must be after from");
    }
    boolean xlsx = "xlsx".equals(format);
    HttpServerResponse resp = ctx.response();
    String name = "activities-" + FILE_STAMP.format(clock.instant().atOffset(ZoneOffset.UTC)) + (xlsx ? ".xlsx" : ".csv");
    export.write(resp, filter, xlsx, name)
        .onFailure(t -> {
          if (!resp.headWritten() && !resp.closed()) {
            ctx.fail(t);
          }
        });
  }

  private static Instant time(RoutingContext ctx, String name) {
    OffsetDateTime t = Inputs.queryTime(ctx, name);
    return t == null ? null : t.toInstant();
  }

}
