package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A new S3 object written as it arrives. Bytes gather in an {@link S3Part} (in memory, or
 * spooled when the node's part memory is taken); a full part is sent as the next part of a
 * multipart upload while the following one fills. Up to {@link #IN_FLIGHT} parts are sent at
 * once, so the store works on several while the client keeps sending; when they are all busy
 * and the filling part is full, the writer is held back. So an upload holds at most
 * {@code IN_FLIGHT + 1} parts. An object smaller than a part is sent with one PUT.
 */
final class S3Sink implements ObjectSink {
  static final int IN_FLIGHT = 3;

  private final S3Client s3;
  private final FileSystem fs;
  private final Path tmpDir;
  private final PartBudget budget;
  private final String key;
  private final long partSize;
  private final List<S3Client.Part> parts = new ArrayList<>();
  /** Part uploads not yet settled. */
  private final List<Future<Void>> sending = new ArrayList<>();
  private S3Part filling;
  private Future<String> multipart;
  private int nextPart = 1;
  private Throwable failure;
  private Handler<Void> drain;
  private boolean ended;
  private boolean completed;

  S3Sink(S3Client s3, FileSystem fs, Path tmpDir, PartBudget budget, String key, long partSize) {
    this.s3 = s3;
    this.fs = fs;
    this.tmpDir = tmpDir;
    this.budget = budget;
    this.key = key;
    this.partSize = partSize;
  }

  private void fail(Throwable t) {
    if (failure == null) {
      failure = t;
    }
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
    if (filling == null) {
      filling = S3Part.create(budget, partSize, fs, tmpDir.resolve("s3part-" + UUID.randomUUID() + ".part"));
      filling.drainHandler(v -> fireDrain());
    }
    filling.write(chunk);
    if (filling.size() >= partSize && sending.size() < IN_FLIGHT) {
      sendFilling();
    }
  }

  /** Sends the filling part as the next part of the multipart upload (created with the first). */
  private void sendFilling() {
    S3Part part = filling;
    filling = null;
    int number = nextPart++;
    if (multipart == null) {
      multipart = s3.createMultipart(key);
    }
    Future<Void> sent = multipart
        .compose(id -> part.send(s3, "UploadPart", key, Map.of("partNumber", Integer.toString(number), "uploadId", id),
            Map.of()))
        .<Void>map(a -> {
          parts.add(new S3Client.Part(number, a.headers().get("ETag")));
          return null;
        })
        .onFailure(this::fail)
        .eventually(part::release);
    sending.add(sent);
    sent.onComplete(ar -> {
      sending.remove(sent);
      if (filling != null && filling.size() >= partSize && !ended && failure == null) {
        sendFilling(); // it filled up while every slot was busy
      }
      fireDrain();
    });
  }

  @Override
  public boolean writeQueueFull() {
    return failure == null && !ended && filling != null && (filling.size() >= partSize || filling.writeQueueFull());
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    this.drain = handler;
    if (filling != null) {
      filling.drainHandler(v -> fireDrain());
    }
  }

  @Override
  public Future<Void> finish() {
    ended = true;
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (multipart == null) {
      // smaller than one part: one PUT
      S3Part part = filling != null ? filling : new S3Part.InMemory(budget, 0);
      filling = null;
      return part.send(s3, "PutObject", key, Map.of(), Map.of()).<Void>mapEmpty()
          .eventually(part::release)
          .onSuccess(v -> completed = true);
    }
    if (filling != null && filling.size() > 0) {
      sendFilling();
    } else if (filling != null) {
      filling.release();
      filling = null;
    }
    return Future.join(List.copyOf(sending))
        .transform(ar -> failure != null ? Future.<String>failedFuture(failure) : multipart)
        .compose(id -> {
          parts.sort(Comparator.comparingInt(S3Client.Part::number));
          return s3.completeMultipart(key, id, parts);
        })
        .onSuccess(v -> completed = true);
  }

  @Override
  public Future<Void> abort() {
    ended = true;
    Future<Void> released = filling == null ? Future.succeededFuture() : filling.release();
    filling = null;
    return released
        .compose(v -> Future.join(List.copyOf(sending)).otherwiseEmpty())
        .compose(v -> multipart == null ? Future.<Void>succeededFuture()
            : multipart.compose(id -> s3.abortMultipart(key, id)).otherwiseEmpty())
        .compose(v -> completed ? s3.delete(key).otherwiseEmpty() : Future.<Void>succeededFuture());
  }
}
