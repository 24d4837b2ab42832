package dev.atrium.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Where the absolute links of a response (a page's {@code next} and {@code previous}) point. With
 * ATRIUM_PUBLIC_URL set, under that URL whatever Host the request named: a forged Host cannot
 * make a link point elsewhere, and a node behind a TLS proxy links with https. Unset, under the
 * request's own scheme and Host, as Django REST Framework builds them. Installed as a root
 * handler only when the URL is set, so the default costs nothing per request.
 */
final class LinkBase implements Handler<RoutingContext> {
  private static final String KEY = "atrium.publicUrl";

  private final String publicUrl;

  LinkBase(String publicUrl) {
    this.publicUrl = publicUrl;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, publicUrl);
    ctx.next();
  }

  /** The absolute URL of this request's path, without its query. */
  static String of(RoutingContext ctx) {
    String configured = ctx.get(KEY);
    if (configured != null) {
      return configured + ctx.request().path();
    }
    String uri = ctx.request().absoluteURI();
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }
}
