package dev.atrium.api;

import dev.atrium.db.Uuids;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import net.logstash.logback.argument.StructuredArguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every request: takes the caller's X-Request-Id (when sane) or makes one,
 * echoes it, resolves the client address, and writes one JSON access-log line when the
 * response ends.
 */
public final class RequestLog implements PlatformHandler {
  public static final String REQUEST_ID = "atrium.requestId";
  /** The client address (String) and user agent (String, at most 512 chars) of the request. */
  public static final String CLIENT_IP = "atrium.clientIp";
  public static final String USER_AGENT = "atrium.userAgent";
  private static final Logger ACCESS = LoggerFactory.getLogger("atrium.access");
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private final boolean trustProxy;

  public RequestLog(boolean trustProxy) {
    this.trustProxy = trustProxy;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.get(REQUEST_ID) != null) { // rerouted: already set up
      ctx.next();
      return;
    }
    long start = System.nanoTime();
    String given = ctx.request().getHeader("X-Request-Id");
    // Time-ordered, so log lines sort by id too, and made without the lock of the SecureRandom
    // behind UUID.randomUUID() (2 % of a small request's CPU, contended across event loops).
    String id = given != null && SAFE_ID.matcher(given).matches() ? given : Uuids.timeOrdered().toString();
    ctx.put(REQUEST_ID, id);
    ctx.put(CLIENT_IP, clientIp(ctx));
    String ua = ctx.request().getHeader("User-Agent");
    ctx.put(USER_AGENT, ua != null && ua.length() > 512 ? ua.substring(0, 512) : ua);
    ctx.response().putHeader("X-Request-Id", id);
    ctx.addBodyEndHandler(v -> log(ctx, id, start));
    ctx.next();
  }

  private static void log(RoutingContext ctx, String id, long start) {
    if (!ACCESS.isInfoEnabled()) {
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("request_id", id);
    fields.put("method", ctx.request().method().name());
    fields.put("route", routeOf(ctx));
    fields.put("path", ctx.request().path());
    fields.put("status", ctx.response().getStatusCode());
    fields.put("duration_ms", Math.round((System.nanoTime() - start) / 10_000.0) / 100.0);
    fields.put("user_id", ctx.user() == null ? null : ctx.user().subject());
    fields.put("ip", ctx.get(CLIENT_IP));
    ACCESS.info("{} {} {}", fields.get("method"), fields.get("path"), fields.get("status"),
        StructuredArguments.entries(fields));
  }

  private String clientIp(RoutingContext ctx) {
    String ip = null;
    if (trustProxy) {
      String forwarded = ctx.request().getHeader("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        // The last entry: the one the trusted proxy in front wrote. A proxy that appends (rather
        // than replaces, as deploy/nginx.conf does) keeps whatever the client sent before it.
        ip = forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
      } else {
        ip = ctx.request().getHeader("X-Real-IP");
      }
    }
    if (ip == null || ip.isBlank() || ip.length() > 64) {
      // the connection's peer: vertx-web's request wrapper would parse Forwarded headers again
      var peer = ctx.request().connection().remoteAddress();
      ip = peer == null ? "unknown" : peer.hostAddress();
    }
    return ip;
  }

  private static String routeOf(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    String path = route == null ? null : route.getPath();
    return path == null ? "unmatched" : path;
  }
}
