package dev.atrium.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A large JSON body (a list page) written once by a streaming generator straight into a pooled
 * direct buffer, which the socket sends without another copy and which goes back to the pool
 * once written. Building it as a heap buffer cost two more copies of the page and about 20 KB
 * of garbage per request, a tenth of a users page's CPU.
 */
public final class StreamedJson {
  private static final JsonFactory JSON = new JsonFactory();

  private StreamedJson() {
  }

  /** Writes one JSON value to a generator. */
  @FunctionalInterface
  public interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** Ends {@code resp} with {@code body} as {@code application/json}; {@code sizeHint} is the first buffer's size. */
  public static Future<Void> end(HttpServerResponse resp, int sizeHint, Body body) {
    ByteBuf bytes = PooledByteBufAllocator.DEFAULT.directBuffer(sizeHint);
    try {
      write(bytes, body);
      // Vert.x writes a non-heap buffer as an unreleasable slice, so the pool's block is given
      // back here once the response is written or has failed.
      return resp.putHeader("Content-Type", "application/json").end(BufferInternal.buffer(bytes))
          .onComplete(ar -> bytes.release());
    } catch (RuntimeException e) {
      bytes.release();
      throw e;
    }
  }

  /** The same bytes on the heap (tests, and bodies that are kept). */
  public static Buffer encode(Body body) {
    ByteBuf bytes = Unpooled.buffer(256);
    write(bytes, body);
    return BufferInternal.buffer(bytes);
  }

  private static void write(ByteBuf bytes, Body body) {
    try (JsonGenerator g = JSON.createGenerator((OutputStream) new ByteBufOutputStream(bytes))) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a buffer in memory does not fail
    }
  }
}
