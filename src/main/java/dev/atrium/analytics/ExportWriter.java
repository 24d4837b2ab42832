package dev.atrium.analytics;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;

/**
 * Streams a cursor of activities into an HTTP response, in constant memory and at the pace of
 * the client: when the response's write queue is full the cursor is paused (and stops
 * fetching), and resumed on drain. CSV is formatted on the event loop. XLSX goes through
 * fastexcel, which writes to a blocking {@link OutputStream}, so it runs on a worker thread:
 * the event loop hands it rows through a small queue, and it hands back 64 KB chunks with at
 * most {@link #CHUNKS_IN_FLIGHT} unwritten at a time.
 */
public final class ExportWriter {
  static final String[] HEADER = {"id", "occurred_at", "received_at", "user_id", "action", "source", "ip",
      "user_agent", "metadata"};
  static final int CHUNK = 64 * 1024;
  static final int CHUNKS_IN_FLIGHT = 4;
  static final int ROWS_HIGH = 2_000;
  static final int ROWS_LOW = 500;
  /** Excel's limit is 1,048,576 rows per sheet; a longer export continues on the next sheet. */
  static final int ROWS_PER_SHEET = 1_000_000;

  private ExportWriter() {
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
        metadata == null ? null : metadata.encode()};
  }

  private static String text(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  /** CSV on the calling event loop; completes when the last byte is handed to the response. */
  public static Future<Void> csv(RowStream<Row> rows, HttpServerResponse resp) {
    Promise<Void> done = Promise.promise();
    StringBuilder chunk = new StringBuilder(CHUNK + 1024);
    Csv.appendRecord(chunk, HEADER);
    resp.closeHandler(v -> {
      if (done.tryFail("the client went away")) {
        rows.close();
      }
    });
    rows.exceptionHandler(t -> {
      if (done.tryFail(t)) {
        rows.close();
      }
    });
    rows.endHandler(v -> {
      if (!done.future().isComplete()) {
        resp.end(Buffer.buffer(chunk.toString()))
            // the client may already have gone away (closeHandler failed the promise)
            .onSuccess(d -> done.tryComplete()).onFailure(done::tryFail);
      }
    });
    rows.handler(row -> {
      Csv.appendRecord(chunk, fields(row));
      if (chunk.length() >= CHUNK) {
        resp.write(Buffer.buffer(chunk.toString().getBytes(StandardCharsets.UTF_8)));
        chunk.setLength(0);
        if (resp.writeQueueFull()) {
          rows.pause();
          resp.drainHandler(d -> rows.resume());
        }
      }
    });
    return done.future();
  }

  /** XLSX through fastexcel on {@code workers}; the rows arrive on {@code loop}. */
  public static Future<Void> xlsx(RowStream<Row> rows, HttpServerResponse resp, Context loop, WorkerExecutor workers) {
    return new XlsxExport(rows, resp, loop).run(workers);
  }

  /** One XLSX export: the row hand-off, the chunk hand-back and the cancellation flag. */
  private static final class XlsxExport {
    private static final Object END = new Object();
    private final RowStream<Row> rows;
    private final HttpServerResponse resp;
    private final Context loop;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private final Semaphore chunks = new Semaphore(CHUNKS_IN_FLIGHT);
    private int awaitingDrain; // event loop only

    XlsxExport(RowStream<Row> rows, HttpServerResponse resp, Context loop) {
      this.rows = rows;
      this.resp = resp;
      this.loop = loop;
    }

    Future<Void> run(WorkerExecutor workers) {
      resp.closeHandler(v -> abort());
      rows.exceptionHandler(t -> {
        queue.add(t);
        rows.close();
      });
      rows.endHandler(v -> queue.add(END));
      rows.handler(row -> {
        queue.add(fields(row));
        if (queue.size() >= ROWS_HIGH && paused.compareAndSet(false, true)) {
          rows.pause();
        }
      });
      return workers.executeBlocking(this::write, false)
          .compose(v -> resp.end())
          .onFailure(t -> abort());
    }

    private void abort() {
      if (aborted.compareAndSet(false, true)) {
        loop.runOnContext(v -> rows.close());
      }
    }

    /** Worker thread: rows in, workbook bytes out. */
    private Void write() throws Exception {
      try (OutputStream out = new ChunkStream(); Workbook wb = new Workbook(out, "Atrium", "1.0")) {
        Worksheet ws = null;
        int sheet = 0;
        int r = 0;
        while (true) {
          Object next = queue.poll(200, TimeUnit.MILLISECONDS);
          if (aborted.get()) {
            throw new IOException("export cancelled");
          }
          if (next == null) {
            continue;
          }
          if (next == END) {
            break;
          }
          if (next instanceof Throwable t) {
            throw new IOException("export cursor failed", t);
          }
          if (ws == null || r > ROWS_PER_SHEET) {
            if (ws != null) {
              ws.finish();
            }
            ws = wb.newWorksheet(sheet == 0 ? "Activities" : "Activities " + (sheet + 1));
            sheet++;
            for (int c = 0; c < HEADER.length; c++) {
              ws.inlineString(0, c, HEADER[c]);
            }
            r = 1;
          }
          String[] f = (String[]) next;
          for (int c = 0; c < f.length; c++) {
            if (f[c] != null) {
              ws.inlineString(r, c, f[c]); // inline: no shared-string table growing with the export
            }
          }
          r++;
          if (r % 1000 == 0) {
            ws.flush(); // fastexcel keeps rows until flushed
          }
          if (queue.size() < ROWS_LOW && paused.compareAndSet(true, false)) {
            loop.runOnContext(v -> rows.resume());
          }
        }
        if (ws == null) {
          ws = wb.newWorksheet("Activities");
          for (int c = 0; c < HEADER.length; c++) {
            ws.inlineString(0, c, HEADER[c]);
          }
        }
        wb.finish();
      }
      return null;
    }

    /** Hands the workbook's bytes to the event loop in chunks, blocking while too many are unwritten. */
    private final class ChunkStream extends OutputStream {
      private byte[] buf = new byte[CHUNK];
      private int len;

      @Override
      public void write(int b) throws IOException {
        if (len == buf.length) {
          send();
        }
        buf[len++] = (byte) b;
      }

      @Override
      public void write(byte[] b, int off, int n) throws IOException {
        while (n > 0) {
          if (len == buf.length) {
            send();
          }
          int k = Math.min(n, buf.length - len);
          System.arraycopy(b, off, buf, len, k);
          len += k;
          off += k;
          n -= k;
        }
      }

      @Override
      public void close() throws IOException {
        if (len > 0) {
          send();
        }
      }

      private void send() throws IOException {
        try {
          while (!chunks.tryAcquire(200, TimeUnit.MILLISECONDS)) {
            if (aborted.get()) {
              throw new IOException("export cancelled");
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        Buffer chunk = Buffer.buffer(len).appendBytes(buf, 0, len);
        buf = new byte[CHUNK];
        len = 0;
        loop.runOnContext(v -> resp.write(chunk).onComplete(ar -> {
          if (resp.writeQueueFull()) {
            if (awaitingDrain++ == 0) {
              resp.drainHandler(d -> {
                chunks.release(awaitingDrain);
                awaitingDrain = 0;
              });
            }
          } else {
            chunks.release();
          }
        }));
      }
    }
  }
}
