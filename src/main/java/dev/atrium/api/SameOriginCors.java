package dev.atrium.api;

import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.net.URI;

/**
 * CORS for other origins only. Browsers send {@code Origin} on same-origin module scripts and
 * POSTs too (the console's), and those must pass whatever ATRIUM_CORS_ORIGINS lists. Only the
 * host name is compared: a gateway may forward Host without the port (nginx {@code $host}), and
 * cookies, the thing CORS guards here, are not separated by port either.
 */
final class SameOriginCors implements SecurityPolicyHandler {
  private final CorsHandler cors;

  SameOriginCors(CorsHandler cors) {
    this.cors = cors;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    HostAndPort authority = ctx.request().authority();
    if (origin != null && authority != null && sameHost(origin, authority.host())) {
      ctx.next();
      return;
    }
    cors.handle(ctx);
  }

  /** Host (HTTP/1.1) or :authority (HTTP/2), whichever the request came with, against the Origin's host. */
  static boolean sameHost(String origin, String host) {
    try {
      String originHost = URI.create(origin).getHost();
      return originHost != null && originHost.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
