package dev.atrium.push;

import dev.atrium.access.AccessStates;
import dev.atrium.problem.Problem;
import dev.atrium.config.PushSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code openWebSocket} operation: upgrades {@code GET /ws} and hands the socket to a {@link PushSocket}. */
public final class WebSocketEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);
  /** Room for bursts before a socket counts as slow (the default is Netty's 64 KB). */
  static final int WRITE_QUEUE_BYTES = 128 * 1024;

  private final Vertx vertx;
  private final AuthenticationProvider auth;
  private final AccessStates states;
  private final PushRegistry registry;
  private final ReplayStore replay;
  private final PushMetrics metrics;
  private final PushSettings settings;

  public WebSocketEndpoint(Vertx vertx, AuthenticationProvider auth, AccessStates states, PushRegistry registry, ReplayStore replay,
                           PushMetrics metrics, PushSettings settings) {
    this.vertx = vertx;
    this.auth = auth;
    this.states = states;
    this.registry = registry;
    this.replay = replay;
    this.metrics = metrics;
    this.settings = settings;
  }

  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      ctx.response().putHeader("Upgrade", "websocket");
      ctx.fail(Problem.of(426, "upgrade_required", "GET /ws is a WebSocket endpoint; send a WebSocket upgrade"));
      return;
    }
    String header = req.getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    req.toWebSocket()
        .onSuccess(ws -> {
          ws.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
          new PushSocket(ws, vertx.getOrCreateContext(), vertx, auth, states, registry, replay, metrics, settings)
              .start(token == null || token.isEmpty() ? null : token);
        })
        .onFailure(t -> {
          LOG.debug("WebSocket handshake failed: {}", t.getMessage());
          if (!ctx.response().headWritten()) {
            ctx.fail(Problem.of(400, "websocket_handshake_failed", "The WebSocket handshake failed"));
          }
        });
  }
}
