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
 * reads frames and dispatches them to its parts ({@link SocketAuth}, {@link Subscriptions},
 * {@link Outbound}, {@link InboundRate}). All of its state is touched only on the event loop
 * that accepted it; other threads reach it through {@link #post}.
 */
public final class PushSocket implements SocketAuth.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(PushSocket.class);
  public static final short CLOSE_GOING_AWAY = 1001;
  public static final short CLOSE_POLICY = 1008;
  public static final short CLOSE_TOO_BIG = 1009;
  public static final short CLOSE_NO_PONG = 4408;
  /** Beyond ATRIUM_WS_MAX_PER_USER, the user's oldest socket is closed with this code. */
  public static final short CLOSE_TOO_MANY = 4409;
  static final String DASHBOARD_PERMISSION = "analytics.view_all";

  private final ServerWebSocket ws;
  private final Context context;
  private final AccessStates states;
  private final PushRegistry registry;
  private final PushSettings settings;
  private final Outbound out;
  private final SocketAuth auth;
  private final Subscriptions topics;
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
    Runnable tooSlow = () -> close(Outbound.CLOSE_TOO_SLOW, "too slow: catch up from the REST API");
    this.out = new Outbound(ws, metrics, tooSlow);
    this.auth = new SocketAuth(vertx, jwt, this);
    this.topics = new Subscriptions(replay, out, task -> post(v -> {
      if (!closed) {
        task.run();
      }
    }), tooSlow);
    this.rate = new InboundRate(settings.framesPerSecond());
  }

  /** Starts the protocol; with a header token the socket is authenticated before any frame is read. */
  void start(String headerToken) {
    registry.opened(this);
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> onBinary());
    ws.pongHandler(b -> lastSeenMs = System.currentTimeMillis());
    ws.exceptionHandler(t -> LOG.debug("WebSocket error: {}", t.getMessage()));
    ws.closeHandler(v -> released());
    // Without this a graceful stop waits for every open socket until its timeout.
    ws.shutdownHandler(v -> close(CLOSE_GOING_AWAY, "server shutting down"));
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
      close(CLOSE_NO_PONG, "no pong");
      return;
    }
    ws.writePing(Buffer.buffer("ping"));
  }

  /** The user's access changed: close if this socket's token no longer counts, drop the dashboard if its permission went. */
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
        close(SocketAuth.CLOSE_UNAUTHENTICATED, "access revoked");
      } else if (topics.has(Topic.DASHBOARD) && !auth.caller().withState(state.get()).may(DASHBOARD_PERMISSION)) {
        topics.unsubscribe(Topic.DASHBOARD);
        registry.watchDashboard(this, false);
        out.reply(dashboardDenied());
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

  private void onBinary() {
    if (admit()) {
      out.reply(Frames.error("unsupported_frame", "Frames are JSON text", null));
    }
  }

  /** Counts a frame against the socket's rate; a client over it is closed with 1008. */
  private boolean admit() {
    lastSeenMs = System.currentTimeMillis();
    if (closed) {
      return false;
    }
    if (!rate.admit(System.nanoTime())) {
      close(CLOSE_POLICY, "too many frames");
      return false;
    }
    return true;
  }

  private void onText(String text) {
    if (!admit()) {
      return;
    }
    if (text.length() > Frames.MAX_FRAME) {
      close(CLOSE_TOO_BIG, "frame too big");
      return;
    }
    Frames.Inbound frame = Frames.parse(text);
    if (frame == null) {
      out.reply(Frames.error("malformed_json", "Frames must be JSON objects", null));
      return;
    }
    try {
      switch (frame.type()) {
        case "auth" -> auth.onFrame(frame.body());
        case "subscribe" -> onSubscribe(frame.body());
        case "unsubscribe" -> onUnsubscribe(frame.body());
        case "ping" -> out.reply(Frames.pong());
        default -> out.reply(Frames.error("unknown_type", "Unknown frame type; use auth, subscribe, unsubscribe or ping",
            null));
      }
    } catch (RuntimeException e) {
      LOG.warn("Push frame failed: {}", e.toString(), e);
      out.reply(Frames.error("internal_error", "The frame could not be handled", frame.type()));
    }
  }

  private void onSubscribe(JsonObject frame) {
    Topic topic = topicOf(frame, "subscribe");
    if (topic == null) {
      return;
    }
    Object rawSince = frame.getValue("since");
    Long since = null;
    if (rawSince != null) {
      if (!topic.perUser() || !(rawSince instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())
          || n.longValue() < 0) {
        out.reply(Frames.error("validation_failed", "since is a non-negative integer id, for notifications and files",
            "subscribe"));
        return;
      }
      since = n.longValue();
    }
    if (topic == Topic.DASHBOARD) {
      subscribeDashboard();
    } else {
      topics.subscribe(auth.userId(), topic, since);
    }
  }

  private void subscribeDashboard() {
    states.get(auth.userId()).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.succeeded() && ar.result().isPresent() && auth.caller().withState(ar.result().get()).may(DASHBOARD_PERMISSION)) {
        topics.subscribeDashboard();
        registry.watchDashboard(this, true);
        out.reply(Frames.subscribed(Topic.DASHBOARD));
      } else if (ar.failed()) {
        out.reply(Frames.error("service_unavailable", "Permissions cannot be checked right now; try again", "subscribe"));
      } else {
        out.reply(dashboardDenied());
      }
    });
  }

  private static JsonObject dashboardDenied() {
    return Frames.error("permission_denied", "The dashboard needs " + DASHBOARD_PERMISSION, "subscribe")
        .put("topic", Topic.DASHBOARD.wire());
  }

  private void onUnsubscribe(JsonObject frame) {
    Topic topic = topicOf(frame, "unsubscribe");
    if (topic == null) {
      return;
    }
    topics.unsubscribe(topic);
    if (topic == Topic.DASHBOARD) {
      registry.watchDashboard(this, false);
    }
    out.reply(Frames.ack("unsubscribe").put("topic", topic.wire()));
  }

  /** The frame's topic once authenticated; otherwise answers the error and returns null. */
  private Topic topicOf(JsonObject frame, String of) {
    if (auth.userId() == null) {
      out.reply(Frames.error("not_authenticated", "Send an auth frame first", of));
      return null;
    }
    Topic topic = Topic.of(frame.getValue("topic"));
    if (topic == null) {
      out.reply(Frames.error("unknown_topic", "Topics are notifications, files and dashboard", of));
    }
    return topic;
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
