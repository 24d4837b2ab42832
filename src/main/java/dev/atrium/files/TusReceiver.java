package dev.atrium.files;

import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Receives the body of one tus {@code PATCH} (or creation-with-upload) into a local spool file,
 * with back-pressure from the disk to the socket, feeding the upload's running SHA-256 and the
 * request's own (for {@code Upload-Checksum}). A body cut off by the client still counts: what
 * arrived is kept (the protocol lets a client resume from there), unless a checksum was asked for.
 */
final class TusReceiver {
  private final FileSystem fs;
  private final Path tmpDir;

  TusReceiver(FileSystem fs, Path tmpDir) {
    this.fs = fs;
    this.tmpDir = tmpDir;
  }

  /** What one request brought: {@code size} bytes in {@code spool}; {@code cut} when the client went away. */
  record Chunk(Path spool, long size, UploadDigest digest, byte[] requestSha256, boolean cut) {
  }

  /**
   * Reads the (paused) request. {@code room}: bytes the upload may still take (more is 413);
   * {@code digestState}: the upload's SHA-256 so far.
   */
  Future<Chunk> receive(HttpServerRequest req, long room, byte[] digestState) {
    Path spool = tmpDir.resolve("tus-" + UUID.randomUUID() + ".chunk");
    Promise<Chunk> done = Promise.promise();
    fs.open(spool.toString(), new OpenOptions().setWrite(true).setCreateNew(true)).onComplete(opened -> {
      if (opened.failed()) {
        done.fail(opened.cause());
        return;
      }
      new Transfer(req, opened.result(), spool, room, digestState, done).start();
    });
    return done.future().onFailure(t -> fs.delete(spool.toString()));
  }

  private static final class Transfer {
    final HttpServerRequest req;
    final AsyncFile file;
    final Path spool;
    final long room;
    final UploadDigest digest;
    final MessageDigest request = sha256();
    final Promise<Chunk> done;
    long size;
    boolean tooLarge;
    boolean finished;

    Transfer(HttpServerRequest req, AsyncFile file, Path spool, long room, byte[] digestState, Promise<Chunk> done) {
      this.req = req;
      this.file = file;
      this.spool = spool;
      this.room = room;
      this.digest = new UploadDigest(digestState == null ? new byte[0] : digestState);
      this.done = done;
    }

    void start() {
      file.setWriteQueueMaxSize(1024 * 1024);
      file.drainHandler(v -> req.resume());
      if (req.isEnded()) {
        finish(false); // an empty body, already read
        return;
      }
      req.handler(this::onChunk);
      req.end().onComplete(ar -> finish(ar.failed()));
      if (req.response().closed()) {
        finish(true);
      }
      req.resume();
    }

    void onChunk(Buffer chunk) {
      if (tooLarge || finished) {
        return; // chunks still queued when the connection dropped are not part of what is stored
      }
      if (size + chunk.length() > room) {
        tooLarge = true;
        return;
      }
      size += chunk.length();
      // one copy of the chunk feeds both hashes (see UploadDigest.update)
      request.update(digest.update(chunk), 0, chunk.length());
      file.write(chunk);
      if (file.writeQueueFull()) {
        req.pause();
      }
    }

    void finish(boolean cut) {
      if (finished) {
        return;
      }
      finished = true;
      file.close().onComplete(closed -> {
        if (tooLarge) {
          done.tryFail(Problem.of(413, "payload_too_large", "The body passes the upload's declared length"));
        } else if (closed.failed()) {
          done.tryFail(closed.cause());
        } else {
          done.tryComplete(new Chunk(spool, size, digest, request.digest(), cut));
        }
      });
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
