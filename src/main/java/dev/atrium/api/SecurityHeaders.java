package dev.atrium.api;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/** Hardening headers on every response, error pages included. */
public final class SecurityHeaders implements PlatformHandler {
  private static final String API_CSP = "default-src 'none'; frame-ancestors 'none'";
  /** Swagger UI needs its own scripts, styles and inline data images. */
  private static final String DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
      + " script-src 'self'; frame-ancestors 'none'";

  @Override
  public void handle(RoutingContext ctx) {
    boolean docs = ctx.request().path().startsWith("/docs");
    ctx.addHeadersEndHandler(v -> {
      MultiMap h = ctx.response().headers();
      h.set("X-Content-Type-Options", "nosniff");
      h.set("X-Frame-Options", "DENY");
      h.set("Referrer-Policy", "no-referrer");
      h.set("Cross-Origin-Opener-Policy", "same-origin");
      h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
      if (!h.contains("Content-Security-Policy")) {
        h.set("Content-Security-Policy", docs ? DOCS_CSP : API_CSP);
      }
      if (!h.contains("Cache-Control") && !docs) {
        h.set("Cache-Control", "no-store");
      }
    });
    ctx.next();
  }
}
