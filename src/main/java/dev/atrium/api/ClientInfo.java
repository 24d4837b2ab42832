package dev.atrium.api;

import io.vertx.ext.web.RoutingContext;

/** Who is calling, as far as the network tells: the client IP and the user agent. */
public record ClientInfo(String ip, String userAgent) {
  static final String KEY = "atrium.client";

  public static ClientInfo of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  static ClientInfo resolve(RoutingContext ctx, boolean trustProxy) {
    String ip = null;
    if (trustProxy) {
      String forwarded = ctx.request().getHeader("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        ip = forwarded.split(",")[0].trim();
      } else {
        ip = ctx.request().getHeader("X-Real-IP");
      }
    }
    if (ip == null || ip.isBlank() || ip.length() > 64) {
      // the connection's peer: vertx-web's request wrapper would parse Forwarded headers again
      var peer = ctx.request().connection().remoteAddress();
      ip = peer == null ? "unknown" : peer.hostAddress();
    }
    String ua = ctx.request().getHeader("User-Agent");
    if (ua != null && ua.length() > 512) {
      ua = ua.substring(0, 512);
    }
    return new ClientInfo(ip, ua);
  }
}
