package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that stops right after a broadcast still hands every recipient's event to Redis (their
 * replay streams, and so every other node's sockets) before it closes its Redis client.
 */
class PushStopTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  private static final Vertx vertx = Vertx.vertx();

  /** The 20,000 users' sequence counters live until deleted (they have no expiry): delete them. */
  @AfterAll
  static void close() throws Exception {
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
    try {
      String cursor = "0";
      do {
        Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH")
            .arg(server.env().get("ATRIUM_REDIS_PREFIX") + "*").arg("COUNT").arg(10_000))
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cursor = page.get(0).toString();
        if (page.get(1).size() > 0) {
          Request unlink = Request.cmd(Command.UNLINK);
          page.get(1).forEach(k -> unlink.arg(k.toString()));
          redis.send(unlink).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
      } while (!"0".equals(cursor));
    } finally {
      redis.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static long streams() throws Exception {
    String pattern = server.env().get("ATRIUM_REDIS_PREFIX") + "push:{*}:events";
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
    try {
      String cursor = "0";
      long n = 0;
      do {
        Response page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern)
            .arg("COUNT").arg(10_000)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cursor = page.get(0).toString();
        n += page.get(1).size();
      } while (!"0".equals(cursor));
      return n;
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("a broadcast to 20,000 users answered just before the node stops reaches every user's replay stream")
  void broadcastOutlivesTheStop() throws Exception {
    server.sql("""
        INSERT INTO users (email, username, password_hash)
        SELECT 'p' || i || '@stop.test', 'p' || i, '!unusable' FROM generate_series(1, 20000) i""");
    Http.Res sent = server.admin().http(server).post("/api/notifications/send",
        new JsonObject().put("broadcast", true).put("title", "maintenance at noon"));
    assertEquals(202, sent.status(), sent::toString);
    long recipients = sent.json().getLong("count");
    server.stopNode();
    assertEquals(recipients, streams(), "every recipient's event is in Redis");
  }
}
