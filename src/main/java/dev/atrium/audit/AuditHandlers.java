package dev.atrium.audit;

import dev.atrium.api.Inputs;
import dev.atrium.api.Pages;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;

/** GET /api/audit-log: newest first, filtered, paged. */
public final class AuditHandlers {
  private final AuditLog log;

  public AuditHandlers(AuditLog log) {
    this.log = log;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of("listAuditLog", this::list);
  }

  private void list(RoutingContext ctx) {
    Pages pages = Pages.of(ctx);
    String actor = Inputs.query(ctx, "actor_id");
    AuditLog.Filter filter = new AuditLog.Filter(actor == null ? null : UUID.fromString(actor),
        Inputs.query(ctx, "action"), Inputs.query(ctx, "target_type"), Inputs.query(ctx, "target_id"),
        Inputs.queryTime(ctx, "from"), Inputs.queryTime(ctx, "to"));
    log.list(filter, pages.size(), pages.offset())
        .onSuccess(page -> {
          JsonArray results = new JsonArray();
          page.entries().forEach(e -> results.add(e.toJson()));
          Inputs.json(ctx, 200, pages.body(ctx, page.count(), results));
        })
        .onFailure(ctx::fail);
  }
}
