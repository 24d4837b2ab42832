package dev.atrium.push;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;

/**
 * Writing to one socket, with backpressure both ways. Replies to the client's frames (acks,
 * errors, pongs, replays) are always written, but once the write queue is full the node stops
 * reading the socket until it drains: a client that sends and never reads is held back by TCP
 * instead of growing the node's queues. Live event frames meet the slow-reader rule instead:
 * a dashboard snapshot is dropped (the next one supersedes it), any other event closes the
 * socket with 1013 (the client catches up from the REST API or with {@code since}).
 */
final class Outbound {
  private final ServerWebSocket ws;
  private final PushMetrics metrics;
  private final Runnable tooSlow;
  private boolean paused;

  Outbound(ServerWebSocket ws, PushMetrics metrics, Runnable tooSlow) {
    this.ws = ws;
    this.metrics = metrics;
    this.tooSlow = tooSlow;
    ws.drainHandler(v -> {
      if (paused) {
        paused = false;
        ws.resume();
      }
    });
  }

  /** A reply to the client: written, and reading stops while the queue is full. */
  void reply(JsonObject frame) {
    reply(frame.encode());
  }

  void reply(String frame) {
    ws.writeTextMessage(frame);
    holdReadsIfFull();
  }

  /**
   * An event frame made of this socket's own head and a tail shared by every recipient: sent as
   * one text message in two fragments, so the shared bytes are never copied per socket.
   */
  void event(Topic topic, String head, Buffer sharedTail) {
    if (full(topic)) {
      return;
    }
    if (sharedTail == null) {
      ws.writeTextMessage(head);
    } else {
      ws.writeFrame(WebSocketFrame.textFrame(head, false));
      ws.writeFrame(WebSocketFrame.continuationFrame(sharedTail, true));
    }
    metrics.sent(topic);
  }

  /** A replayed event: part of the client's request, so written like a reply. */
  void replayed(Topic topic, String frame) {
    ws.writeTextMessage(frame);
    metrics.sent(topic);
    holdReadsIfFull();
  }

  private boolean full(Topic topic) {
    if (!ws.writeQueueFull()) {
      return false;
    }
    metrics.dropped(topic);
    if (topic != Topic.DASHBOARD) {
      tooSlow.run();
    }
    return true;
  }

  private void holdReadsIfFull() {
    if (!paused && ws.writeQueueFull()) {
      paused = true;
      ws.pause();
    }
  }
}
