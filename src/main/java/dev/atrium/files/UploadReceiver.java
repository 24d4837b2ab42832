package dev.atrium.files;

import dev.atrium.api.Problem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Streams one multipart request's {@code files} parts from the socket to temporary files in the
 * data directory, hashing (SHA-256) and sniffing each part on the way, with back-pressure from
 * the disk to the socket: memory does not grow with file size. A part over the size limit or
 * over the owner's remaining quota is cut off and reported; the request as a whole fails (and
 * every temporary file is deleted) on an 11th file, a truncated body, an oversized body or a
 * client that goes away.
 */
public final class UploadReceiver {
  public static final String FIELD = "files";
  private static final int WRITE_QUEUE_BYTES = 1024 * 1024;

  private final FileStore store;
  private final long maxFileSize;
  private final int maxFiles;
  private final long maxBodyBytes;

  public UploadReceiver(FileStore store, long maxFileSize, int maxFiles, long maxBodyBytes) {
    this.store = store;
    this.maxFileSize = maxFileSize;
    this.maxFiles = maxFiles;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** What became of one part of the field {@code files}. */
  public sealed interface Part {
    String filename();
  }

  /** Received whole into {@code temp}; the caller moves it into place or deletes it. */
  public record Received(String filename, String declaredType, Path temp, long size, String sha256,
                         String contentType) implements Part {
  }

  public record Rejected(String filename, String code, String message) implements Part {
  }

  /**
   * Starts receiving; must be called in the same event-loop turn the handler was called in
   * (before any body chunk is delivered). {@code quotaLeft} answers how many bytes the owner may
   * still add (Long.MAX_VALUE while unknown); it only cuts parts off early, the authoritative
   * check is the one made when the row is written.
   */
  public Future<List<Part>> receive(HttpServerRequest req, LongSupplier quotaLeft) {
    Batch batch = new Batch(quotaLeft);
    req.setExpectMultipart(true);
    req.uploadHandler(batch::onUpload);
    req.exceptionHandler(batch::fail);
    req.end().onComplete(ar -> {
      if (ar.failed()) {
        batch.fail(ar.cause());
      } else {
        batch.requestEnded();
      }
    });
    return batch.outcome.future();
  }

  private final class Batch {
    final LongSupplier quotaLeft;
    final List<Sink> sinks = new ArrayList<>();
    final Promise<List<Part>> outcome = Promise.promise();
    long totalBytes;
    boolean failed;
    boolean requestEnded;
    boolean settled;

    Batch(LongSupplier quotaLeft) {
      this.quotaLeft = quotaLeft;
    }

    void onUpload(HttpServerFileUpload up) {
      if (failed) {
        up.handler(b -> { });
        return;
      }
      if (!FIELD.equals(up.name()) || up.filename() == null || up.filename().isBlank()) {
        // other fields, and a form's empty file input (no file name), are read past; they
        // still count against the body limit
        up.handler(this::countOnly);
        return;
      }
      if (sinks.size() >= maxFiles) {
        fail(Problem.of(400, "too_many_files", "At most " + maxFiles + " files per request"));
        up.handler(b -> { });
        return;
      }
      Sink sink = new Sink(this, up);
      sinks.add(sink);
      sink.start();
    }

    void countOnly(Buffer b) {
      totalBytes += b.length();
      if (totalBytes > maxBodyBytes) {
        fail(Problem.of(413, "payload_too_large", "The request body is larger than " + maxBodyBytes + " bytes"));
      }
    }

    void requestEnded() {
      requestEnded = true;
      if (!failed && sinks.isEmpty()) {
        fail(Problem.field("missing_files", FIELD, "Send the files in the multipart field 'files'"));
        return;
      }
      settle();
    }

    /**
     * Once the request has ended, every part must end too. A part that we paused (its file was
     * opening, or the disk was behind) still has events queued, so it is looked at again after
     * it resumes; a part that is neither ended nor held back was cut off by the end of the body.
     */
    void settle() {
      if (failed || !requestEnded || settled) {
        return;
      }
      for (Sink s : sinks) {
        if (!s.ended && !s.holding()) {
          fail(Problem.of(400, "malformed_multipart", "The multipart body ended in the middle of a file"));
          return;
        }
      }
      for (Sink s : sinks) {
        if (!s.ended) {
          return; // settle() runs again once that part's queued events are delivered
        }
      }
      settled = true;
      List<Future<Part>> parts = sinks.stream().map(s -> s.done.future()).toList();
      Future.all(parts).onComplete(ar -> {
        if (ar.failed()) {
          settled = false;
          fail(ar.cause());
        } else {
          List<Part> out = new ArrayList<>(parts.size());
          parts.forEach(p -> {
            if (p.result() != null) {
              out.add(p.result());
            }
          });
          outcome.tryComplete(out);
        }
      });
    }

    /**
     * Ends the batch in failure and deletes every temporary file it wrote. Once every part has
     * been received whole the batch is no longer failed by the connection: the files are
     * committed even if the client does not wait for the answer.
     */
    void fail(Throwable cause) {
      if (failed || settled) {
        return;
      }
      failed = true;
      List<Future<Void>> cleanups = new ArrayList<>();
      sinks.forEach(s -> cleanups.add(s.discard()));
      Future.join(cleanups).onComplete(v -> outcome.tryFail(cause));
    }
  }

  /** One file part on its way to a temporary file. */
  private final class Sink {
    final Batch batch;
    final HttpServerFileUpload up;
    final String filename;
    final Path temp = store.tempFile();
    final MessageDigest sha = sha256();
    final byte[] head = new byte[ContentSniffer.HEAD];
    final Promise<Part> done = Promise.promise();
    Future<AsyncFile> file;
    int headLength;
    long size;
    boolean ended;
    /** Paused by us (file opening, disk behind). */
    boolean paused;
    /** Resumed, but the events queued while paused are delivered on a later turn. */
    int pendingDrains;
    Rejected rejected;

    Sink(Batch batch, HttpServerFileUpload up) {
      this.batch = batch;
      this.up = up;
      this.filename = FileNames.sanitize(up.filename());
    }

    void start() {
      hold(); // nothing may arrive before the file is open
      up.handler(this::onChunk);
      up.endHandler(v -> onEnd());
      up.exceptionHandler(batch::fail);
      file = store.fs().open(temp.toString(), new OpenOptions().setWrite(true).setCreateNew(true));
      file.onComplete(ar -> {
        if (ar.failed()) {
          batch.fail(ar.cause());
        } else if (batch.failed) {
          discard();
        } else {
          // Room for 16 chunks lets the socket keep delivering while earlier chunks are
          // written; with the default 128 KB the two stopped and started every other chunk.
          ar.result().setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
          release();
        }
      });
    }

    /** Whether events of this part may still be queued: it cannot be judged truncated yet. */
    boolean holding() {
      return paused || pendingDrains > 0;
    }

    void hold() {
      paused = true;
      up.pause();
    }

    /**
     * Resumes the part. The upload delivers what it queued on a later event-loop turn, so the
     * part counts as held until a task queued after that delivery has run.
     */
    void release() {
      paused = false;
      pendingDrains++;
      up.resume();
      Vertx.currentContext().runOnContext(v -> {
        pendingDrains--;
        batch.settle();
      });
    }

    void onChunk(Buffer chunk) {
      batch.totalBytes += chunk.length();
      if (batch.totalBytes > maxBodyBytes) {
        batch.fail(Problem.of(413, "payload_too_large", "The request body is larger than " + maxBodyBytes + " bytes"));
        return;
      }
      if (rejected != null || batch.failed) {
        return; // read past the rest of a refused part
      }
      size += chunk.length();
      if (size > maxFileSize) {
        reject("file_too_large", "The file is larger than " + maxFileSize + " bytes");
        return;
      }
      // Only a part that cannot fit on its own is cut off early; whether parts fit together is
      // decided when each is charged, in order (an earlier part may still be refused there).
      if (size > batch.quotaLeft.getAsLong()) {
        reject("quota_exceeded", "Your storage quota does not leave room for this file");
        return;
      }
      // the digest reads the chunk's own memory: no per-chunk copy of the upload
      sha.update(((BufferInternal) chunk).getByteBuf().nioBuffer());
      if (headLength < head.length) {
        int n = Math.min(chunk.length(), head.length - headLength);
        chunk.getBytes(0, n, head, headLength);
        headLength += n;
      }
      AsyncFile f = file.result();
      f.write(chunk);
      if (f.writeQueueFull()) {
        hold();
        f.drainHandler(v -> release());
      }
    }

    void onEnd() {
      ended = true;
      if (batch.failed) {
        return;
      }
      batch.settle();
      if (rejected != null) {
        done.tryComplete(rejected);
        return;
      }
      String hex = HexFormat.of().formatHex(sha.digest());
      String type = ContentSniffer.sniff(head, headLength, up.contentType(), filename);
      file.result().close()
          .onSuccess(v -> done.tryComplete(new Received(filename, up.contentType(), temp, size, hex, type)))
          .onFailure(batch::fail);
    }

    void reject(String code, String message) {
      rejected = new Rejected(filename, code, message);
      if (paused) {
        release(); // it may be paused for the disk; the rest is read past now
      }
      closeAndDelete();
    }

    /** Closes and deletes the temporary file, whatever state it is in. */
    Future<Void> discard() {
      done.tryComplete(null);
      return closeAndDelete();
    }

    private Future<Void> closeAndDelete() {
      // close() throws on a file that is already closed: whatever happens, the delete runs
      return file.compose(f -> f.close()).transform(ar -> store.deleteQuietly(temp));
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
