package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A new temporary file written chunk by chunk with back-pressure, usable before it is open: the
 * queue counts as full until then, so the writer holds back, and the few chunks already in
 * flight wait in order. A failure (opening or writing) is kept for {@link #close()} to report
 * and releases the writer, which reads on and drops the rest. Shared by {@link LocalSink} and
 * the spooled parts of {@link S3Sink}.
 */
final class SpoolFile {
  /** Room for 16 socket chunks: the socket keeps delivering while earlier chunks are written. */
  static final int WRITE_QUEUE_BYTES = 1024 * 1024;

  private final FileSystem fs;
  private final Path path;
  /** Completes once the file is set up and the early chunks are queued: close() waits for it. */
  private final Promise<AsyncFile> opened = Promise.promise();
  private final List<Buffer> early = new ArrayList<>();
  private AsyncFile file;
  private Throwable failure;
  private Handler<Void> drain;
  private long size;

  SpoolFile(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
    fs.open(path.toString(), new OpenOptions().setWrite(true).setCreateNew(true)).onComplete(ar -> {
      if (ar.failed()) {
        failure = ar.cause();
        opened.fail(ar.cause());
      } else {
        file = ar.result();
        file.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        file.exceptionHandler(this::fail);
        file.drainHandler(v -> fireDrain());
        early.forEach(file::write);
        early.clear();
        opened.complete(file);
      }
      fireDrain();
    });
  }

  Path path() {
    return path;
  }

  long size() {
    return size;
  }

  Throwable failure() {
    return failure;
  }

  private void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
    fireDrain();
  }

  private void fireDrain() {
    Handler<Void> h = drain;
    drain = null;
    if (h != null) {
      h.handle(null);
    }
  }

  void write(Buffer chunk) {
    if (failure != null) {
      return;
    }
    size += chunk.length();
    if (file == null) {
      early.add(chunk);
    } else {
      file.write(chunk);
    }
  }

  boolean writeQueueFull() {
    return failure == null && (file == null || file.writeQueueFull());
  }

  /** Called once when the queue has room again, or when the file failed. */
  void drainHandler(Handler<Void> handler) {
    this.drain = handler;
  }

  /** Waits for every write; fails with the first failure. */
  Future<Void> close() {
    return opened.future().compose(AsyncFile::close)
        .compose(v -> failure == null ? Future.<Void>succeededFuture() : Future.failedFuture(failure));
  }

  /** Closes (if it can) and removes the file; never fails. */
  Future<Void> discard() {
    // close() fails on a file that is already closed: whatever happens, the delete runs
    return opened.future().compose(AsyncFile::close).transform(ar -> fs.delete(path.toString()).otherwiseEmpty());
  }
}
