package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real Vert.x WebSocket client for tests: frames land in a queue, the close code is recorded. */
public final class WsClient implements AutoCloseable {
  private final WebSocketClient client;
  private final WebSocket ws;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private volatile Short closeCode;
  private volatile String closeReason;

  private WsClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    if (ws.isClosed()) {
      // The server refused at once (a bad header token): its close came with the handshake's
      // answer, before any handler could be set (which would throw). Keep what it said.
      closeReason = ws.closeReason();
      closeCode = ws.closeStatusCode();
      return;
    }
    ws.textMessageHandler(t -> frames.add(new JsonObject(t)));
    ws.closeHandler(v -> {
      closeReason = ws.closeReason();
      closeCode = ws.closeStatusCode();
    });
  }

  public static WsClient connect(Vertx vertx, int port, String bearer) {
    return connect(vertx, port, bearer, new WebSocketClientOptions());
  }

  public static WsClient connect(Vertx vertx, int port, String bearer, WebSocketClientOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(options.setMaxFrameSize(1024 * 1024)
        .setMaxMessageSize(4 * 1024 * 1024));
    // Not a browser: no Origin header (browsers send the app origin, which ATRIUM_CORS_ORIGINS allows).
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")
        .setAllowOriginHeader(false);
    if (bearer != null) {
      o.addHeader("Authorization", "Bearer " + bearer);
    }
    // Connected and given its handlers in one task on an event loop. Vert.x resumes a new socket
    // as its handshake completes and delivers what came with it on the loop's next turn; a test
    // thread that registered its handler after the handshake (descheduled for a millisecond on a
    // busy machine) found the frames already delivered to no handler, such as the ack that
    // answers a header token at once.
    CompletableFuture<WsClient> connected = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> client.connect(o).map(ws -> new WsClient(client, ws))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            connected.complete(ar.result());
          } else {
            connected.completeExceptionally(ar.cause());
          }
        }));
    try {
      return connected.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot connect: " + e, e);
    }
  }

  /** Connects with a header token and checks the server's auth ack. */
  public static WsClient authenticated(Vertx vertx, int port, String bearer) {
    return authenticated(vertx, port, bearer, new WebSocketClientOptions());
  }

  public static WsClient authenticated(Vertx vertx, int port, String bearer, WebSocketClientOptions options) {
    WsClient c = connect(vertx, port, bearer, options);
    JsonObject ack = c.next();
    assertEquals("auth", ack.getString("of"), ack::encode);
    return c;
  }

  public WsClient send(JsonObject frame) {
    ws.writeTextMessage(frame.encode());
    return this;
  }

  public WsClient sendText(String text) {
    ws.writeTextMessage(text);
    return this;
  }

  /** Sends an auth frame and checks the ack. */
  public WsClient auth(String token, String userId) {
    send(new JsonObject().put("type", "auth").put("token", token));
    JsonObject ack = next();
    assertEquals("ack", ack.getString("type"), ack::encode);
    assertEquals("auth", ack.getString("of"), ack::encode);
    assertEquals(userId, ack.getString("user_id"), ack::encode);
    return this;
  }

  /** Subscribes and returns the ack. */
  public JsonObject subscribe(String topic, Long since) {
    JsonObject f = new JsonObject().put("type", "subscribe").put("topic", topic);
    if (since != null) {
      f.put("since", since);
    }
    send(f);
    JsonObject ack = next();
    assertEquals("ack", ack.getString("type"), ack::encode);
    assertEquals(topic, ack.getString("topic"), ack::encode);
    return ack;
  }

  public JsonObject next() {
    return next(Duration.ofSeconds(10));
  }

  public JsonObject next(Duration timeout) {
    try {
      JsonObject f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (f == null) {
        throw new AssertionError("no frame within " + timeout + " (closed: " + closeCode + " " + closeReason + ")");
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends a ping frame and returns every frame received before the pong: proves nothing else is pending. */
  public java.util.List<JsonObject> drainUntilPong() {
    send(new JsonObject().put("type", "ping"));
    java.util.List<JsonObject> before = new java.util.ArrayList<>();
    while (true) {
      JsonObject f = next();
      if ("pong".equals(f.getString("type"))) {
        return before;
      }
      before.add(f);
    }
  }

  public int pending() {
    return frames.size();
  }

  public void pause() {
    ws.pause();
  }

  public void resume() {
    ws.resume();
  }

  /** The headers of the server's handshake answer. */
  public io.vertx.core.MultiMap handshakeHeaders() {
    return ws.headers();
  }

  public boolean isClosed() {
    return closeCode != null || ws.isClosed();
  }

  /** Waits for the server to close the socket and returns the close code. */
  public short awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (closeCode == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("socket not closed within " + timeout);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return closeCode;
  }

  public String closeReason() {
    return closeReason;
  }

  @Override
  public void close() {
    ws.resume(); // a paused client never reads the close reply
    if (!ws.isClosed()) {
      ws.close();
    }
    client.close();
  }
}
