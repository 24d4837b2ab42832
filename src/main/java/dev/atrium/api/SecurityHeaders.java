package dev.atrium.api;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * Hardening headers on every response, error pages included. Names and values are pre-encoded
 * once ({@link HttpHeaders#createOptimized}), since every response of every route carries them.
 */
public final class SecurityHeaders implements PlatformHandler {
  private static final CharSequence[][] ALWAYS = {
      {HttpHeaders.createOptimized("X-Content-Type-Options"), HttpHeaders.createOptimized("nosniff")},
      {HttpHeaders.createOptimized("X-Frame-Options"), HttpHeaders.createOptimized("DENY")},
      {HttpHeaders.createOptimized("Referrer-Policy"), HttpHeaders.createOptimized("no-referrer")},
      {HttpHeaders.createOptimized("Cross-Origin-Opener-Policy"), HttpHeaders.createOptimized("same-origin")},
      {HttpHeaders.createOptimized("Strict-Transport-Security"),
          HttpHeaders.createOptimized("max-age=31536000; includeSubDomains")}};
  private static final CharSequence CSP = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence API_CSP = HttpHeaders.createOptimized("default-src 'none'; frame-ancestors 'none'");
  /** Swagger UI needs its own scripts, styles and inline data images. */
  private static final CharSequence DOCS_CSP = HttpHeaders.createOptimized(
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self';"
          + " frame-ancestors 'none'");

  @Override
  public void handle(RoutingContext ctx) {
    boolean docs = ctx.request().path().startsWith("/docs");
    ctx.addHeadersEndHandler(v -> {
      MultiMap h = ctx.response().headers();
      for (CharSequence[] header : ALWAYS) {
        h.set(header[0], header[1]);
      }
      if (!h.contains(CSP)) {
        h.set(CSP, docs ? DOCS_CSP : API_CSP);
      }
      if (!docs && !h.contains(CACHE_CONTROL)) {
        h.set(CACHE_CONTROL, NO_STORE);
      }
    });
    ctx.next();
  }
}
