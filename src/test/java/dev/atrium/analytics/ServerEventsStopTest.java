package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Http;
import dev.atrium.support.RedisScan;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that stops right after a broadcast still records every recipient's notification
 * activity and counts it on the dashboard: the send announces its recipients after the 202, so
 * analytics must commit what it was handed, and write its pending counts, before the node
 * closes its database and Redis clients.
 */
class ServerEventsStopTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  private static final Vertx vertx = Vertx.vertx();

  /** The broadcast leaves 20,000 push sequence counters, which have no expiry: delete them. */
  @AfterAll
  static void close() throws Exception {
    try {
      RedisScan.unlink(vertx, prefix() + "*");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static String prefix() {
    return server.env().get("ATRIUM_REDIS_PREFIX");
  }

  /** Today's count of an action on the dashboard, summed over the days the test ran across. */
  private static long countedToday(String action) throws Exception {
    long sum = 0;
    for (String key : RedisScan.keys(vertx, prefix() + "analytics:top:*")) {
      Response score = RedisScan.send(vertx, Request.cmd(Command.ZSCORE).arg(key).arg(action));
      sum += score == null ? 0 : score.toLong();
    }
    return sum;
  }

  @Test
  @DisplayName("a broadcast to 20,000 users answered just before the node stops is stored and counted for every recipient")
  void notificationActivitiesOutliveTheStop() throws Exception {
    server.sql("""
        INSERT INTO users (email, username, password_hash)
        SELECT 'a' || i || '@stop.test', 'a' || i, '!unusable' FROM generate_series(1, 20000) i""");
    Http.Res sent = server.admin().http(server).post("/api/notifications/send",
        new JsonObject().put("broadcast", true).put("title", "maintenance at noon"));
    assertEquals(202, sent.status(), sent::toString);
    long recipients = sent.json().getLong("count");
    server.stopNode();
    long stored = ((Number) server.sql("SELECT count(*) AS n FROM activities WHERE action = 'notification'")
        .get(0).get("n")).longValue();
    assertEquals(recipients, stored, "every recipient's notification activity is stored");
    assertEquals(recipients, countedToday(Activity.NOTIFICATION), "and counted on the dashboard");
  }
}
