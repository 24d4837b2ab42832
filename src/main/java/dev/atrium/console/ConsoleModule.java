package dev.atrium.console;

import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * The built-in web console (sources in console/, production build committed under
 * src/main/resources/console/): served at /console/, with / and /admin/ leading into it.
 * These routes are not contract operations: they serve an app, not an API.
 */
public final class ConsoleModule implements Module {
  private final Vertx vertx;
  private volatile ConsoleAssets assets;

  public ConsoleModule(Platform platform) {
    this.vertx = platform.vertx();
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of();
  }

  @Override
  public Future<Void> start() {
    return vertx.executeBlocking(() -> ConsoleAssets.load(ConsoleModule.class.getClassLoader()))
        .onSuccess(loaded -> assets = loaded)
        .mapEmpty();
  }

  @Override
  public void mount(Router router) {
    ConsoleHandlers handlers = new ConsoleHandlers(() -> assets);
    router.get("/").handler(ctx -> ctx.redirect(ConsoleHandlers.PREFIX + "/"));
    // TrailingSlash serves /admin/ as /admin, and /console/x/ as /console/x.
    router.get("/admin").handler(ctx -> ctx.redirect(ConsoleHandlers.PREFIX + "/admin/users"));
    router.route(ConsoleHandlers.PREFIX).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(handlers::serve);
    router.route(ConsoleHandlers.PREFIX + "/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(handlers::serve);
  }
}
