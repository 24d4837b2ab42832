package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Clients that abuse the push channel: floods, and too many sockets for one user. */
class PushAbuseTest {
  static final int FLOOD = 200_000;
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_WS_MAX_PER_USER", "2", "ATRIUM_WS_FRAME_RATE", "50"));
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = server.clientVertx();
  }

  @Test
  @DisplayName("a client sending 200,000 subscribe frames and never reading is closed with 1008; the node's heap stays bounded")
  void flood() throws Exception {
    Accounts.Login u = Accounts.registerAndLogin(server, "flood");
    long heapBefore = heapAfterGc();
    byte[] frame = maskedText("{\"type\":\"subscribe\",\"topic\":\"notifications\",\"since\":0}");
    AtomicInteger written = new AtomicInteger();
    try (Socket s = handshake(u.access())) {
      OutputStream out = s.getOutputStream();
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < FLOOD; i++) {
            out.write(frame);
            written.incrementAndGet();
          }
          out.flush();
        } catch (IOException closedByTheNode) {
          // expected once the node has closed the connection
        }
      });
      // The node either closes the socket (writes then fail) or stops reading it (writes block).
      Poll.until(Duration.ofSeconds(60), "the writer is stopped or done", () -> writer.isDone() || stalled(written));
      assertEquals(1008, closeCode(s.getInputStream()), "close code");
    }
    assertEquals(200, server.http().get("/health/live").status());
    Poll.until(Duration.ofSeconds(10), "the socket is released", () -> openSockets() == 0);
    long grown = heapAfterGc() - heapBefore;
    assertTrue(grown < 64L * 1024 * 1024, "heap grew by " + grown + " bytes");
  }

  @Test
  @DisplayName("beyond ATRIUM_WS_MAX_PER_USER sockets the user's oldest is closed with 4409; the others stay open")
  void perUserCap() {
    Accounts.Login u = Accounts.registerAndLogin(server, "tabs");
    try (WsClient first = WsClient.authenticated(vertx, server.port(), u.access());
         WsClient second = WsClient.authenticated(vertx, server.port(), u.access())) {
      assertEquals(List.of(), first.drainUntilPong());
      try (WsClient third = WsClient.authenticated(vertx, server.port(), u.access())) {
        assertEquals(4409, first.awaitClose(Duration.ofSeconds(10)));
        assertEquals(List.of(), second.drainUntilPong());
        assertEquals(List.of(), third.drainUntilPong());
        assertTrue(!second.isClosed() && !third.isClosed());
      }
    }
  }

  @Test
  @DisplayName("a text message that is not UTF-8, whole or split across fragments, closes the socket with 1007")
  void invalidUtf8() throws Exception {
    Accounts.Login u = Accounts.registerAndLogin(server, "utf8");
    byte[] head = "{\"type\":\"ping\",\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
    byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
    // 0xC3 starts a two-byte sequence; 0x28 cannot continue it (RFC 6455 8.1: fail the connection)
    byte[] whole = ByteBuffer.allocate(head.length + 2 + tail.length).put(head).put(new byte[] {(byte) 0xC3, 0x28})
        .put(tail).array();
    byte[] first = ByteBuffer.allocate(head.length + 1).put(head).put((byte) 0xC3).array();
    byte[] rest = ByteBuffer.allocate(1 + tail.length).put((byte) 0x28).put(tail).array();
    for (byte[][] frames : List.of(new byte[][] {masked(0x81, whole)}, new byte[][] {masked(0x01, first), masked(0x80, rest)})) {
      try (Socket s = handshake(u.access())) {
        s.setSoTimeout(5_000); // lenient decoding would answer a pong and keep the socket open
        for (byte[] frame : frames) {
          s.getOutputStream().write(frame);
        }
        assertEquals(1007, closeCode(s.getInputStream()), "close code");
      }
    }
    // the same message with a valid two-byte character split across the fragments is answered
    byte[] valid = {(byte) 0xC3, (byte) 0xA9};
    try (Socket s = handshake(u.access())) {
      s.getOutputStream().write(masked(0x01, ByteBuffer.allocate(head.length + 1).put(head).put(valid[0]).array()));
      s.getOutputStream().write(masked(0x80, ByteBuffer.allocate(1 + tail.length).put(valid[1]).put(tail).array()));
      Frame ack = readFrame(s.getInputStream()); // of the header's token
      assertEquals("ack", new JsonObject(new String(ack.payload(), StandardCharsets.UTF_8)).getString("type"));
      Frame answer = readFrame(s.getInputStream());
      assertEquals(0x1, answer.opcode());
      assertEquals("pong", new JsonObject(new String(answer.payload(), StandardCharsets.UTF_8)).getString("type"));
    }
    Poll.until(Duration.ofSeconds(10), "the sockets are released", () -> openSockets() == 0);
  }

  @Test
  @DisplayName("fragments count against the frame rate: a message that never ends in empty continuations is closed with 1008")
  void endlessFragments() throws Exception {
    Accounts.Login u = Accounts.registerAndLogin(server, "endless");
    try (Socket s = handshake(u.access())) {
      OutputStream out = s.getOutputStream();
      out.write(masked(0x01, "{".getBytes(StandardCharsets.US_ASCII)));
      for (int i = 0; i < 200; i++) { // four times the rate of 50, never growing the message
        out.write(masked(0x00, new byte[0]));
      }
      out.flush();
      assertEquals(1008, closeCode(s.getInputStream()), "close code");
    }
  }

  @Test
  @DisplayName("a message over 64 KB in fragments under it closes the socket with 1009")
  void fragmentedMessageTooBig() throws Exception {
    Accounts.Login u = Accounts.registerAndLogin(server, "fragments");
    byte[] fragment = "x".repeat(2000).getBytes(StandardCharsets.US_ASCII);
    try (Socket s = handshake(u.access())) {
      OutputStream out = s.getOutputStream();
      out.write(masked(0x01, fragment));
      for (int i = 0; i < 35; i++) { // 72 KB, in 2 KB continuations: fewer frames than the rate
        out.write(masked(0x00, fragment));
      }
      out.flush();
      assertEquals(1009, closeCode(s.getInputStream()), "close code");
    }
  }

  /** No write progress for half a second: the writer is blocked on a full TCP window. */
  private static boolean stalled(AtomicInteger written) {
    int before = written.get();
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return written.get() == before;
  }

  private static Socket handshake(String token) throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(30_000);
    s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
    return s;
  }

  /** A client text frame (clients must mask), payload under 126 bytes. */
  private static byte[] maskedText(String text) {
    return masked(0x81, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A client frame with the given first byte (FIN and opcode), masked, payload under 64 KB. */
  private static byte[] masked(int finAndOpcode, byte[] payload) {
    byte[] mask = {1, 2, 3, 4};
    int head = payload.length < 126 ? 2 : 4;
    byte[] f = new byte[head + 4 + payload.length];
    f[0] = (byte) finAndOpcode;
    if (head == 2) {
      f[1] = (byte) (0x80 | payload.length);
    } else {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (payload.length >> 8);
      f[3] = (byte) payload.length;
    }
    System.arraycopy(mask, 0, f, head, 4);
    for (int i = 0; i < payload.length; i++) {
      f[head + 4 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return f;
  }

  /** A server frame: its opcode and payload (servers do not mask). */
  private record Frame(int opcode, byte[] payload) {
  }

  /** The next server frame, or null at the end of the stream. */
  private static Frame readFrame(InputStream in) throws IOException {
    int b0 = in.read();
    int b1 = in.read();
    if (b0 < 0 || b1 < 0) {
      return null;
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | in.read();
      }
    }
    return new Frame(b0 & 0x0f, in.readNBytes((int) len));
  }

  /** Reads server frames until the close frame and returns its status code (-1 at end of stream). */
  private static int closeCode(InputStream in) throws IOException {
    for (Frame f; (f = readFrame(in)) != null; ) {
      if (f.opcode() == 0x8) {
        return f.payload().length >= 2 ? ((f.payload()[0] & 0xff) << 8) | (f.payload()[1] & 0xff) : -1;
      }
    }
    return -1;
  }

  private static double openSockets() {
    return server.http().get("/metrics").body().lines().filter(l -> l.startsWith("atrium_push_sockets_open "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
