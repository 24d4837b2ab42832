package dev.atrium.api;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/** Serves {@code /api/auth/login/} as {@code /api/auth/login}: the existing client adds slashes. */
public final class TrailingSlash implements PlatformHandler {
  @Override
  public void handle(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path.length() > 1 && path.endsWith("/")) {
      int end = path.length();
      while (end > 0 && path.charAt(end - 1) == '/') {
        end--;
      }
      String stripped = path.substring(0, end); // not replaceAll: a regex compiled per request
      String query = ctx.request().query();
      ctx.reroute(ctx.request().method(), (stripped.isEmpty() ? "/" : stripped) + (query == null ? "" : "?" + query));
      return;
    }
    ctx.next();
  }
}
