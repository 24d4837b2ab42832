package dev.atrium.exports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both exports (users and activities) share one writer, one pump and one limit: formula cells
 * are neutralised in the users CSV too, at most ATRIUM_EXPORT_CONCURRENCY run per node whatever
 * their kind, and a client that stops reading is cut off after ATRIUM_EXPORT_STALL_TIMEOUT,
 * which frees its slot and returns its database connection.
 */
class ExportLimitsTest {
  /** About 30 MB of CSV: far more than the socket buffers between the node and a client that reads nothing. */
  static final int ROWS = 60_000;
  static final String EXPORT_SESSION = "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
      + " AND state = 'idle in transaction' AND query LIKE '%FROM activities WHERE true%'";
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_EXPORT_CONCURRENCY", "1",
      "ATRIUM_EXPORT_STALL_TIMEOUT", "3s"));
  static Accounts.Login admin;
  static final String seededUser = UUID.randomUUID().toString();

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
    server.sql("""
        INSERT INTO activities (occurred_at, id, user_id, action, source, metadata)
        SELECT now() - interval '1 hour' + g * interval '1 millisecond', gen_random_uuid(), ?::uuid, 'seeded',
               'api', jsonb_build_object('i', g, 'pad', repeat('x', 400))
        FROM generate_series(1, 60000) g""", seededUser);
  }

  @Test
  @DisplayName("the users CSV export neutralises cells starting with =, +, -, @ like the activities export")
  void usersCsvFormulaGuard() {
    Http.Res created = admin.http(server).post("/api/users", new JsonObject()
        .put("email", Accounts.uniqueEmail("formula"))
        .put("username", "formula_" + UUID.randomUUID().toString().substring(0, 6))
        .put("password", "a long enough password 1").put("first_name", "=HYPERLINK(\"http://x\",\"y\")")
        .put("last_name", "+1+1").put("department", "@SUM(A1)").put("position", "-2"));
    assertEquals(201, created.status(), created::toString);
    Http.Res csv = Poll.value(Duration.ofSeconds(10), "the users export runs",
        () -> admin.http(server).get("/api/users/export?format=csv"), r -> r.status() == 200);
    String line = csv.body().lines().filter(l -> l.contains("SUM(A1)")).findFirst().orElseThrow();
    assertTrue(line.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""), line);
    assertTrue(line.contains(",'+1+1,"), line);
    assertTrue(line.contains(",'@SUM(A1),"), line);
    assertTrue(line.contains(",'-2,"), line);
    assertFalse(line.contains(",+1+1,") || line.contains(",@SUM") || line.contains(",-2,"), line);
  }

  @Test
  @DisplayName("a client that asks for the next export as soon as it has its file is admitted, not told the slot is busy")
  void backToBackExportsAreAdmitted() {
    // The slot is freed when the cursor's transaction ends; the response must not end before that,
    // or one client exporting twice in a row would race its own first export (1 in 20 did).
    for (int i = 0; i < 100; i++) {
      Http.Res res = admin.http(server).get("/api/users/export?format=csv");
      assertEquals(200, res.status(), "export " + i + ": " + res);
    }
  }

  @Test
  @DisplayName("a client that stops reading holds the only export slot, then is cut off and its connection returned")
  void stalledReaderIsCutOff() throws Exception {
    try (Socket stalled = startStalledExport()) {
      // While it stalls: its transaction sits idle, and every other export (users or activities) is refused.
      Poll.until(Duration.ofSeconds(10), "the stalled export holds a cursor open",
          () -> ((Number) server.sql(EXPORT_SESSION).get(0).get("n")).longValue() == 1);
      Http.Res users = admin.http(server).get("/api/users/export?format=csv");
      assertEquals(503, users.status(), users::toString);
      assertEquals("export_busy", users.code());
      assertTrue(users.header("Retry-After").isPresent());
      Http.Res activities = admin.http(server).get("/api/analytics/export?format=csv&user_id=" + UUID.randomUUID());
      assertEquals(503, activities.status(), activities::toString);

      // After the stall timeout: the cursor's transaction is gone and the slot is free again.
      Poll.until(Duration.ofSeconds(20), "the stalled export's transaction ends",
          () -> ((Number) server.sql(EXPORT_SESSION).get(0).get("n")).longValue() == 0);
      Http.Res after = Poll.value(Duration.ofSeconds(10), "a new export is admitted",
          () -> admin.http(server).get("/api/users/export"), r -> r.status() == 200);
      assertTrue(after.body().startsWith("["), after.body().substring(0, 20));

      // The stalled client finds its connection closed before the end of the file.
      stalled.setSoTimeout(10_000);
      long read = 0;
      InputStream in = stalled.getInputStream();
      byte[] buf = new byte[64 * 1024];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          read += n;
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the connection of the stalled export is still open after " + read + " bytes", e);
      } catch (IOException reset) {
        // a reset is one way of being cut off
      }
      assertTrue(read < ROWS * 400L, "the stalled client got only part of the file: " + read + " bytes");
    }
  }

  /**
   * Sends the activities export on a socket with a small receive buffer and reads only its status
   * line and headers, so the export is admitted and then stalls.
   */
  static Socket startStalledExport() throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(("GET /api/analytics/export?format=csv&user_id=" + seededUser + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + admin.access() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead(socket.getInputStream());
    assertTrue(head.startsWith("HTTP/1.1 200"), head);
    return socket;
  }

  /** The response's bytes up to the blank line after its headers, and not one byte more. */
  static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed inside the response head: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }
}
