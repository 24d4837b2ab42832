package dev.atrium.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Where the absolute links of a response (a page's {@code next} and {@code previous}) point. With
 * ATRIUM_PUBLIC_URL set, under that URL whatever Host the request named: a forged Host cannot
 * make a link point elsewhere. Unset, under the request's own Host, as Django REST Framework
 * builds them, with the scheme the client used: the connection's, or behind a trusted proxy
 * (ATRIUM_TRUST_PROXY) its {@code X-Forwarded-Proto}, so a node behind a TLS proxy links with
 * https (DRF's SECURE_PROXY_SSL_HEADER). Kept in the metadata of the API router's routes, set
 * once when the router is built: a request that builds no link pays nothing for it.
 */
final class LinkBase {
  private static final String KEY = "atrium.linkBase";
  /** A route outside the API router: the request's Host and the connection's scheme. */
  private static final LinkBase REQUEST_HOST = new LinkBase(null, false);

  /** Null: links under the request's Host. */
  private final String publicUrl;
  private final boolean trustProxy;

  LinkBase(String publicUrl, boolean trustProxy) {
    this.publicUrl = publicUrl;
    this.trustProxy = trustProxy;
  }

  /** Makes this the link base of every route {@code router} has now. */
  void attachTo(Router router) {
    router.getRoutes().forEach(route -> route.putMetadata(KEY, this));
  }

  /** The absolute URL of this request's path, without its query. */
  static String of(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    LinkBase base = route == null ? null : route.getMetadata(KEY);
    return (base == null ? REQUEST_HOST : base).url(ctx);
  }

  private String url(RoutingContext ctx) {
    if (publicUrl != null) {
      return publicUrl + ctx.request().path();
    }
    HttpServerRequest request = ctx.request();
    String scheme = trustProxy ? forwardedScheme(ctx) : null;
    HostAndPort authority = request.authority();
    if (authority == null || authority.host().isEmpty()) {
      // No Host (HTTP/1.0) or an empty one: the address the client reached, as Django falls back
      // to SERVER_NAME and SERVER_PORT; absoluteURI() would give "http:///api/...", which leads nowhere.
      return (scheme == null ? request.scheme() : scheme) + "://" + address(request.localAddress()) + request.path();
    }
    String uri = request.absoluteURI();
    int query = uri.indexOf('?');
    String url = query < 0 ? uri : uri.substring(0, query);
    return scheme == null ? url : scheme + url.substring(url.indexOf("://"));
  }

  private static String address(SocketAddress local) {
    String host = local.hostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + local.port();
  }

  /** The trusted proxy's {@code X-Forwarded-Proto}; anything but the two schemes a link can carry is ignored. */
  private static String forwardedScheme(RoutingContext ctx) {
    String proto = ctx.request().getHeader("X-Forwarded-Proto");
    String scheme = proto == null ? null : proto.trim().toLowerCase(Locale.ROOT);
    return "https".equals(scheme) || "http".equals(scheme) ? scheme : null;
  }
}
