package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node whose ingest queue holds 10 activities, and a database that stalls on demand. */
class IngestSaturationTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_INGEST_QUEUE", "10"));

  static JsonObject events(String action, int n) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < n; i++) {
      list.add(new JsonObject().put("action", action));
    }
    return new JsonObject().put("events", list);
  }

  static long count(String action) {
    return ((Number) server.sql("SELECT count(*) AS n FROM activities WHERE action = ?", action).get(0).get("n")).longValue();
  }

  /** A new user whose login activity is already stored, so it cannot join a batch under test. */
  static Accounts.Login signedIn(String name) {
    long logins = count("login");
    Accounts.Login u = Accounts.registerAndLogin(server, name);
    Poll.until(Duration.ofSeconds(5), "the login is recorded", () -> count("login") == logins + 1);
    return u;
  }

  /** A transaction whose lock makes every insert into activities wait until it ends. */
  static Connection lockActivities() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + server.database(), "postgres", null);
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("LOCK TABLE activities IN SHARE MODE");
    }
    return c;
  }

  static void awaitInsertOnLock() {
    Poll.until(Duration.ofSeconds(5), "the group insert waits for the lock", () -> !server.sql(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").isEmpty());
  }

  @Test
  @DisplayName("while the store stalls, requests beyond the queue's capacity get 503 with Retry-After; the waiting one is stored")
  void fullQueueAnswers503() throws Exception {
    Accounts.Login u = signedIn("sat");
    try (Connection c = lockActivities()) {
      CompletableFuture<Http.Res> waiting = CompletableFuture.supplyAsync(
          () -> u.http(server).post("/api/analytics/track-activity", events("waiting", 8)));
      awaitInsertOnLock();

      Http.Res refused = u.http(server).post("/api/analytics/track-activity", events("refused", 5));
      assertEquals(503, refused.status(), refused::toString);
      assertEquals("ingest_saturated", refused.code());
      assertEquals("1", refused.header("Retry-After").orElse(null));
      c.rollback();
      Http.Res stored = waiting.get(10, TimeUnit.SECONDS);
      assertEquals(202, stored.status(), stored::toString);
    }
    assertEquals(8, count("waiting"));
    assertEquals(0, count("refused"));
    Http.Res after = u.http(server).post("/api/analytics/track-activity", events("after", 5));
    assertEquals(202, after.status(), after::toString);
    assertEquals(5, count("after"));
  }

  static double pendingRows() {
    String metrics = server.http().get("/metrics").body();
    return metrics.lines().filter(l -> l.startsWith("atrium_ingest_pending_rows "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
  }

  @Test
  @DisplayName("requests that arrive while the insert in flight waits are stored by the insert after it, without another request")
  void queuedBehindABusyFlusherAreStored() throws Exception {
    Accounts.Login u = signedIn("queued");
    List<CompletableFuture<Http.Res>> queued = new ArrayList<>();
    CompletableFuture<Http.Res> first;
    // a thread per request: each blocks until its commit (the common pool has one thread on 2 cores)
    ExecutorService clients = Executors.newFixedThreadPool(9);
    try (Connection c = lockActivities()) {
      first = CompletableFuture.supplyAsync(() -> u.http(server).post("/api/analytics/track-activity",
          events("first", 1)), clients);
      awaitInsertOnLock();
      // Each on a connection of its own, so they reach the node on its different event loops.
      for (int i = 0; i < 8; i++) {
        queued.add(CompletableFuture.supplyAsync(() -> u.http(server).post("/api/analytics/track-activity",
            events("queued", 1)), clients));
      }
      Poll.until(Duration.ofSeconds(5), "all nine wait uncommitted", () -> pendingRows() == 9);
      c.rollback();
    } finally {
      clients.shutdown();
    }
    assertEquals(202, first.get(10, TimeUnit.SECONDS).status());
    for (CompletableFuture<Http.Res> r : queued) {
      Http.Res res = r.get(10, TimeUnit.SECONDS);
      assertEquals(202, res.status(), res::toString);
    }
    assertEquals(8, count("queued"));
  }
}
