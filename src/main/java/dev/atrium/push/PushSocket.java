package dev.atrium.push;

import dev.atrium.access.AccessState;
import dev.atrium.access.AccessStates;
import dev.atrium.access.Caller;
import dev.atrium.api.Problem;
import dev.atrium.config.PushSettings;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking the push protocol (see {@code GET /ws} in openapi.yaml). All of
 * its state is touched only on the event loop that accepted it; other threads reach it through
 * {@link #post}.
 *
 * <p>Delivery per per-user topic: the socket remembers the last sequence id it wrote. A
 * subscription with {@code since} first buffers live events, reads the replay stream, writes
 * what it finds, then writes the buffered events whose id is larger: no gap, no duplicate.
 */
public final class PushSocket {
  private static final Logger LOG = LoggerFactory.getLogger(PushSocket.class);
  public static final int MAX_FRAME = 64 * 1024;
  public static final short CLOSE_GOING_AWAY = 1001;
  public static final short CLOSE_TOO_BIG = 1009;
  public static final short CLOSE_TOO_SLOW = 1013;
  public static final short CLOSE_UNAUTHENTICATED = 4401;
  public static final short CLOSE_NO_PONG = 4408;
  static final String DASHBOARD_PERMISSION = "analytics.view_all";
  /** Live events held while a replay is read; more than this means the reader cannot keep up. */
  static final int MAX_REPLAY_BUFFER = 10_000;

  private final ServerWebSocket ws;
  private final Context context;
  private final Vertx vertx;
  private final JWTAuth auth;
  private final AccessStates states;
  /** Who authenticated this socket (a key's scopes apply to the dashboard too). */
  private Caller caller;
  private final PushRegistry registry;
  private final ReplayStore replay;
  private final PushMetrics metrics;
  private final PushSettings settings;

  private final Map<Topic, Subscription> subscriptions = new EnumMap<>(Topic.class);
  private String userId;
  private String sessionId;
  private long issuedAtMs;
  private long authTimer = -1;
  private long expiryTimer = -1;
  private long lastSeenMs = System.currentTimeMillis();
  private boolean closed;

  /** A subscription to one topic: the last id written, and live events held during a replay. */
  private static final class Subscription {
    long lastId;
    List<PushMessage> held;
  }

  PushSocket(ServerWebSocket ws, Context context, Vertx vertx, JWTAuth auth, AccessStates states,
             PushRegistry registry, ReplayStore replay, PushMetrics metrics, PushSettings settings) {
    this.ws = ws;
    this.context = context;
    this.vertx = vertx;
    this.auth = auth;
    this.states = states;
    this.registry = registry;
    this.replay = replay;
    this.metrics = metrics;
    this.settings = settings;
  }

  /** Starts the protocol; with a header token the socket is authenticated before any frame is read. */
  void start(String headerToken) {
    registry.opened(this);
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error("unsupported_frame", "Frames are JSON text", null));
    ws.pongHandler(b -> lastSeenMs = System.currentTimeMillis());
    ws.exceptionHandler(t -> LOG.debug("WebSocket error: {}", t.getMessage()));
    ws.closeHandler(v -> released());
    // Without this a graceful stop waits for every open socket until its timeout.
    ws.shutdownHandler(v -> close(CLOSE_GOING_AWAY, "server shutting down"));
    if (headerToken != null) {
      ws.pause();
      authenticate(headerToken).onComplete(ar -> ws.resume());
    } else {
      authTimer = vertx.setTimer(settings.authTimeout().toMillis(), id -> {
        authTimer = -1;
        if (userId == null) {
          close(CLOSE_UNAUTHENTICATED, "authentication timeout");
        }
      });
    }
  }

  Context context() {
    return context;
  }

  /** Runs an action on this socket's event loop. */
  public void post(Handler<Void> action) {
    context.runOnContext(action);
  }

  /** An event from the channel, already routed to this socket's user or to the dashboard. */
  void deliver(PushMessage m) {
    Subscription sub = subscriptions.get(m.topic());
    if (closed || sub == null) {
      return;
    }
    if (m.topic().perUser()) {
      if (sub.held != null) {
        if (sub.held.size() >= MAX_REPLAY_BUFFER) {
          metrics.dropped(m.topic());
          close(CLOSE_TOO_SLOW, "too slow: catch up from the REST API");
          return;
        }
        sub.held.add(m);
        return;
      }
      if (m.id() <= sub.lastId) {
        return; // written by the replay already
      }
      sub.lastId = m.id();
    }
    write(m.topic(), m.frame());
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
    if (closed || userId == null) {
      return;
    }
    states.get(userId).onComplete(ar -> {
      if (closed) {
        return;
      }
      Optional<AccessState> state = ar.succeeded() ? ar.result() : null;
      if (state == null) {
        return; // the store is unreachable; the next change or token expiry decides
      }
      if (state.isEmpty() || !state.get().accepts(issuedAtMs, sessionId)) {
        close(CLOSE_UNAUTHENTICATED, "access revoked");
      } else if (subscriptions.containsKey(Topic.DASHBOARD) && !caller.withState(state.get()).may(DASHBOARD_PERMISSION)) {
        subscriptions.remove(Topic.DASHBOARD);
        registry.watchDashboard(this, false);
        send(errorFrame("permission_denied", "The dashboard needs " + DASHBOARD_PERMISSION, "subscribe")
            .put("topic", Topic.DASHBOARD.wire()));
      }
    });
  }

  /** The node's channel subscription was re-established: events may have been missed, so replay them. */
  void resync() {
    if (closed) {
      return;
    }
    for (Map.Entry<Topic, Subscription> e : subscriptions.entrySet()) {
      if (e.getKey().perUser() && e.getValue().held == null) {
        replayInto(e.getKey(), e.getValue(), e.getValue().lastId, false);
      }
    }
  }

  private void onText(String text) {
    lastSeenMs = System.currentTimeMillis();
    if (closed) {
      return;
    }
    if (text.length() > MAX_FRAME) {
      close(CLOSE_TOO_BIG, "frame too big");
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (RuntimeException e) {
      error("malformed_json", "Frames must be JSON objects", null);
      return;
    }
    Object type = frame.getValue("type");
    try {
      switch (type instanceof String s ? s : "") {
        case "auth" -> onAuth(frame);
        case "subscribe" -> onSubscribe(frame);
        case "unsubscribe" -> onUnsubscribe(frame);
        case "ping" -> send(new JsonObject().put("type", "pong"));
        default -> error("unknown_type", "Unknown frame type; use auth, subscribe, unsubscribe or ping", null);
      }
    } catch (RuntimeException e) {
      LOG.warn("Push frame failed: {}", e.toString(), e);
      error("internal_error", "The frame could not be handled", type instanceof String s ? s : null);
    }
  }

  private void onAuth(JsonObject frame) {
    if (!(frame.getValue("token") instanceof String token) || token.isBlank()) {
      close(CLOSE_UNAUTHENTICATED, "token required");
      return;
    }
    authenticate(token);
  }

  private Future<User> authenticate(String token) {
    return auth.authenticate(new TokenCredentials(token))
        .onSuccess(this::authenticated)
        .onFailure(t -> {
          if (t instanceof Problem p && p.status() == 503) {
            close(CLOSE_TOO_SLOW, "try again later"); // the session store is busy: not the client's fault
          } else {
            close(CLOSE_UNAUTHENTICATED, "authentication failed");
          }
        });
  }

  private void authenticated(User user) {
    if (closed) {
      return;
    }
    JsonObject claims = user.principal();
    String sub = claims.getString("sub");
    if (userId != null && !userId.equals(sub)) {
      close(CLOSE_UNAUTHENTICATED, "token of another user");
      return;
    }
    boolean first = userId == null;
    userId = sub;
    caller = Caller.of(user, null, null);
    sessionId = claims.getString("sid");
    issuedAtMs = claims.getLong("iat_ms", claims.getLong("iat", 0L) * 1000);
    long expiresAtMs = claims.getLong("exp", 0L) * 1000;
    if (authTimer >= 0) {
      vertx.cancelTimer(authTimer);
      authTimer = -1;
    }
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    // The token's expiry ends the socket unless a newer auth frame arrived before it.
    expiryTimer = vertx.setTimer(Math.max(1, expiresAtMs - System.currentTimeMillis()), id -> {
      expiryTimer = -1;
      close(CLOSE_UNAUTHENTICATED, "token expired");
    });
    if (first) {
      registry.authenticated(userId, this);
    }
    send(new JsonObject().put("type", "ack").put("of", "auth").put("user_id", userId)
        .put("expires_at", Instant.ofEpochMilli(expiresAtMs).toString()));
  }

  private void onSubscribe(JsonObject frame) {
    if (userId == null) {
      error("not_authenticated", "Send an auth frame first", "subscribe");
      return;
    }
    Topic topic = Topic.of(frame.getValue("topic"));
    if (topic == null) {
      error("unknown_topic", "Topics are notifications, files and dashboard", "subscribe");
      return;
    }
    Object rawSince = frame.getValue("since");
    Long since = null;
    if (rawSince != null) {
      if (!topic.perUser() || !(rawSince instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())
          || n.longValue() < 0) {
        error("validation_failed", "since is a non-negative integer id, for notifications and files", "subscribe");
        return;
      }
      since = n.longValue();
    }
    if (topic == Topic.DASHBOARD) {
      subscribeDashboard();
      return;
    }
    Subscription sub = new Subscription();
    subscriptions.put(topic, sub);
    if (since == null) {
      send(ack(topic));
      return;
    }
    replayInto(topic, sub, since, true);
  }

  private void subscribeDashboard() {
    states.get(userId).onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.succeeded() && ar.result().isPresent() && caller.withState(ar.result().get()).may(DASHBOARD_PERMISSION)) {
        subscriptions.put(Topic.DASHBOARD, new Subscription());
        registry.watchDashboard(this, true);
        send(ack(Topic.DASHBOARD));
      } else if (ar.failed()) {
        error("service_unavailable", "Permissions cannot be checked right now; try again", "subscribe");
      } else {
        send(errorFrame("permission_denied", "The dashboard needs " + DASHBOARD_PERMISSION, "subscribe")
            .put("topic", Topic.DASHBOARD.wire()));
      }
    });
  }

  /** Holds live events, writes what the stream has after {@code since}, then the held events that are newer. */
  private void replayInto(Topic topic, Subscription sub, long since, boolean acknowledge) {
    sub.held = new ArrayList<>();
    // back to this socket's event loop: the replay may complete on another one
    replay.after(userId, since).onComplete(ar -> post(v -> replayed(topic, sub, since, acknowledge, ar)));
  }

  private void replayed(Topic topic, Subscription sub, long since, boolean acknowledge,
                        AsyncResult<ReplayStore.Replay> ar) {
    if (closed || subscriptions.get(topic) != sub) {
      return;
    }
    long last = since;
    JsonObject ack = ack(topic).put("since", since);
    if (ar.succeeded()) {
      ReplayStore.Replay r = ar.result();
      if (r.reset()) {
        last = 0; // ids restarted; anything newer than 0 is new to this client
      }
      List<ReplayStore.Entry> mine = r.entries().stream().filter(e -> e.topic() == topic).toList();
      ack.put("replayed", mine.size()).put("complete", r.complete()).put("last_id", r.current());
      if (acknowledge) {
        send(ack);
      }
      // A replay is bounded by the stream length, so it is written even if the queue fills.
      for (ReplayStore.Entry e : mine) {
        ws.writeTextMessage(e.frame());
        metrics.sent(topic);
        last = Math.max(last, e.id());
      }
    } else {
      LOG.warn("Replay for {} failed: {}", userId, ar.cause().getMessage());
      if (acknowledge) {
        send(ack.put("replayed", 0).put("complete", false));
      }
    }
    List<PushMessage> held = sub.held;
    sub.held = null;
    sub.lastId = last;
    for (PushMessage m : held) {
      deliver(m);
    }
  }

  private void onUnsubscribe(JsonObject frame) {
    if (userId == null) {
      error("not_authenticated", "Send an auth frame first", "unsubscribe");
      return;
    }
    Topic topic = Topic.of(frame.getValue("topic"));
    if (topic == null) {
      error("unknown_topic", "Topics are notifications, files and dashboard", "unsubscribe");
      return;
    }
    subscriptions.remove(topic);
    if (topic == Topic.DASHBOARD) {
      registry.watchDashboard(this, false);
    }
    send(new JsonObject().put("type", "ack").put("of", "unsubscribe").put("topic", topic.wire()));
  }

  /** Writes an event frame, or applies the slow-reader rule when the write queue is full. */
  private void write(Topic topic, String frame) {
    if (ws.writeQueueFull()) {
      metrics.dropped(topic);
      if (topic == Topic.DASHBOARD) {
        return; // the next snapshot supersedes this one
      }
      close(CLOSE_TOO_SLOW, "too slow: catch up from the REST API");
      return;
    }
    ws.writeTextMessage(frame);
    metrics.sent(topic);
  }

  private static JsonObject ack(Topic topic) {
    return new JsonObject().put("type", "ack").put("of", "subscribe").put("topic", topic.wire());
  }

  private static JsonObject errorFrame(String code, String detail, String of) {
    JsonObject f = new JsonObject().put("type", "error").put("code", code).put("detail", detail);
    if (of != null) {
      f.put("of", of);
    }
    return f;
  }

  private void error(String code, String detail, String of) {
    send(errorFrame(code, detail, of));
  }

  private void send(JsonObject frame) {
    if (!closed) {
      ws.writeTextMessage(frame.encode());
    }
  }

  void close(short code, String reason) {
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
    if (authTimer >= 0) {
      vertx.cancelTimer(authTimer);
    }
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    registry.closed(this, userId);
  }
}
