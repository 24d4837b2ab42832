package dev.atrium.exports;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.function.Function;

/** CSV through {@link CsvWriter}: a header record, then one record per row; formatted on the event loop. */
public final class CsvFormat implements ExportFormat {
  private final String[] header;
  private final Function<Row, String[]> fields;

  public CsvFormat(String[] header, Function<Row, String[]> fields) {
    this.header = header.clone();
    this.fields = fields;
  }

  @Override
  public Buffer head() {
    StringBuilder b = new StringBuilder(256);
    CsvWriter.appendRecord(b, header);
    return Buffer.buffer(b.toString());
  }

  @Override
  public Future<Buffer> rows(List<Row> rows) {
    StringBuilder b = new StringBuilder(rows.size() * 160);
    for (Row r : rows) {
      CsvWriter.appendRecord(b, fields.apply(r));
    }
    return Future.succeededFuture(Buffer.buffer(b.toString()));
  }

  @Override
  public Future<Buffer> tail() {
    return Future.succeededFuture(Buffer.buffer());
  }
}
