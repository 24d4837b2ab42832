package dev.atrium.files;

import dev.atrium.problem.Problem;
import dev.atrium.files.storage.ObjectSink;
import dev.atrium.files.storage.ObjectStore;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Streams one multipart request's {@code files} parts from the socket into new objects of the
 * store, hashing (SHA-256) and sniffing each part on the way, with back-pressure from the store
 * to the socket: memory does not grow with file size. A part over the size limit or beyond the
 * quota reserved for the request is cut off and reported; the request as a whole fails (and
 * every object it began is aborted) on an 11th file, a truncated body, an oversized body or a
 * client that goes away.
 */
public final class UploadReceiver {
  public static final String FIELD = "files";

  private final ObjectStore store;
  private final long maxFileSize;
  private final int maxFiles;
  private final long maxBodyBytes;

  public UploadReceiver(ObjectStore store, long maxFileSize, int maxFiles, long maxBodyBytes) {
    this.store = store;
    this.maxFileSize = maxFileSize;
    this.maxFiles = maxFiles;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * Receives the body of a request that the caller paused. {@code reserved} is how many bytes of
   * the owner's quota are held for this request: parts are accepted in order while they fit in
   * it, and a part that does not is cut off as {@code quota_exceeded}.
   */
  public Future<List<UploadPart>> receive(HttpServerRequest req, long reserved) {
    try {
      req.setExpectMultipart(true);
    } catch (RuntimeException e) {
      // Netty reads the boundary and charset as it makes the decoder, and throws on an empty
      // boundary or an unknown charset. Answered here, or the paused request would wait forever
      // and keep its upload slot and quota reservation.
      return Future.failedFuture(malformed("The multipart Content-Type cannot be read"));
    }
    Batch batch = new Batch(reserved);
    req.uploadHandler(batch::onUpload);
    req.exceptionHandler(batch::fail);
    req.end().onComplete(ar -> {
      if (ar.failed()) {
        batch.fail(ar.cause());
      } else {
        batch.requestEnded();
      }
    });
    if (req.response().closed()) {
      // the client left while the upload was being admitted: no event will come any more
      batch.fail(new io.vertx.core.VertxException("the client closed the connection", true));
    }
    req.resume();
    return batch.outcome.future();
  }

  private final class Batch {
    final List<Sink> sinks = new ArrayList<>();
    final Promise<List<UploadPart>> outcome = Promise.promise();
    /** Reserved bytes not yet taken by accepted parts. */
    long reservedLeft;
    long totalBytes;
    boolean failed;
    boolean requestEnded;
    boolean settled;

    Batch(long reserved) {
      this.reservedLeft = reserved;
    }

    void onUpload(HttpServerFileUpload up) {
      if (failed) {
        up.handler(b -> { });
        return;
      }
      if (!FIELD.equals(up.name()) || up.filename() == null || up.filename().isBlank()) {
        // other fields, and a form's empty file input (no file name), are read past; they
        // still count against the body limit
        up.handler(this::count);
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

    /** Counts body bytes; false (and the batch failed) once the body passes its limit. */
    boolean count(Buffer b) {
      totalBytes += b.length();
      if (totalBytes > maxBodyBytes) {
        fail(Problem.of(413, "payload_too_large", "The request body is larger than " + maxBodyBytes + " bytes"));
        return false;
      }
      return true;
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
     * Once the request has ended, every part must end too. A part that we paused (the store was
     * behind) still has events queued, so it is looked at again after it resumes; a part that is
     * neither ended nor held back was cut off by the end of the body.
     */
    void settle() {
      if (failed || !requestEnded || settled) {
        return;
      }
      for (Sink s : sinks) {
        if (!s.ended && !s.holding()) {
          fail(malformed("The multipart body ended in the middle of a file"));
          return;
        }
      }
      if (sinks.stream().allMatch(s -> s.ended)) {
        settled = true;
        outcome.tryComplete(sinks.stream().map(s -> s.result).toList());
      }
    }

    /**
     * Ends the batch in failure and aborts every object it began. Once every part has been
     * received whole the batch is no longer failed by the connection: the files are committed
     * even if the client does not wait for the answer.
     */
    void fail(Throwable cause) {
      if (failed || settled) {
        return;
      }
      failed = true;
      Throwable reason = clientError(cause);
      Future.join(sinks.stream().map(Sink::discard).toList()).onComplete(v -> outcome.tryFail(reason));
    }
  }

  /**
   * Netty's multipart decoder refuses a body it cannot read with exceptions of its own: a part
   * without headers, a part's headers or a preamble beyond its limits, too many fields. Each is
   * the client's malformed request, not a fault of the node.
   */
  private static Throwable clientError(Throwable cause) {
    if (cause instanceof HttpPostRequestDecoder.TooLongFormFieldException
        || cause instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
      return malformed("A part's headers, or the text before the first part, are too long");
    }
    if (cause instanceof HttpPostRequestDecoder.ErrorDataDecoderException) {
      return malformed("The multipart body could not be read");
    }
    return cause;
  }

  private static Problem malformed(String detail) {
    return Problem.of(400, "malformed_multipart", detail);
  }

  /** One file part on its way into the store. */
  private final class Sink {
    final Batch batch;
    final HttpServerFileUpload up;
    final String filename;
    final String key = FileStore.storageKey(UUID.randomUUID());
    final ObjectSink sink = store.create(key);
    final UploadDigest digest = new UploadDigest();
    long size;
    boolean ended;
    /** Paused by us: the store is behind. */
    boolean paused;
    /** Resumed, but the events queued while paused are delivered on a later turn. */
    int pendingDrains;
    UploadPart result;

    Sink(Batch batch, HttpServerFileUpload up) {
      this.batch = batch;
      this.up = up;
      this.filename = FileNames.sanitize(up.filename());
    }

    void start() {
      up.handler(this::onChunk);
      up.endHandler(v -> onEnd());
      up.exceptionHandler(batch::fail);
      holdWhileFull(); // nothing may arrive before the store can take it
    }

    boolean holding() {
      return paused || pendingDrains > 0;
    }

    void holdWhileFull() {
      if (sink.writeQueueFull() && !paused) {
        paused = true;
        up.pause();
        sink.drainHandler(v -> release());
      }
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
      if (!batch.count(chunk) || result != null || batch.failed) {
        return; // read past the rest of a refused part
      }
      size += chunk.length();
      if (size > maxFileSize) {
        reject("file_too_large", "The file is larger than " + maxFileSize + " bytes");
        return;
      }
      // Parts take their share of the reservation in order; one that cannot fit is cut off
      // early, and what it took is given back for the parts after it.
      if (size > batch.reservedLeft) {
        reject("quota_exceeded", "Your storage quota does not leave room for this file");
        return;
      }
      digest.update(chunk);
      sink.write(chunk);
      holdWhileFull();
    }

    void onEnd() {
      ended = true;
      if (batch.failed) {
        return;
      }
      if (result == null) {
        batch.reservedLeft -= size;
        String type = ContentSniffer.sniff(digest.head(), digest.headLength(), up.contentType(), filename);
        result = new UploadPart.Received(filename, up.contentType(), key, sink, size, digest.hex(), type);
      }
      batch.settle();
    }

    void reject(String code, String message) {
      result = new UploadPart.Rejected(filename, code, message);
      if (paused) {
        release(); // it may be paused for the store; the rest is read past now
      }
      sink.abort();
    }

    /** Aborts the object, whatever state it is in. */
    Future<Void> discard() {
      return sink.abort();
    }
  }
}
