package dev.atrium.audit;

import dev.atrium.access.AccessModule;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The audit log: its route, and {@link #changes()}, the one way other domains make an audited
 * change ({@link AuditedChange}) and record security events ({@link SecurityEvents}).
 */
public final class AuditModule implements Module {
  private final AuditHandlers handlers;
  private final SecurityEvents security;
  private final AuditedChange changes;

  public AuditModule(Platform p, AccessModule access) {
    AuditLog log = new AuditLog(p.pool());
    this.handlers = new AuditHandlers(log);
    this.security = new SecurityEvents(log);
    this.changes = new AuditedChange(p.vertx(), p.pool(), log, security, access.changes());
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  public AuditedChange changes() {
    return changes;
  }

  public SecurityEvents security() {
    return security;
  }
}
