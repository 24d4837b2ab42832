package dev.atrium.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Serves {@code HEAD} wherever {@code GET} is served (RFC 9110 §9.3.2): the request is routed as
 * the GET it mirrors, so it passes the same authentication, permission check and validation and
 * answers the same status and headers. Vert.x's HTTP/1.1 server knows the request was a HEAD and
 * sends no body (a file download reads no bytes), but leaves out the Content-Length of the body
 * it does not send; it is put back here. (Vert.x's HTTP/2 responses would send the body, so the
 * API server speaks HTTP/1.1 only: see ApiVerticle.) Paths whose contract declares a HEAD of
 * their own (tus) keep it.
 */
public final class HeadAsGet implements PlatformHandler {
  private static final String HEAD = "atrium.head";
  private final List<Pattern> ownHead;

  /** @param ownHeadPaths contract paths (with {@code {param}}s) that declare their own HEAD */
  public HeadAsGet(List<String> ownHeadPaths) {
    this.ownHead = ownHeadPaths.stream().map(HeadAsGet::template).toList();
  }

  private static Pattern template(String path) {
    StringBuilder regex = new StringBuilder();
    for (String segment : path.substring(1).split("/", -1)) {
      regex.append('/').append(segment.startsWith("{") ? "[^/]+" : Pattern.quote(segment));
    }
    return Pattern.compile(regex.toString());
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().method() == HttpMethod.HEAD
        && ownHead.stream().noneMatch(p -> p.matcher(ctx.request().path()).matches())) {
      ctx.put(HEAD, Boolean.TRUE);
      ctx.reroute(HttpMethod.GET, ctx.request().uri());
      return;
    }
    if (Boolean.TRUE.equals(ctx.remove(HEAD))) {
      // registered after the reroute, which starts the handler chain afresh
      HttpServerResponse resp = ctx.response();
      ctx.addHeadersEndHandler(v -> {
        // runs as the headers go out: by then end(buffer) has counted the whole body
        int status = resp.getStatusCode();
        if (status != 204 && status != 304 && !resp.isChunked() && resp.bytesWritten() > 0
            && !resp.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
          resp.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(resp.bytesWritten()));
        }
      });
    }
    ctx.next();
  }
}
