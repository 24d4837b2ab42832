package dev.atrium.files;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One row of {@code files}. */
public record FileRecord(
    UUID id,
    UUID ownerId,
    String filename,
    String storageKey,
    long size,
    String contentType,
    String sha256,
    String status,
    Integer width,
    Integer height,
    boolean hasThumbnail,
    String error,
    OffsetDateTime createdAt,
    OffsetDateTime processedAt) {

  static final String COLUMNS = "id, owner_id, filename, storage_key, size, content_type, sha256, status, width,"
      + " height, has_thumbnail, error, created_at, processed_at";

  static FileRecord from(Row r) {
    return new FileRecord(r.getUUID("id"), r.getUUID("owner_id"), r.getString("filename"),
        r.getString("storage_key"), r.getLong("size"), r.getString("content_type"), r.getString("sha256"),
        r.getString("status"), r.getInteger("width"), r.getInteger("height"), r.getBoolean("has_thumbnail"),
        r.getString("error"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("processed_at"));
  }

  /** The strong entity tag of the bytes. */
  public String etag() {
    return "\"" + sha256 + "\"";
  }
}
