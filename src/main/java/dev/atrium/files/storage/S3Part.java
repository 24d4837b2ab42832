package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bytes of one part of an S3 upload, gathered until the part is full and then sent (S3
 * needs each request's length up front): in memory when the {@link PartBudget} has room, else in
 * a local spool file. {@link #release()} gives back what the part held, once, after it was sent
 * or given up.
 */
abstract class S3Part {
  abstract void write(Buffer chunk);

  abstract long size();

  /** True while the part cannot take more (a spool file catching up with the disk). */
  abstract boolean writeQueueFull();

  abstract void drainHandler(Handler<Void> handler);

  /** Sends the bytes as the body of a PUT (PutObject or UploadPart); the answer's headers carry the ETag. */
  abstract Future<S3Client.Answer> send(S3Client s3, String op, String key, Map<String, String> query,
                                        Map<String, String> headers);

  abstract Future<Void> release();

  static S3Part create(PartBudget budget, long partSize, FileSystem fs, Path spool) {
    return budget.tryTake(partSize) ? new InMemory(budget, partSize) : new Spooled(new SpoolFile(fs, spool));
  }

  /**
   * Heap blocks of the {@link PartBudget}: one copy of each byte, large writes to S3, no socket
   * buffer kept; the blocks go back to the budget once the part's request has been answered.
   */
  static final class InMemory extends S3Part {
    private final PartBudget budget;
    private final long taken;
    private final List<Buffer> blocks = new ArrayList<>();
    /** Bytes in the last block. */
    private int fill = PartBudget.BLOCK;
    private long size;
    private boolean released;

    InMemory(PartBudget budget, long taken) {
      this.budget = budget;
      this.taken = taken;
    }

    @Override
    void write(Buffer chunk) {
      int off = 0;
      while (off < chunk.length()) {
        if (fill == PartBudget.BLOCK) {
          blocks.add(budget.block());
          fill = 0;
        }
        int n = Math.min(PartBudget.BLOCK - fill, chunk.length() - off);
        blocks.get(blocks.size() - 1).setBuffer(fill, chunk, off, n);
        fill += n;
        off += n;
      }
      size += chunk.length();
    }

    @Override
    long size() {
      return size;
    }

    @Override
    boolean writeQueueFull() {
      return false;
    }

    @Override
    void drainHandler(Handler<Void> handler) {
    }

    @Override
    Future<S3Client.Answer> send(S3Client s3, String op, String key, Map<String, String> query,
                                 Map<String, String> headers) {
      List<Buffer> views = new ArrayList<>(blocks.size());
      for (int i = 0; i < blocks.size(); i++) {
        views.add(blocks.get(i).slice(0, i == blocks.size() - 1 ? fill : PartBudget.BLOCK));
      }
      return s3.putBuffers(op, key, query, headers, views, size);
    }

    @Override
    Future<Void> release() {
      if (!released) {
        released = true;
        budget.recycle(blocks);
        blocks.clear();
        budget.giveBack(taken);
      }
      return Future.succeededFuture();
    }
  }

  /** A local file: when the node's part memory is taken by other uploads. */
  static final class Spooled extends S3Part {
    private final SpoolFile file;

    Spooled(SpoolFile file) {
      this.file = file;
    }

    @Override
    void write(Buffer chunk) {
      file.write(chunk);
    }

    @Override
    long size() {
      return file.size();
    }

    @Override
    boolean writeQueueFull() {
      return file.writeQueueFull();
    }

    @Override
    void drainHandler(Handler<Void> handler) {
      file.drainHandler(handler);
    }

    @Override
    Future<S3Client.Answer> send(S3Client s3, String op, String key, Map<String, String> query,
                                 Map<String, String> headers) {
      return file.close().compose(v -> s3.putFile(op, key, query, file.path(), 0, file.size(), headers));
    }

    @Override
    Future<Void> release() {
      return file.discard();
    }
  }
}
