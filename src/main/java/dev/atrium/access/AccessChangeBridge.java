package dev.atrium.access;

import dev.atrium.events.AccessChanged;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the access-changed channel with its own Redis connection and applies what other
 * nodes announce. Reconnects after a loss (a closed connection, or one that stops answering the
 * keep-alive ping of {@code TimedRedis}); while disconnected the access cache is off, so a missed
 * voiding message cannot keep a stale grant alive.
 */
public final class AccessChangeBridge {
  private static final Logger LOG = LoggerFactory.getLogger(AccessChangeBridge.class);
  private static final long RETRY_MS = 1_000;

  private final Vertx vertx;
  private final Redis redis;
  private final AccessChanges changes;
  private final AccessStates states;
  private RedisConnection connection;
  private boolean stopped;

  public AccessChangeBridge(Vertx vertx, Redis redis, AccessChanges changes, AccessStates states) {
    this.vertx = vertx;
    this.redis = redis;
    this.changes = changes;
    this.states = states;
  }

  /** Starts connecting; never fails, so a node can start while Redis is down. */
  public void start() {
    connect();
  }

  public Future<Void> stop() {
    stopped = true;
    return connection == null ? Future.succeededFuture() : connection.close();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    redis.connect()
        .compose(conn -> {
          connection = conn;
          conn.handler(this::onMessage);
          conn.exceptionHandler(e -> LOG.warn("Access-change subscription failed: {}", e.getMessage()));
          conn.endHandler(v -> reconnect());
          return RedisAPI.api(conn).subscribe(List.of(changes.channel()));
        })
        .onSuccess(v -> states.caching(true)) // and what was cached before is dropped: changes may have been missed
        .onFailure(e -> {
          LOG.warn("Cannot subscribe to access changes, retrying: {}", e.getMessage());
          reconnect();
        });
  }

  private void reconnect() {
    connection = null;
    states.caching(false);
    if (!stopped) {
      vertx.setTimer(RETRY_MS, id -> connect());
    }
  }

  private void onMessage(Response push) {
    if (push.type() != ResponseType.PUSH || push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return;
    }
    JsonObject body = new JsonObject(push.get(2).toString());
    if (changes.nodeId().equals(body.getString("node"))) {
      return; // already applied when this node announced it
    }
    changes.applyLocally(AccessChanged.fromJson(body));
  }
}
