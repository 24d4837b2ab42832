package dev.atrium.access;

import dev.atrium.db.RedisKeys;
import dev.atrium.events.AccessChanged;
import dev.atrium.events.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every node that a user's access changed, after the change committed in PostgreSQL:
 * this node at once (its cache and the event bus), the others through the {@link #channel()}
 * pub/sub channel that {@link AccessChangeBridge} listens to. PostgreSQL holds the truth, so a
 * failed publish is logged, not failed: other nodes' caches forget within half a second.
 */
public final class AccessChanges {
  private static final Logger LOG = LoggerFactory.getLogger(AccessChanges.class);

  private final Vertx vertx;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final AccessStates states;
  private final AccessRepository repository;
  private final String nodeId;

  public AccessChanges(Vertx vertx, RedisAPI redis, RedisKeys keys, AccessStates states, AccessRepository repository,
                       String nodeId) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.states = states;
    this.repository = repository;
    this.nodeId = nodeId;
  }

  public String channel() {
    return keys.key("access-changed");
  }

  /** Stores that every access token and API key of the user issued before now is void, then announces it. */
  public Future<Void> voidAllTokens(String userId) {
    return repository.voidCredentials(UUID.fromString(userId), System.currentTimeMillis())
        .compose(v -> tokensVoided(userId));
  }

  /** Announces a void-everything mark that the caller's transaction already stored. */
  public Future<Void> tokensVoided(String userId) {
    return announce(new AccessChanged(userId, true));
  }

  /** Announces that one session (already marked revoked in PostgreSQL) ended. */
  public Future<Void> sessionRevoked(String userId) {
    return announce(new AccessChanged(userId, false));
  }

  /** Grants, roles, keys or the account's flags changed: drop cached access everywhere. */
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
    return redis.publish(channel(), message.encode())
        .onFailure(t -> LOG.warn("Cannot announce an access change to other nodes (their caches expire it): {}",
            t.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}
