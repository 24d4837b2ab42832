package dev.atrium.access;

import dev.atrium.db.RedisSubscriber;
import dev.atrium.events.AccessChanged;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Applies what other nodes announce on the access-changed channel (through the node's one
 * {@link RedisSubscriber}). While the subscription is down the access cache is off, so a
 * missed voiding message cannot keep a stale grant alive.
 */
final class AccessChangeBridge implements RedisSubscriber.Listener {
  private final RedisSubscriber subscriber;
  private final AccessChanges changes;
  private final AccessStates states;

  AccessChangeBridge(RedisSubscriber subscriber, AccessChanges changes, AccessStates states) {
    this.subscriber = subscriber;
    this.changes = changes;
    this.states = states;
  }

  /** Completes after the first attempt to subscribe; never fails, so a node can start while Redis is down. */
  Future<Void> start() {
    return subscriber.listen(changes.channel(), this);
  }

  @Override
  public void subscribed(boolean again) {
    states.caching(true); // and what was cached before is dropped: changes may have been missed
  }

  @Override
  public void lost() {
    states.caching(false);
  }

  @Override
  public void message(String payload) {
    JsonObject body = new JsonObject(payload);
    if (changes.nodeId().equals(body.getString("node"))) {
      return; // already applied when this node announced it
    }
    changes.applyLocally(AccessChanged.fromJson(body));
  }
}
