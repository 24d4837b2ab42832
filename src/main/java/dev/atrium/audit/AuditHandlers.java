package dev.atrium.audit;

import dev.atrium.api.Inputs;
import dev.atrium.api.PageRequest;
import io.vertx.core.Handler;
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
    PageRequest pages = PageRequest.of(ctx);
    String actor = Inputs.query(ctx, "actor_id");
    AuditLog.Filter filter = new AuditLog.Filter(actor == null ? null : UUID.fromString(actor),
        Inputs.query(ctx, "action"), Inputs.query(ctx, "target_type"), Inputs.query(ctx, "target_id"),
        Inputs.queryTime(ctx, "from"), Inputs.queryTime(ctx, "to"));
    log.list(filter, pages.size(), pages.offset())
        .onSuccess(page -> pages.end(ctx, page, AuditEntry::toJson))
        .onFailure(ctx::fail);
  }
}
