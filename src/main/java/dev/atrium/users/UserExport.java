package dev.atrium.users;

import dev.atrium.access.User;
import dev.atrium.exports.CsvFormat;
import dev.atrium.exports.ExportFormat;
import dev.atrium.exports.Exports;
import dev.atrium.exports.JsonArrayFormat;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.List;

/**
 * Streams every user (never a password hash) from a database cursor into the response, as a
 * JSON array or CSV, through the node's one export pump: constant memory for any number of
 * users, the cursor paused while the client is slow, cut off when it stalls, and counted
 * against the node's export limit like an activities export. CSV cells go through the formula
 * guard (names are chosen by users).
 */
public final class UserExport {
  static final List<String> COLUMNS = List.of("id", "email", "username", "first_name", "last_name", "phone", "avatar",
      "department", "position", "is_active", "is_staff", "is_superuser", "is_verified", "last_login", "last_login_ip",
      "created_at", "updated_at");

  private final Pool pool;
  private final UsersAdminRepository repo;
  private final Exports exports;

  public UserExport(Pool pool, UsersAdminRepository repo, Exports exports) {
    this.pool = pool;
    this.repo = repo;
    this.exports = exports;
  }

  public enum Format { JSON, CSV }

  /** Throws 503 export_busy when the node runs its limit of exports already. */
  public Future<Void> write(HttpServerResponse resp, Format format, String fileName) {
    boolean csv = format == Format.CSV;
    ExportFormat f = csv ? new CsvFormat(COLUMNS.toArray(new String[0]), UserExport::csvFields)
        : new JsonArrayFormat(row -> User.from(row).toJson());
    // One read-only transaction holds the cursor until the pump ends, however it ends.
    return exports.admit(resp, () -> pool.withTransaction(tx -> repo.streamAll(tx).compose(stream -> {
      // Headers only once the cursor is open: a failure before this still answers problem+json.
      resp.setChunked(true)
          .putHeader("Content-Type", csv ? "text/csv; charset=utf-8" : "application/json")
          .putHeader("Content-Disposition", "attachment; filename=\"" + fileName + "\"")
          .putHeader("Cache-Control", "no-store");
      return exports.pump(stream, resp, f);
    })));
  }

  static String[] csvFields(Row row) {
    JsonObject user = User.from(row).toJson();
    String[] values = new String[COLUMNS.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = user.getValue(COLUMNS.get(i));
      values[i] = v == null ? null : v.toString();
    }
    return values;
  }
}
