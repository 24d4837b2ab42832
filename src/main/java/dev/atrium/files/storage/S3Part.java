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

  /** Heap blocks of 256 KB: one copy of each byte, large writes to S3, no socket buffer kept. */
  static final class InMemory extends S3Part {
    static final int BLOCK = 256 * 1024;
    private final PartBudget budget;
    private final long taken;
    private final List<Buffer> blocks = new ArrayList<>();
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
        Buffer last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
        if (last == null || last.length() >= BLOCK) {
          last = Buffer.buffer(BLOCK);
          blocks.add(last);
        }
        int n = Math.min(BLOCK - last.length(), chunk.length() - off);
        last.appendBuffer(chunk, off, n);
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
      return s3.putBuffers(op, key, query, headers, List.copyOf(blocks), size);
    }

    @Override
    Future<Void> release() {
      if (!released) {
        released = true;
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
