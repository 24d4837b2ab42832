package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Poll;
import dev.atrium.support.ServerProcess;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 200,000 activities of about 600 bytes each (a 120 MB CSV) exported by a node whose heap is
 * 96 MB: only a stream that never holds the table, and that waits for its client, survives.
 */
class ExportMemoryTest {
  static final int ROWS = 200_000;
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static ServerProcess node;
  static String token;
  static String userId = UUID.randomUUID().toString();

  @BeforeAll
  static void start() {
    server.sql("""
        INSERT INTO activities (occurred_at, id, user_id, action, source, metadata, ip, user_agent)
        SELECT now() - interval '1 day' + g * interval '1 millisecond', gen_random_uuid(), ?::uuid, 'seeded_' || (g % 20),
               'api', jsonb_build_object('i', g, 'pad', repeat('x', 400)), '10.0.0.' || (g % 250), 'seed-agent/1.0'
        FROM generate_series(1, 200000) g""", userId);
    // logback.xml: the ready line is INFO, which the tests' logback-test.xml on the classpath would hide
    node = ServerProcess.start(server.env(), List.of("-Xmx96m", "-Dlogback.configurationFile=logback.xml"));
    var login = node.http().post("/api/auth/login", new JsonObject().put("email", TestServer.ADMIN_EMAIL)
        .put("password", TestServer.ADMIN_PASSWORD));
    assertEquals(200, login.status(), login::toString);
    token = login.json().getString("access");
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  static HttpResponse<InputStream> open(String query) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/analytics/export?" + query))
        .header("Authorization", "Bearer " + token).build();
    HttpResponse<InputStream> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, res.statusCode());
    return res;
  }

  /** Reads the CSV to its end: every record parses, in occurred_at order, and the count is exact. */
  static void readAll(CsvReader csv) throws Exception {
    assertEquals("id", csv.next().get(0));
    long n = 0;
    for (List<String> r = csv.next(); r != null; r = csv.next()) {
      n++;
      assertEquals(n, new JsonObject(r.get(8)).getLong("i"));
    }
    assertEquals(ROWS, n);
  }

  @Test
  @DisplayName("a 200,000-row CSV export streams in full from a node running with -Xmx96m")
  void csvAtSmallHeap() throws Exception {
    try (InputStream in = open("format=csv&user_id=" + userId).body()) {
      readAll(new CsvReader(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)));
    }
    assertTrue(node.http().get("/health/live").status() == 200, "the node is still alive");
  }

  @Test
  @DisplayName("a stalled client pauses the cursor (the export's transaction sits idle) and the export still completes")
  void stalledClientPausesCursor() throws Exception {
    try (InputStream in = open("format=csv&user_id=" + userId).body()) {
      CsvReader csv = new CsvReader(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16));
      assertEquals("id", csv.next().get(0));
      long n = 0;
      while (n < 500) {
        csv.next();
        n++;
      }
      // Between two fetches a streaming cursor's session is briefly "idle in transaction"; a
      // paused one stays so. Without backpressure the node would read on (and, at 96 MB, fail).
      String pausedForAWhile = "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
          + "AND state = 'idle in transaction' AND query LIKE '%FROM activities WHERE true%' "
          + "AND now() - state_change > interval '1500 milliseconds'";
      Poll.until(Duration.ofSeconds(15), "the export cursor stays paused while the client reads nothing",
          () -> !server.sql(pausedForAWhile).isEmpty());
      for (List<String> r = csv.next(); r != null; r = csv.next()) {
        n++;
        assertEquals(n, new JsonObject(r.get(8)).getLong("i"));
      }
      assertEquals(ROWS, n);
    }
    assertTrue(node.http().get("/health/live").status() == 200, "the node is still alive");
  }

  @Test
  @DisplayName("a 200,000-row XLSX export streams in full from a node running with -Xmx96m")
  void xlsxAtSmallHeap() throws Exception {
    Path file = Files.createTempFile("export", ".xlsx");
    try (InputStream in = open("format=xlsx&user_id=" + userId).body()) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      try (ReadableWorkbook wb = new ReadableWorkbook(file.toFile()); var rows = wb.getFirstSheet().openStream()) {
        assertEquals(ROWS + 1, rows.count());
      }
    } finally {
      Files.deleteIfExists(file);
    }
    assertTrue(node.http().get("/health/live").status() == 200, "the node is still alive");
  }
}
