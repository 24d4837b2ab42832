package dev.atrium.analytics;

import dev.atrium.exports.CsvFormat;
import dev.atrium.exports.ExportFormat;
import dev.atrium.exports.Exports;
import dev.atrium.exports.XlsxFormat;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/** The columns of an activities export and the format that writes them. */
final class ActivityExport {
  static final String[] HEADER = {"id", "occurred_at", "received_at", "user_id", "action", "source", "ip",
      "user_agent", "metadata", "client_ip", "client_user_agent"};

  private ActivityExport() {
  }

  static ExportFormat format(boolean xlsx, Exports exports) {
    return xlsx ? new XlsxFormat(exports.workers(), "Activities", HEADER, ActivityExport::fields)
        : new CsvFormat(HEADER, ActivityExport::fields);
  }

  static String[] fields(Row r) {
    JsonObject metadata = ActivityRepository.metadataOf(r);
    return new String[] {
        String.valueOf(r.getUUID("id")),
        text(r.getOffsetDateTime("occurred_at")),
        text(r.getOffsetDateTime("received_at")),
        String.valueOf(r.getUUID("user_id")),
        r.getString("action"),
        r.getString("source"),
        r.getString("ip"),
        r.getString("user_agent"),
        metadata == null ? null : metadata.encode(),
        r.getString("client_ip"),
        r.getString("client_user_agent")};
  }

  private static String text(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
