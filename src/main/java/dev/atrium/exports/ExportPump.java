package dev.atrium.exports;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The one way an export moves rows from a database cursor into a response, at the client's
 * pace and in constant memory: rows are taken {@link #BATCH} at a time, the cursor is paused
 * while the batch is encoded and written, and it resumes only when the response can take more
 * (its write queue drained). A client that takes nothing for {@code stallMs} is cut off: the
 * connection is reset, the cursor closed, and its transaction and database connection return
 * to the pool, so a stalled reader cannot hold them for ever.
 *
 * <p>Runs on the event loop of the request; the returned future completes with the export's
 * last bytes, unwritten, once every byte before them is handed to the response (the caller
 * ends the response with them after closing the transaction), or fails when the client left,
 * stalled, or the cursor failed.
 */
final class ExportPump {
  static final int BATCH = 500;

  private final Vertx vertx;
  private final RowStream<Row> rows;
  private final HttpServerResponse resp;
  private final ExportFormat format;
  private final long stallMs;
  private final Promise<Buffer> done = Promise.promise();
  private List<Row> batch = new ArrayList<>(BATCH);
  private boolean cursorEnded;
  private boolean busy; // a batch is being encoded or written; the cursor is paused
  private long stallTimer = -1;

  ExportPump(Vertx vertx, RowStream<Row> rows, HttpServerResponse resp, ExportFormat format, long stallMs) {
    this.vertx = vertx;
    this.rows = rows;
    this.resp = resp;
    this.format = format;
    this.stallMs = stallMs;
  }

  Future<Buffer> run() {
    resp.closeHandler(v -> fail(new ExportException("the client went away")));
    rows.exceptionHandler(this::fail);
    rows.endHandler(v -> {
      cursorEnded = true;
      if (!busy) {
        next(true);
      }
    });
    rows.handler(row -> {
      batch.add(row);
      if (batch.size() >= BATCH && !busy) {
        next(false);
      }
    });
    resp.write(format.head());
    return done.future();
  }

  /** Encodes the rows gathered so far (and the tail after the last ones), then writes them. */
  private void next(boolean last) {
    busy = true;
    if (!last) {
      rows.pause();
    }
    List<Row> chunk = batch;
    batch = new ArrayList<>(BATCH);
    Future<Buffer> bytes = chunk.isEmpty() ? Future.succeededFuture(Buffer.buffer()) : format.rows(chunk);
    if (last) {
      bytes = bytes.compose(b -> format.tail().map(b::appendBuffer));
    }
    bytes.onComplete(ar -> {
      if (done.future().isComplete()) {
        return;
      }
      if (ar.failed()) {
        fail(ar.cause());
      } else if (last) {
        done.tryComplete(ar.result());
      } else {
        resp.write(ar.result());
        if (resp.writeQueueFull()) {
          awaitDrain();
        } else {
          readOn();
        }
      }
    });
  }

  private void awaitDrain() {
    stallTimer = vertx.setTimer(stallMs, id -> {
      stallTimer = -1;
      fail(new ExportException("the client read nothing for " + stallMs + " ms"));
    });
    resp.drainHandler(v -> {
      resp.drainHandler(null);
      vertx.cancelTimer(stallTimer);
      stallTimer = -1;
      readOn();
    });
  }

  private void readOn() {
    if (done.future().isComplete()) {
      return;
    }
    busy = false;
    if (cursorEnded) {
      next(true);
    } else {
      rows.resume();
    }
  }

  private void fail(Throwable cause) {
    if (!done.tryFail(cause)) {
      return;
    }
    if (stallTimer >= 0) {
      vertx.cancelTimer(stallTimer);
    }
    rows.close();
    // Bytes already went out: only a reset tells the client its file is incomplete.
    if (!resp.ended() && !resp.closed()) {
      resp.reset();
    }
  }

  /** Why an export stopped early: the client left or stalled. */
  static final class ExportException extends RuntimeException {
    ExportException(String message) {
      super(message, null, false, false);
    }
  }
}
