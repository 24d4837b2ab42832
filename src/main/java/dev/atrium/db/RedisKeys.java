package dev.atrium.db;

/** Builds every Redis key and channel name under the deployment's prefix. */
public record RedisKeys(String prefix) {
  public String key(String... parts) {
    return prefix + String.join(":", parts);
  }
}
