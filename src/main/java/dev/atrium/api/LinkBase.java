package dev.atrium.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Where the absolute links of a response (a page's {@code next} and {@code previous}) point. With
 * ATRIUM_PUBLIC_URL set, under that URL whatever Host the request named: a forged Host cannot
 * make a link point elsewhere. Unset, under the request's own Host, as Django REST Framework
 * builds them, with the scheme the client used: the connection's, or behind a trusted proxy
 * (ATRIUM_TRUST_PROXY) its {@code X-Forwarded-Proto}, so a node behind a TLS proxy links with
 * https (DRF's SECURE_PROXY_SSL_HEADER). Installed as a root handler only when either is set, so
 * the default costs nothing per request.
 */
final class LinkBase implements Handler<RoutingContext> {
  private static final String KEY = "atrium.linkBase";

  /** Null: links under the request's Host. */
  private final String publicUrl;
  private final boolean trustProxy;

  LinkBase(String publicUrl, boolean trustProxy) {
    this.publicUrl = publicUrl;
    this.trustProxy = trustProxy;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, this);
    ctx.next();
  }

  /** The absolute URL of this request's path, without its query. */
  static String of(RoutingContext ctx) {
    LinkBase base = ctx.get(KEY);
    if (base != null && base.publicUrl != null) {
      return base.publicUrl + ctx.request().path();
    }
    String uri = ctx.request().absoluteURI();
    int query = uri.indexOf('?');
    String url = query < 0 ? uri : uri.substring(0, query);
    return base == null ? url : base.withForwardedScheme(ctx, url);
  }

  private String withForwardedScheme(RoutingContext ctx, String url) {
    String proto = trustProxy ? ctx.request().getHeader("X-Forwarded-Proto") : null;
    if (proto == null) {
      return url;
    }
    // the proxy's own value; anything but the two schemes a link can carry is ignored
    String scheme = proto.trim().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return url;
    }
    return scheme + url.substring(url.indexOf("://"));
  }
}
