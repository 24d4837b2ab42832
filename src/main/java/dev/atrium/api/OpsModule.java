package dev.atrium.api;

import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** Health, metrics, the contract and its docs. */
public final class OpsModule implements Module {
  private final OpsHandlers handlers;

  public OpsModule(Platform p, String registryName) {
    this.handlers = new OpsHandlers(p.vertx(), p.pool(), p.redisApi(), registryName);
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  @Override
  public void mount(Router router) {
    OpsHandlers.mountDocs(router);
  }
}
