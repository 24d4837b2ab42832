package dev.atrium.files.storage;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * A new object being written, chunk by chunk, with back-pressure: after a {@link #write} that
 * leaves {@link #writeQueueFull()} true the writer stops reading until the drain handler runs.
 * Exactly one of {@link #finish()} or {@link #abort()} ends it; abort may follow a failed finish.
 */
public interface ObjectSink {
  void write(Buffer chunk);

  boolean writeQueueFull();

  /** Called once when the queue has room again after {@link #writeQueueFull()} was true. */
  void drainHandler(Handler<Void> handler);

  /** Makes the written bytes readable at the sink's key. */
  Future<Void> finish();

  /** Removes every byte written (temporary files, a half-made multipart upload, the object); never fails. */
  Future<Void> abort();
}
