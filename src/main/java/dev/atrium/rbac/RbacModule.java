package dev.atrium.rbac;

import dev.atrium.access.AccessModule;
import dev.atrium.audit.AuditedChange;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** Roles, permissions and grants. */
public final class RbacModule implements Module {
  private final RbacHandlers handlers;

  public RbacModule(Platform p, AccessModule access, AuditedChange changes) {
    this.handlers = new RbacHandlers(new RbacService(p.pool(), new RbacRepository(p.pool()), changes, access.states()));
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }
}
