package dev.atrium.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import dev.atrium.platform.Module;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP server instance per event loop, all sharing the port. Start-up fails if the
 * contract cannot be bound or the port cannot be taken; stop lets requests in flight finish
 * within the grace period.
 */
public final class ApiVerticle extends VerticleBase {
  private final ApiRouter router;
  private final List<Module> modules;
  private final String host;
  private final int port;
  private final Duration grace;
  private HttpServer server;

  public ApiVerticle(ApiRouter router, List<Module> modules, String host, int port, Duration grace) {
    this.router = router;
    this.modules = modules;
    this.host = host;
    this.port = port;
    this.grace = grace;
  }

  @Override
  public Future<?> start() {
    return router.build(modules)
        .compose(r -> {
          // No compression here: it would disable zero-copy file downloads (sendFile), and the
          // gateway in front of the nodes compresses JSON (deploy/nginx.conf).
          server = vertx.createHttpServer(new HttpServerOptions()
              // HTTP/1.1 only (browsers and the gateway speak nothing else to a plain-text port):
              // Vert.x's HTTP/2 responses would send a body to a HEAD request (see HeadAsGet)
              .setHttp2ClearTextEnabled(false)
              .setMaxFormAttributeSize(8192)
              // 64 KB body chunks instead of 8 KB: an upload is then 8x fewer decoder events,
              // digest updates and file writes
              .setMaxChunkSize(64 * 1024)
              .setIdleTimeout(120)
              // Push messages are limited to 64 KB by the push socket (InboundMessages joins the
              // frames), which answers 1009; the transport's frame limit sits above it so an
              // oversized frame gets that answer, not a dropped line. The message limit is Vert.x's
              // own joiner's, which the push socket does not use.
              .setMaxWebSocketFrameSize(256 * 1024)
              .setMaxWebSocketMessageSize(256 * 1024)
              // No WebSocket compression either: push messages are small, a deflate context per
              // socket costs memory, and offering it puts an extension handler in front of every
              // HTTP response the connection writes (3.5 % of a track-activity request's CPU).
              .setPerMessageWebSocketCompressionSupported(false)
              .setPerFrameWebSocketCompressionSupported(false));
          return server.requestHandler(InvalidRequests.screeningHosts(r))
              .invalidRequestHandler(InvalidRequests::answer).listen(port, host);
        });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
  }
}
