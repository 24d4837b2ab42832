package dev.atrium.exports;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.function.Function;

/** A JSON array with one object per line; formatted on the event loop. */
public final class JsonArrayFormat implements ExportFormat {
  private final Function<Row, JsonObject> json;
  private boolean first = true;

  public JsonArrayFormat(Function<Row, JsonObject> json) {
    this.json = json;
  }

  @Override
  public Buffer head() {
    return Buffer.buffer("[");
  }

  @Override
  public Future<Buffer> rows(List<Row> rows) {
    Buffer b = Buffer.buffer(rows.size() * 400);
    for (Row r : rows) {
      b.appendString(first ? "\n" : ",\n").appendBuffer(json.apply(r).toBuffer());
      first = false;
    }
    return Future.succeededFuture(b);
  }

  @Override
  public Future<Buffer> tail() {
    return Future.succeededFuture(Buffer.buffer("\n]\n"));
  }
}
