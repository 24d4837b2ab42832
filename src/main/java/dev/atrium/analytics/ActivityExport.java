package dev.atrium.analytics;

import dev.atrium.exports.CsvFormat;
import dev.atrium.exports.ExportFormat;
import dev.atrium.exports.Exports;
import dev.atrium.exports.XlsxFormat;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/**
 * Streams the matching activities from a database cursor into the response, as CSV or XLSX,
 * through the node's one export pump (like the users export): the cursor's read-only
 * transaction is opened here and held until the pump ends, however it ends.
 */
final class ActivityExport {
  static final String[] HEADER = {"id", "occurred_at", "received_at", "user_id", "action", "source", "ip",
      "user_agent", "metadata", "client_ip", "client_user_agent"};
  /** Rows read ahead of the client. */
  static final int FETCH = 500;

  private final Pool pool;
  private final ActivityRepository repository;
  private final Exports exports;

  ActivityExport(Pool pool, ActivityRepository repository, Exports exports) {
    this.pool = pool;
    this.repository = repository;
    this.exports = exports;
  }

  /** Throws 503 export_busy when the node runs its limit of exports already. */
  Future<Void> write(HttpServerResponse resp, ActivityRepository.ExportFilter filter, boolean xlsx, String fileName) {
    return exports.admit(resp, () -> pool.withTransaction(tx -> repository.stream(tx, filter, FETCH).compose(rows -> {
      // Headers only once the cursor is open: a failure before this still answers problem+json.
      resp.setChunked(true)
          .putHeader("Content-Type", xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              : "text/csv; charset=utf-8; header=present")
          .putHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"")
          .putHeader("Cache-Control", "no-store")
          .putHeader("X-Content-Type-Options", "nosniff");
      return exports.pump(rows, resp, format(xlsx, exports));
    })));
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
