package dev.atrium.auth;

import dev.atrium.db.RedisKeys;
import dev.atrium.events.AccessChanged;
import dev.atrium.events.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;

/**
 * Records that a user's tokens are void or their access changed, in Redis where every node
 * reads it, and tells every node at once: this node directly, the others through the
 * {@link #channel()} pub/sub channel that {@link AccessChangeBridge} listens to.
 */
public final class AccessChanges {
  private final Vertx vertx;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final AccessStates states;
  private final String nodeId;
  private final long markTtlSeconds;

  public AccessChanges(Vertx vertx, RedisAPI redis, RedisKeys keys, AccessStates states, String nodeId,
                       Duration accessTtl) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.states = states;
    this.nodeId = nodeId;
    // A mark only matters while tokens issued before it can still be unexpired.
    this.markTtlSeconds = accessTtl.toSeconds() + 60;
  }

  public String channel() {
    return keys.key("access-changed");
  }

  /** Every access token of the user issued before now stops working. */
  public Future<Void> voidAllTokens(String userId) {
    String key = keys.key("access", userId);
    return redis.hset(List.of(key, "nbf", Long.toString(System.currentTimeMillis())))
        .compose(r -> redis.expire(List.of(key, Long.toString(markTtlSeconds))))
        .compose(r -> announce(new AccessChanged(userId, true)));
  }

  /** Access tokens of that one session stop working. */
  public Future<Void> voidSession(String userId, String sessionId) {
    String key = keys.key("access", userId);
    return redis.hset(List.of(key, "s:" + sessionId, "1"))
        .compose(r -> redis.expire(List.of(key, Long.toString(markTtlSeconds))))
        .compose(r -> announce(new AccessChanged(userId, false)));
  }

  /** Grants, roles or the account's flags changed: drop cached permissions everywhere. */
  public Future<Void> permissionsChanged(String userId) {
    return announce(new AccessChanged(userId, false));
  }

  void applyLocally(AccessChanged change) {
    states.invalidate(change.userId());
    vertx.eventBus().publish(Addresses.ACCESS_CHANGED, change.toJson());
  }

  String nodeId() {
    return nodeId;
  }

  private Future<Void> announce(AccessChanged change) {
    applyLocally(change);
    JsonObject message = change.toJson().put("node", nodeId);
    return redis.publish(channel(), message.encode()).mapEmpty();
  }
}
