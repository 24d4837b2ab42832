package dev.atrium.users;

import dev.atrium.access.User;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import java.util.List;
import org.apache.commons.csv.CSVFormat;

/**
 * Streams every user (never a password hash) from a database cursor into the response, as a
 * JSON array or CSV. Memory stays constant for any number of users: rows are fetched in small
 * batches, and the cursor pauses whenever the response's write queue is full.
 */
public final class UserExport {
  static final List<String> COLUMNS = List.of("id", "email", "username", "first_name", "last_name", "phone", "avatar",
      "department", "position", "is_active", "is_staff", "is_superuser", "is_verified", "last_login", "last_login_ip",
      "created_at", "updated_at");
  private static final int CHUNK = 16 * 1024;

  private final UsersAdminRepository repo;

  public UserExport(UsersAdminRepository repo) {
    this.repo = repo;
  }

  public enum Format { JSON, CSV }

  public Future<Void> write(HttpServerResponse resp, Format format) {
    return repo.streamAll(stream -> pump(stream, resp, format));
  }

  private static Future<Void> pump(RowStream<Row> stream, HttpServerResponse resp, Format format) {
    Promise<Void> done = Promise.promise();
    Buffer[] pending = {Buffer.buffer(CHUNK + 1024)};
    boolean[] first = {true};
    pending[0].appendString(format == Format.CSV ? csvLine(COLUMNS.toArray()) : "[");
    resp.closeHandler(v -> done.tryFail("client closed the connection"));
    stream.exceptionHandler(done::tryFail);
    stream.endHandler(v -> {
      pending[0].appendString(format == Format.CSV ? "" : "\n]\n");
      resp.end(pending[0])
          // the client may already have gone away (closeHandler failed the promise)
          .onSuccess(d -> done.tryComplete()).onFailure(done::tryFail);
    });
    stream.handler(row -> {
      JsonObject user = User.from(row).toJson();
      if (format == Format.CSV) {
        Object[] values = new Object[COLUMNS.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = user.getValue(COLUMNS.get(i));
        }
        pending[0].appendString(csvLine(values));
      } else {
        pending[0].appendString(first[0] ? "\n" : ",\n").appendBuffer(user.toBuffer());
        first[0] = false;
      }
      if (pending[0].length() >= CHUNK) {
        resp.write(pending[0]);
        pending[0] = Buffer.buffer(CHUNK + 1024);
        if (resp.writeQueueFull()) {
          stream.pause();
          resp.drainHandler(d -> stream.resume());
        }
      }
    });
    return done.future();
  }

  static String csvLine(Object[] values) {
    return CSVFormat.DEFAULT.format(values) + "\r\n";
  }
}
