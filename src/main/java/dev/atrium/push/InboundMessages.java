package dev.atrium.push;

import io.netty.buffer.ByteBufUtil;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;

/**
 * Joins a socket's data frames into messages, in place of Vert.x's text and binary message
 * handlers: those decode text leniently (bytes that are not UTF-8 become U+FFFD), where RFC 6455
 * 8.1 fails the connection with 1007. A message is also bounded here, in bytes, however many
 * fragments it comes in. Netty's frame decoder has already checked that continuation frames
 * follow a first fragment.
 */
final class InboundMessages implements Handler<WebSocketFrame> {
  /** What the socket does with each complete message, and how it closes on a bad one. */
  interface Listener {
    /** Counts one data frame (a fragment counts as a frame); false when the socket is closed for it. */
    boolean admit();

    /** A text message, its bytes already checked to be UTF-8. */
    void onText(Buffer message);

    void onBinary();

    void close(short code, String reason);
  }

  private final int maxBytes;
  private final Listener listener;
  /** The fragments of the message under way; null between messages. */
  private Buffer pending;
  private boolean pendingText;

  InboundMessages(int maxBytes, Listener listener) {
    this.maxBytes = maxBytes;
    this.listener = listener;
  }

  @Override
  public void handle(WebSocketFrame frame) {
    if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
      if (!listener.admit()) {
        pending = null;
        return;
      }
    }
    if (frame.isText() || frame.isBinary()) {
      pending = frame.isFinal() ? frame.binaryData() : Buffer.buffer().appendBuffer(frame.binaryData());
      pendingText = frame.isText();
    } else if (frame.isContinuation() && pending != null) {
      pending.appendBuffer(frame.binaryData());
    } else {
      return; // ping, pong and close are Vert.x's; a continuation after a refused message is dropped
    }
    if (pending.length() > maxBytes) {
      pending = null;
      listener.close(Frames.CLOSE_TOO_BIG, "frame too big");
      return;
    }
    if (!frame.isFinal()) {
      return;
    }
    Buffer message = pending;
    pending = null;
    if (!pendingText) {
      listener.onBinary();
      return;
    }
    if (ByteBufUtil.isText(((BufferInternal) message).getByteBuf(), StandardCharsets.UTF_8)) {
      listener.onText(message);
    } else {
      listener.close(Frames.CLOSE_NOT_UTF8, "text frames must be UTF-8");
    }
  }
}
