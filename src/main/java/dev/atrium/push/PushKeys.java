package dev.atrium.push;

import dev.atrium.db.RedisKeys;

/**
 * Redis names of the push channel. A user's counter and replay stream share a hash tag so a
 * script can touch both on a Redis Cluster too.
 */
public record PushKeys(RedisKeys keys) {
  public String channel() {
    return keys.key("push", "events");
  }

  public String sequence(String userId) {
    return keys.key("push", "{" + userId + "}", "seq");
  }

  public String stream(String userId) {
    return keys.key("push", "{" + userId + "}", "events");
  }

  /** The content shared by every recipient of one notification send, stored once. */
  public String content(String batchId) {
    return keys.key("push", "content", batchId);
  }

  public String dashboardSequence() {
    return keys.key("push", "dashboard", "seq");
  }
}
