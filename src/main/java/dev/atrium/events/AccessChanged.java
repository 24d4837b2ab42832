package dev.atrium.events;

import io.vertx.core.json.JsonObject;

/**
 * Published on every node (through Redis pub/sub) when what a user may do changed: their
 * tokens were voided, a session revoked, or their grants changed. {@code tokensVoided} tells
 * push channels to close that user's sockets.
 */
public record AccessChanged(String userId, boolean tokensVoided) {
  public JsonObject toJson() {
    return new JsonObject().put("user_id", userId).put("tokens_voided", tokensVoided);
  }

  public static AccessChanged fromJson(JsonObject j) {
    return new AccessChanged(j.getString("user_id"), j.getBoolean("tokens_voided", false));
  }
}
