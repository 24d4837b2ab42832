package dev.atrium.events;

import dev.atrium.api.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

// Same shape as FileProcessed: kept apart, each event spells out its own wire names (no reflective mapper).
public record FileUploaded(String fileId, String ownerId, String filename, long size, String contentType,
                           String sha256, Instant at) {
  public JsonObject toJson() {
    return new JsonObject().put("file_id", fileId).put("owner_id", ownerId).put("filename", filename)
        .put("size", size).put("content_type", contentType).put("sha256", sha256).put("at", Timestamps.format(at));
  }

  public static FileUploaded fromJson(JsonObject j) {
    return new FileUploaded(j.getString("file_id"), j.getString("owner_id"), j.getString("filename"),
        j.getLong("size"), j.getString("content_type"), j.getString("sha256"), Instant.parse(j.getString("at")));
  }
}
