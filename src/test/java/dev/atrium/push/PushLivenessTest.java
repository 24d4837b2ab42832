package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Liveness: the node pings every 200 ms here and gives up on a client silent for 1.5 s. */
class PushLivenessTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(java.util.Map.of("ATRIUM_WS_PING_INTERVAL", "200ms",
      "ATRIUM_WS_PONG_TIMEOUT", "1500ms"));
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = server.clientVertx();
  }

  @Test
  @DisplayName("a client that offers WebSocket compression is answered without it, and push still flows")
  void noCompression() {
    Accounts.Login u = Accounts.registerAndLogin(server, "deflate");
    WebSocketClientOptions offers = new WebSocketClientOptions().setTryUsePerMessageCompression(true)
        .setTryUsePerFrameCompression(true);
    try (WsClient ws = WsClient.authenticated(vertx, server.port(), u.access(), offers)) {
      assertNull(ws.handshakeHeaders().get("Sec-WebSocket-Extensions"), () -> ws.handshakeHeaders().toString());
    }
  }

  @Test
  @DisplayName("the server pings; a client that answers stays open, one that never answers is closed with 4408")
  void pingAndPongTimeout() throws Exception {
    Accounts.Login u = Accounts.registerAndLogin(server, "pong");
    try (WsClient alive = WsClient.authenticated(vertx, server.port(), u.access());
         java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
      // a hand-made client that reads frames but never answers a ping
      raw.setSoTimeout(5000);
      raw.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Authorization: Bearer " + u.access() + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.DataInputStream in = new java.io.DataInputStream(raw.getInputStream());
      String status = readLine(in);
      assertTrue(status.startsWith("HTTP/1.1 101"), status);
      while (!readLine(in).isEmpty()) {
        // headers
      }
      long t0 = System.nanoTime();
      int pings = 0;
      while (true) {
        int opcode = in.readUnsignedByte() & 0x0f;
        int len = in.readUnsignedByte() & 0x7f;
        if (len == 126) {
          len = in.readUnsignedShort();
        } else if (len == 127) {
          len = (int) in.readLong();
        }
        byte[] payload = in.readNBytes(len);
        if (opcode == 0x9) {
          pings++;
        } else if (opcode == 0x8) {
          assertEquals(4408, ((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
          break;
        }
      }
      assertTrue(pings >= 2, "pinged every 200 ms before giving up, got " + pings);
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(1400).toNanos(), "closed before the pong timeout");
      assertFalse(alive.isClosed(), "a client that answers pings stays open");
      assertEquals(java.util.List.of(), alive.drainUntilPong());
    }
  }

  private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
