package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import java.nio.file.Path;

/**
 * A new local object: written to a temporary file ({@link SpoolFile}), then moved atomically to
 * its place. Nothing is read from the client before the file can be written.
 */
final class LocalSink implements ObjectSink {
  private static final CopyOptions ATOMIC = new CopyOptions().setAtomicMove(true);

  private final FileSystem fs;
  private final SpoolFile spool;
  private final Path target;
  private boolean ended;
  private boolean moved;

  LocalSink(FileSystem fs, Path temp, Path target) {
    this.fs = fs;
    this.spool = new SpoolFile(fs, temp);
    this.target = target;
  }

  @Override
  public void write(Buffer chunk) {
    if (!ended) {
      spool.write(chunk);
    }
  }

  @Override
  public boolean writeQueueFull() {
    return !ended && spool.writeQueueFull();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    spool.drainHandler(handler);
  }

  @Override
  public Future<Void> finish() {
    ended = true;
    return spool.close()
        .compose(v -> fs.mkdirs(target.getParent().toString()))
        .compose(v -> fs.move(spool.path().toString(), target.toString(), ATOMIC))
        .onSuccess(v -> moved = true);
  }

  @Override
  public Future<Void> abort() {
    ended = true;
    return spool.discard()
        .compose(v -> moved ? fs.delete(target.toString()).otherwiseEmpty() : Future.<Void>succeededFuture());
  }
}
