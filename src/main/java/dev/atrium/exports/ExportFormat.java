package dev.atrium.exports;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import java.util.List;

/**
 * How an export turns database rows into bytes. {@link ExportPump} asks for one batch at a time
 * and waits for its future before it reads on, so a format may do its work elsewhere (XLSX on
 * a worker) without a second flow-control scheme.
 */
public interface ExportFormat {
  /** Bytes before the first row (a CSV header, a JSON {@code [}). */
  Buffer head();

  /** The bytes of these rows, in order. */
  Future<Buffer> rows(List<Row> rows);

  /** Bytes after the last row. */
  Future<Buffer> tail();
}
