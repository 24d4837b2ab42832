package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A new S3 object written as it arrives. S3 needs each request's length up front, so bytes are
 * spooled to a local file of at most one part ({@code partSize}, 8 MB by default); a full spool
 * is uploaded as the next part of a multipart upload while the following one fills. At most one
 * part uploads while one fills: the writer is held back when both are busy, so memory and local
 * disk stay at two parts per upload. An object smaller than a part is sent with one PUT.
 */
final class S3Sink implements ObjectSink {
  private final S3Client s3;
  private final FileSystem fs;
  private final Path tmpDir;
  private final String key;
  private final long partSize;
  private final String contentType;
  private final List<S3Client.Part> parts = new ArrayList<>();
  /** Chunks written while the next spool was opening. */
  private final List<Buffer> early = new ArrayList<>();
  private AsyncFile spool;
  private Path spoolPath;
  private long spoolBytes;
  private Future<String> multipart;
  /** The part uploads so far, one after the other. */
  private Future<Void> uploading = Future.succeededFuture();
  private int nextPart = 1;
  private Throwable failure;
  private Handler<Void> drain;
  private boolean ended;
  private boolean aborted;
  private boolean completed;
  /** Completes when a spool is open (finish() may come while the next one opens). */
  private io.vertx.core.Promise<Void> ready = io.vertx.core.Promise.promise();

  S3Sink(S3Client s3, FileSystem fs, Path tmpDir, String key, long partSize, String contentType) {
    this.s3 = s3;
    this.fs = fs;
    this.tmpDir = tmpDir;
    this.key = key;
    this.partSize = partSize;
    this.contentType = contentType;
    openSpool();
  }

  private void openSpool() {
    Path path = tmpDir.resolve("s3part-" + UUID.randomUUID() + ".part");
    fs.open(path.toString(), new OpenOptions().setWrite(true).setCreateNew(true)).onComplete(ar -> {
      if (ar.failed()) {
        fail(ar.cause());
        return;
      }
      if (aborted) {
        ar.result().close().onComplete(v -> fs.delete(path.toString()));
        ready.tryComplete();
        return;
      }
      spool = ar.result();
      spoolPath = path;
      spoolBytes = 0;
      spool.setWriteQueueMaxSize(LocalSink.WRITE_QUEUE_BYTES);
      spool.exceptionHandler(this::fail);
      spool.drainHandler(v -> fireDrain());
      while (!early.isEmpty() && spool != null) {
        toSpool(early.remove(0)); // what came while no spool was open; may fill this one too
      }
      if (spool != null) {
        ready.tryComplete();
        fireDrain();
      }
    });
  }

  private void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
    ready.tryComplete();
    fireDrain(); // the writer reads on and drops the rest; finish() reports the failure
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
    if (spool == null) {
      early.add(chunk); // the writer is held back by writeQueueFull(); at most what was in flight
      return;
    }
    toSpool(chunk);
  }

  private void toSpool(Buffer chunk) {
    spool.write(chunk);
    spoolBytes += chunk.length();
    if (spoolBytes >= partSize) {
      Future<Void> previous = uploading;
      uploadSpool();
      ready = io.vertx.core.Promise.promise();
      previous.onComplete(v -> openSpool());
    }
  }

  /** Closes the current spool and queues its upload as the next part. */
  private void uploadSpool() {
    AsyncFile file = spool;
    Path path = spoolPath;
    long size = spoolBytes;
    int number = nextPart++;
    spool = null;
    Future<Void> previous = uploading;
    uploading = file.close()
        .compose(v -> previous)
        .compose(v -> multipart())
        .compose(id -> s3.uploadPart(key, id, number, path, 0, size))
        .map(etag -> {
          parts.add(new S3Client.Part(number, etag));
          return (Void) null;
        })
        .onFailure(this::fail)
        .eventually(() -> fs.delete(path.toString()).otherwiseEmpty());
  }

  private Future<String> multipart() {
    if (multipart == null) {
      multipart = s3.createMultipart(key);
    }
    return multipart;
  }

  @Override
  public boolean writeQueueFull() {
    return failure == null && !ended && (spool == null || spool.writeQueueFull());
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    this.drain = handler;
  }

  @Override
  public Future<Void> finish() {
    ended = true;
    return ready.future().compose(v -> complete());
  }

  private Future<Void> complete() {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (multipart == null && nextPart == 1) {
      // smaller than one part: one PUT of the spool
      AsyncFile file = spool;
      Path path = spoolPath;
      long size = spoolBytes;
      spool = null;
      return file.close()
          .compose(v -> s3.putFile("PutObject", key, java.util.Map.of(), path, 0, size, headers()))
          .<Void>mapEmpty()
          .eventually(() -> fs.delete(path.toString()).otherwiseEmpty())
          .onSuccess(v -> completed = true);
    }
    if (spoolBytes > 0) {
      uploadSpool();
    } else {
      AsyncFile file = spool;
      Path path = spoolPath;
      spool = null;
      file.close().onComplete(v -> fs.delete(path.toString()));
    }
    return uploading.compose(v -> failure != null ? Future.<Void>failedFuture(failure) : Future.<Void>succeededFuture())
        .compose(v -> multipart())
        .compose(id -> s3.completeMultipart(key, id, parts))
        .onSuccess(v -> completed = true);
  }

  private java.util.Map<String, String> headers() {
    return contentType == null ? java.util.Map.of() : java.util.Map.of("Content-Type", contentType);
  }

  @Override
  public Future<Void> abort() {
    ended = true;
    aborted = true;
    Future<Void> closed = Future.succeededFuture();
    if (spool != null) {
      AsyncFile file = spool;
      Path path = spoolPath;
      spool = null;
      closed = file.close().transform(ar -> fs.delete(path.toString()).otherwiseEmpty());
    }
    return closed
        .compose(v -> uploading.otherwiseEmpty())
        .compose(v -> multipart == null ? Future.<Void>succeededFuture()
            : multipart.compose(id -> s3.abortMultipart(key, id)).otherwiseEmpty())
        .compose(v -> completed ? s3.delete(key).otherwiseEmpty() : Future.<Void>succeededFuture());
  }
}
