package dev.atrium.events;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** {@code status} is {@code ready} or {@code failed}; width and height are null for non-images. */
public record FileProcessed(String fileId, String ownerId, String status, Integer width, Integer height,
                            String error, Instant at) {
  public JsonObject toJson() {
    return new JsonObject().put("file_id", fileId).put("owner_id", ownerId).put("status", status)
        .put("width", width).put("height", height).put("error", error).put("at", Timestamps.format(at));
  }

  public static FileProcessed fromJson(JsonObject j) {
    return new FileProcessed(j.getString("file_id"), j.getString("owner_id"), j.getString("status"),
        j.getInteger("width"), j.getInteger("height"), j.getString("error"), Instant.parse(j.getString("at")));
  }
}
