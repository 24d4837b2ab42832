package dev.atrium.console;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Serves the console: its files by name, {@code index.html} for every other path below
 * {@code /console/} (the app routes on the client), hashed assets cached for a year,
 * {@code index.html} revalidated on every load, the gzip twin when the client accepts gzip.
 */
final class ConsoleHandlers {
  static final String PREFIX = "/console";
  /**
   * The console loads only its own scripts and styles and talks only to this origin (HTTP and
   * the /ws WebSocket: 'self' covers ws/wss of the same host). Styles allow inline attributes:
   * Element Plus positions popovers with style attributes.
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; manifest-src 'self';"
      + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private final Supplier<ConsoleAssets> assets;

  ConsoleHandlers(Supplier<ConsoleAssets> assets) {
    this.assets = assets;
  }

  void serve(RoutingContext ctx) {
    String path = ctx.request().path();
    String name = path.length() <= PREFIX.length() + 1 ? "" : path.substring(PREFIX.length() + 1);
    ConsoleAssets all = assets.get();
    ConsoleAsset asset = name.isEmpty() ? null : all.get(name);
    if (asset == null) {
      // A missing file (a stale hashed asset, a typo) is a 404, never the HTML page in its place;
      // any other path is a client-side route and gets the app.
      if (name.startsWith("assets/") || lastSegmentHasDot(name) || all.index() == null) {
        ctx.next();
        return;
      }
      asset = all.index();
    }
    send(ctx, asset);
  }

  private static void send(RoutingContext ctx, ConsoleAsset asset) {
    HttpServerResponse res = ctx.response();
    res.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType())
        .putHeader(HttpHeaders.CACHE_CONTROL, asset.immutable() ? IMMUTABLE : "no-cache")
        .putHeader(HttpHeaders.ETAG, asset.etag())
        .putHeader("Content-Security-Policy", CSP);
    if (asset.gzip() != null) {
      res.putHeader(HttpHeaders.VARY, "Accept-Encoding");
    }
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      res.setStatusCode(304).end();
      return;
    }
    boolean gzip = asset.gzip() != null && acceptsGzip(ctx.request().getHeader(HttpHeaders.ACCEPT_ENCODING));
    Buffer body = gzip ? asset.gzip() : asset.raw();
    if (gzip) {
      res.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
    if (ctx.request().method() == HttpMethod.HEAD) {
      res.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length())).end();
      return;
    }
    res.end(body); // shared, never copied: see ConsoleAsset
  }

  /** True when Accept-Encoding lists gzip (or *) without q=0. */
  static boolean acceptsGzip(String header) {
    if (header == null) {
      return false;
    }
    for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
      String[] bits = part.split(";");
      String coding = bits[0].strip();
      if (!coding.equals("gzip") && !coding.equals("*")) {
        continue;
      }
      boolean refused = false;
      for (int i = 1; i < bits.length; i++) {
        String param = bits[i].replace(" ", "");
        if (param.startsWith("q=")) {
          refused = param.substring(2).matches("0(\\.0{0,3})?");
        }
      }
      if (!refused) {
        return true;
      }
    }
    return false;
  }

  private static boolean lastSegmentHasDot(String name) {
    return name.substring(name.lastIndexOf('/') + 1).contains(".");
  }
}
