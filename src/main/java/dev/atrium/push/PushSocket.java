package dev.atrium.push;

import dev.atrium.access.AccessState;
import dev.atrium.access.AccessStates;
import dev.atrium.config.PushSettings;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking the push protocol (see {@code GET /ws} in openapi.yaml): it
 * reads frames and dispatches them to its parts ({@link SocketAuth}, {@link TopicRequests} and
 * {@link Subscriptions}, {@link Outbound}, {@link InboundRate}), pings, and closes. All of its state is touched
 * only on the event loop that accepted it; other threads reach it through {@link #post}.
 */
public final class PushSocket implements SocketAuth.Listener, InboundMessages.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(PushSocket.class);

  private final ServerWebSocket ws;
  private final Context context;
  private final AccessStates states;
  private final PushRegistry registry;
  private final PushSettings settings;
  private final Outbound out;
  private final SocketAuth auth;
  private final Subscriptions topics;
  private final TopicRequests requests;
  private final InboundRate rate;
  private final long openedAt = System.nanoTime();
  private long lastSeenMs = System.currentTimeMillis();
  private boolean closed;

  PushSocket(ServerWebSocket ws, Context context, Vertx vertx, AuthenticationProvider jwt, AccessStates states,
             PushRegistry registry, ReplayStore replay, PushMetrics metrics, PushSettings settings) {
    this.ws = ws;
    this.context = context;
    this.states = states;
    this.registry = registry;
    this.settings = settings;
    Runnable tooSlow = () -> close(Frames.CLOSE_TOO_SLOW, "too slow: catch up from the REST API");
    this.out = new Outbound(ws, metrics, tooSlow);
    this.auth = new SocketAuth(vertx, jwt, this);
    this.topics = new Subscriptions(replay, out, task -> post(v -> {
      if (!closed) {
        task.run();
      }
    }), tooSlow);
    this.requests = new TopicRequests(this, auth, topics, states, registry, out);
    this.rate = new InboundRate(settings.framesPerSecond());
  }

  /** Starts the protocol; with a header token the socket is authenticated before any frame is read. */
  void start(String headerToken) {
    registry.opened(this);
    ws.frameHandler(new InboundMessages(Frames.MAX_FRAME, this));
    ws.pongHandler(b -> lastSeenMs = System.currentTimeMillis());
    ws.exceptionHandler(t -> LOG.debug("WebSocket error: {}", t.getMessage()));
    ws.closeHandler(v -> released());
    // Without this a graceful stop waits for every open socket until its timeout.
    ws.shutdownHandler(v -> close(Frames.CLOSE_GOING_AWAY, "server shutting down"));
    if (headerToken != null) {
      ws.pause();
      auth.authenticate(headerToken).onComplete(ar -> ws.resume());
    } else {
      auth.expectFrame(settings.authTimeout());
    }
  }

  Context context() {
    return context;
  }

  boolean closed() {
    return closed;
  }

  /** When the socket was opened (System.nanoTime), to find a user's oldest. */
  long openedAt() {
    return openedAt;
  }

  /** Runs an action on this socket's event loop. */
  public void post(Handler<Void> action) {
    context.runOnContext(action);
  }

  /** An event from the channel, already routed to this socket's user or to the dashboard. */
  void deliver(PushMessage m) {
    if (!closed) {
      topics.deliver(m);
    }
  }

  /** Sends a WebSocket ping, or closes the socket when the client stopped answering. */
  void heartbeat() {
    if (closed) {
      return;
    }
    if (System.currentTimeMillis() - lastSeenMs > settings.pongTimeout().toMillis()) {
      close(Frames.CLOSE_NO_PONG, "no pong");
      return;
    }
    ws.writePing(Buffer.buffer("ping"));
  }

  /** The user's access changed: close if this socket's token no longer counts, else let the topics re-check. */
  void accessChanged() {
    if (closed || auth.userId() == null) {
      return;
    }
    states.get(auth.userId()).onComplete(ar -> {
      Optional<AccessState> state = ar.succeeded() ? ar.result() : null;
      if (closed || state == null) {
        return; // the store is unreachable; the next change or token expiry decides
      }
      if (state.isEmpty() || !auth.acceptedBy(state.get())) {
        close(Frames.CLOSE_UNAUTHENTICATED, "access revoked");
      } else {
        requests.accessChanged(state.get());
      }
    });
  }

  /** The node's channel subscription was re-established: events may have been missed, so replay them. */
  void resync() {
    if (!closed && auth.userId() != null) {
      topics.resync(auth.userId());
    }
  }

  @Override
  public void authenticated(boolean first, JsonObject ack) {
    if (closed) {
      return;
    }
    if (first) {
      registry.authenticated(auth.userId(), this, settings.maxPerUser());
    }
    out.reply(ack);
  }

  @Override
  public void onBinary() {
    out.reply(Frames.error("unsupported_frame", "Frames are JSON text", null));
  }

  /** Counts a frame against the socket's rate; a client over it is closed with 1008. */
  @Override
  public boolean admit() {
    lastSeenMs = System.currentTimeMillis();
    if (closed) {
      return false;
    }
    if (!rate.admit(System.nanoTime())) {
      close(Frames.CLOSE_POLICY, "too many frames");
      return false;
    }
    return true;
  }

  @Override
  public void onText(Buffer text) {
    Frames.Inbound frame = Frames.parse(text);
    if (frame == null) {
      out.reply(Frames.error("malformed_json", "Frames must be JSON objects", null));
      return;
    }
    try {
      switch (frame.type()) {
        case "auth" -> auth.onFrame(frame.body());
        case "subscribe" -> requests.subscribe(frame.body());
        case "unsubscribe" -> requests.unsubscribe(frame.body());
        case "ping" -> out.reply(Frames.pong());
        default -> out.reply(Frames.error("unknown_type", "Unknown frame type; use auth, subscribe, unsubscribe or ping",
            null));
      }
    } catch (RuntimeException e) {
      LOG.warn("Push frame failed: {}", e.toString(), e);
      out.reply(Frames.error("internal_error", "The frame could not be handled", frame.type()));
    }
  }

  @Override
  public void close(short code, String reason) {
    if (closed) {
      return;
    }
    released();
    ws.close(code, reason);
  }

  private void released() {
    if (closed) {
      return;
    }
    closed = true;
    auth.cancelTimers();
    registry.closed(this, auth.userId());
  }
}
