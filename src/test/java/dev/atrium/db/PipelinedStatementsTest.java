package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PipelinedStatementsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DB_PIPELINED_CONNECTIONS", "2"));

  @Test
  @DisplayName("many users pages at once are read through the few pipelined connections of each event loop,"
      + " each answer its own page")
  void concurrentPagesShareTwoConnections() {
    Accounts.Login admin = server.admin();
    server.sql("INSERT INTO users (email, username, password_hash) SELECT 'piped' || i || '@x.test', 'piped' || i,"
        + " '!unusable' FROM generate_series(1, 12) i");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<CompletableFuture<HttpResponse<String>>> pages = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      int size = 1 + i % 6; // different statements and answers in flight together
      pages.add(client.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/users?page_size=" + size))
          .header("Authorization", "Bearer " + admin.access()).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < pages.size(); i++) {
      HttpResponse<String> res = pages.get(i).join();
      assertEquals(200, res.statusCode(), res::body);
      JsonObject page = new JsonObject(res.body());
      assertEquals(1 + i % 6, page.getJsonArray("results").size(), "page " + i + " got its own answer");
      assertEquals(13, page.getLong("count"));
    }
    List<Map<String, Object>> backends = server.sql(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
            + " AND application_name = 'atrium-pipelined'");
    long pipelined = ((Number) backends.get(0).get("n")).longValue();
    // at most two for each event loop that sent statements (Vert.x's default: two loops a core)
    int loops = 2 * Runtime.getRuntime().availableProcessors();
    assertTrue(pipelined >= 1 && pipelined <= 2L * loops, "pipelined connections: " + pipelined);
  }
}
