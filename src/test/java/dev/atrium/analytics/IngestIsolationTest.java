package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The group commit has connections of its own: a pool whose every connection is busy does not hold it up. */
class IngestIsolationTest {
  private static final int POOL = 2;

  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DB_POOL_SIZE", Integer.toString(POOL)));

  @Test
  @DisplayName("with every pool connection waiting on a lock, an activity is still committed and answered 202")
  void commitsWhilePoolIsBusy() throws Exception {
    Accounts.Login admin = Accounts.admin(server);
    Accounts.Login other = Accounts.registerAndLogin(server, "isolated");
    String stats = "/api/analytics/user-stats/" + other.userId();
    JsonObject activity = new JsonObject().put("action", "while_busy");
    // both callers' access is loaded now, so nothing below needs the users table but the stats
    assertEquals(200, admin.http(server).get(stats).status());
    assertEquals(202, admin.http(server).post("/api/analytics/track-activity", activity).status());

    try (Connection lock = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + server.database(),
        "postgres", null)) {
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
      }
      // another user's statistics first look the user up in the pool: each request holds a
      // connection, waiting on the lock, until every connection of the pool is taken
      List<CompletableFuture<Http.Res>> blocked = new ArrayList<>();
      for (int i = 0; i < POOL; i++) {
        blocked.add(CompletableFuture.supplyAsync(() -> admin.http(server).get(stats)));
      }
      Poll.until(Duration.ofSeconds(10), "every pool connection waits on the lock", () -> waitingOnLock() == POOL);

      Http.Res tracked = admin.http(server).post("/api/analytics/track-activity", activity);
      assertEquals(202, tracked.status(), tracked::toString);
      assertEquals(2L, server.sql("SELECT count(*) AS n FROM activities WHERE action = 'while_busy'").get(0).get("n"));

      lock.rollback();
      for (CompletableFuture<Http.Res> f : blocked) {
        assertEquals(200, f.get(10, TimeUnit.SECONDS).status());
      }
    }
  }

  private static long waitingOnLock() {
    return ((Number) server.sql("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
        + " AND wait_event_type = 'Lock'").get(0).get("n")).longValue();
  }
}
