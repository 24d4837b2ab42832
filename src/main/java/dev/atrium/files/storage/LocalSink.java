package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A new local object: written to a temporary file, then moved atomically to its place. The
 * queue counts as full until the file is open, so nothing is read from the client before it
 * can be written.
 */
final class LocalSink implements ObjectSink {
  /** Room for 16 socket chunks: the socket keeps delivering while earlier chunks are written. */
  static final int WRITE_QUEUE_BYTES = 1024 * 1024;
  private static final CopyOptions ATOMIC = new CopyOptions().setAtomicMove(true);

  private final FileSystem fs;
  private final Path temp;
  private final Path target;
  private final Future<AsyncFile> opening;
  private final List<Buffer> early = new ArrayList<>();
  private AsyncFile file;
  private Throwable failure;
  private Handler<Void> drain;
  private boolean ended;
  private boolean moved;

  LocalSink(FileSystem fs, Path temp, Path target) {
    this.fs = fs;
    this.temp = temp;
    this.target = target;
    this.opening = fs.open(temp.toString(), new OpenOptions().setWrite(true).setCreateNew(true));
    opening.onComplete(ar -> {
      if (ar.failed()) {
        failure = ar.cause();
      } else {
        file = ar.result();
        file.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        file.exceptionHandler(t -> failure = t);
        file.drainHandler(v -> fireDrain());
        early.forEach(file::write);
        early.clear();
      }
      fireDrain();
    });
  }

  private void fireDrain() {
    Handler<Void> h = drain;
    drain = null;
    if (h != null) {
      h.handle(null);
    }
  }

  @Override
  public void write(Buffer chunk) {
    if (failure != null || ended) {
      return;
    }
    if (file == null) {
      early.add(chunk);
    } else {
      file.write(chunk);
    }
  }

  @Override
  public boolean writeQueueFull() {
    return failure == null && !ended && (file == null || file.writeQueueFull());
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    this.drain = handler;
  }

  @Override
  public Future<Void> finish() {
    ended = true;
    return opening.compose(f -> f.close())
        .compose(v -> failure == null ? Future.<Void>succeededFuture() : Future.failedFuture(failure))
        .compose(v -> fs.mkdirs(target.getParent().toString()))
        .compose(v -> fs.move(temp.toString(), target.toString(), ATOMIC))
        .onSuccess(v -> moved = true);
  }

  @Override
  public Future<Void> abort() {
    ended = true;
    // close() fails on a file that is already closed: whatever happens, the deletes run
    return opening.compose(f -> f.close())
        .transform(ar -> fs.delete(temp.toString()).otherwiseEmpty())
        .compose(v -> moved ? fs.delete(target.toString()).otherwiseEmpty() : Future.<Void>succeededFuture());
  }
}
