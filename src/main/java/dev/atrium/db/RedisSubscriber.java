package dev.atrium.db;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one Redis pub/sub connection. Modules {@link #listen} to channels; the connection
 * is opened on first use and, after a loss (closed, or silent to {@link TimedRedis}'s keep-alive
 * ping), reopened every second with every channel subscribed again. Each listener hears its
 * messages, and when its subscription comes and goes, on the context it listened from, so a
 * verticle's listener stays on its own event loop. All state lives on one context of its own.
 */
public final class RedisSubscriber {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriber.class);
  private static final long RETRY_MS = 1_000;

  /** What a module does with one channel. Messages published while it was not subscribed are lost. */
  public interface Listener {
    void message(String payload);

    /** Subscribed; {@code again} after a loss, when messages may have been missed meanwhile. */
    default void subscribed(boolean again) {
    }

    /** The subscription was lost; {@link #subscribed} follows when it is back. */
    default void lost() {
    }
  }

  private final class Channel {
    final Listener listener;
    final Context context;
    /** Completed after the first attempt to subscribe, whatever its outcome. */
    final Promise<Void> firstAttempt = Promise.promise();
    boolean subscribed;
    boolean everSubscribed;

    Channel(Listener listener, Context context) {
      this.listener = listener;
      this.context = context;
    }

    void up() {
      subscribed = true;
      boolean again = everSubscribed;
      everSubscribed = true;
      context.runOnContext(v -> listener.subscribed(again));
      firstAttempt.tryComplete();
    }

    void down() {
      if (subscribed) {
        subscribed = false;
        context.runOnContext(v -> listener.lost());
      }
    }
  }

  private final Vertx vertx;
  private final Redis redis;
  private final Context context;
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private RedisConnection connection;
  private boolean connecting;
  private boolean stopped;

  public RedisSubscriber(Vertx vertx, Redis redis) {
    this.vertx = vertx;
    this.redis = redis;
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Subscribes {@code channel} for good (one listener per channel). The future completes after
   * the first attempt, even a failed one, so a node can start while Redis is down.
   */
  public Future<Void> listen(String channel, Listener listener) {
    Channel entry = new Channel(listener, vertx.getOrCreateContext());
    context.runOnContext(v -> {
      if (channels.putIfAbsent(channel, entry) != null) {
        entry.firstAttempt.fail(new IllegalStateException("Channel " + channel + " already has a listener"));
        return;
      }
      ensure();
    });
    return entry.firstAttempt.future();
  }

  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      RedisConnection conn = connection;
      connection = null;
      (conn == null ? Future.<Void>succeededFuture() : conn.close().otherwiseEmpty()).onComplete(closed);
    });
    return closed.future();
  }

  /** Connects, or subscribes the channels the live connection lacks. Runs on {@link #context}. */
  private void ensure() {
    if (stopped) {
      return;
    }
    if (connection == null) {
      if (!connecting) {
        connect();
      }
      return;
    }
    List<String> missing = new ArrayList<>();
    channels.forEach((name, channel) -> {
      if (!channel.subscribed) {
        missing.add(name);
      }
    });
    if (missing.isEmpty()) {
      return;
    }
    RedisConnection conn = connection;
    RedisAPI.api(conn).subscribe(missing)
        .onSuccess(r -> {
          if (conn == connection) {
            missing.forEach(name -> channels.get(name).up());
          }
        })
        .onFailure(e -> {
          LOG.warn("Cannot subscribe to {}, reconnecting: {}", missing, e.getMessage());
          missing.forEach(name -> channels.get(name).firstAttempt.tryComplete());
          if (lose(conn)) {
            conn.close();
          }
        });
  }

  private void connect() {
    connecting = true;
    redis.connect().onComplete(ar -> {
      connecting = false;
      if (ar.failed()) {
        LOG.warn("Cannot open the Redis subscription, retrying: {}", ar.cause().getMessage());
        channels.values().forEach(c -> c.firstAttempt.tryComplete());
        retryLater();
        return;
      }
      RedisConnection conn = ar.result();
      if (stopped) {
        conn.close();
        return;
      }
      connection = conn;
      conn.handler(this::onPush);
      conn.exceptionHandler(e -> {
        // The client reports a broken connection here (and marks it closed) rather than always
        // through the end handler, so a failure counts as a loss too.
        LOG.warn("Redis subscription failed: {}", e.getMessage());
        if (lose(conn)) {
          conn.close();
        }
      });
      conn.endHandler(v -> lose(conn));
      ensure();
    });
  }

  /** The connection is gone: every listener hears so, and a new one is opened in a second. */
  private boolean lose(RedisConnection conn) {
    if (conn != connection) {
      return false;
    }
    connection = null;
    channels.values().forEach(Channel::down);
    retryLater();
    return true;
  }

  private void retryLater() {
    if (!stopped) {
      vertx.setTimer(RETRY_MS, id -> context.runOnContext(v -> ensure()));
    }
  }

  private void onPush(Response push) {
    if (push.type() != ResponseType.PUSH || push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return; // subscribe confirmations and the like
    }
    Channel channel = channels.get(push.get(1).toString());
    if (channel != null) {
      String payload = push.get(2).toString();
      channel.context.runOnContext(v -> channel.listener.message(payload));
    }
  }
}
