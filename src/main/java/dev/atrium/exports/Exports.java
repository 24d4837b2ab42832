package dev.atrium.exports;

import dev.atrium.limits.InFlight;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's streamed exports (users and activities alike). Each export holds a database
 * connection and a transaction for as long as its client reads, so at most
 * {@code ATRIUM_EXPORT_CONCURRENCY} run at once on a node, whatever their kind (then 503
 * {@code export_busy}); a client that reads nothing for {@code ATRIUM_EXPORT_STALL_TIMEOUT} is
 * cut off ({@link ExportPump}). XLSX batches are written on the {@code atrium-export} pool, one
 * thread per admitted export.
 */
public final class Exports {
  private final Vertx vertx;
  private final long stallMs;
  private final WorkerExecutor workers;
  private final InFlight running;

  public Exports(Vertx vertx, int concurrency, Duration stallTimeout) {
    this.vertx = vertx;
    this.running = new InFlight(concurrency);
    this.stallMs = Math.max(1, stallTimeout.toMillis());
    this.workers = vertx.createSharedWorkerExecutor("atrium-export", concurrency, 1, TimeUnit.HOURS);
  }

  /**
   * Runs one export if a slot is free, else throws 503 export_busy. The slot is held until the
   * export's future completes (its cursor closed and its connection returned); only then does
   * the response end with the export's last bytes, so a client that asks for another export as
   * soon as it has its file finds the slot free. A failure after the head went out resets the
   * connection: a truncated file must not look complete.
   */
  public Future<Void> admit(HttpServerResponse resp, Supplier<Future<Buffer>> export) {
    return running.run(export).orElseThrow(
        () -> Problem.retryLater(503, "export_busy", "Too many exports are running; retry shortly", 5))
        .compose(resp::end, failure -> {
          if (resp.headWritten() && !resp.ended() && !resp.closed()) {
            resp.reset();
          }
          return Future.failedFuture(failure);
        });
  }

  /**
   * Streams the cursor into the response in {@code format}; see {@link ExportPump}. The future
   * holds the export's last bytes, for {@link #admit} to end the response with.
   */
  public Future<Buffer> pump(RowStream<Row> rows, HttpServerResponse resp, ExportFormat format) {
    return new ExportPump(vertx, rows, resp, format, stallMs).run();
  }

  /** The pool XLSX batches are written on. */
  public WorkerExecutor workers() {
    return workers;
  }

  public Future<Void> close() {
    return workers.close();
  }
}
