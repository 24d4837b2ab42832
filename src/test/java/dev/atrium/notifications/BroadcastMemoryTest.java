package dev.atrium.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.push.WsClient;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.ServerProcess;
import dev.atrium.support.RedisScan;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 16 KB broadcast to 100,000 users on a node whose heap is 160 MB (a node at rest uses well
 * under 60 MB of it): the send stores its content once, the push frame is encoded once, and
 * Redis keeps the content once with a short head per recipient. Copying the content per
 * recipient, as before, needed about 1.6 GB of heap and of Redis.
 */
class BroadcastMemoryTest {
  static final int USERS = 100_000;
  static final String DATA = "d".repeat(16 * 1024 - 100);
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static ServerProcess node;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    server.sql("""
        INSERT INTO users (email, username, password_hash)
        SELECT 'many' || g || '@broadcast.test', 'many' || g, '!x' FROM generate_series(1, ?) g""", USERS);
    node = ServerProcess.start(server.env(), List.of("-Xmx160m", "-Dlogback.configurationFile=logback.xml"));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    forgetRedisKeys();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a 16 KB broadcast to 100,000 users is stored, published and pushed by a node with a 160 MB heap")
  void broadcast() throws Exception {
    Http.Res login = node.http().post("/api/auth/login", new JsonObject().put("email", TestServer.ADMIN_EMAIL)
        .put("password", TestServer.ADMIN_PASSWORD));
    assertEquals(200, login.status(), login::toString);
    String token = login.json().getString("access");
    try (WsClient ws = WsClient.authenticated(vertx, node.port(), token)) {
      ws.subscribe("notifications", null);
      Http.Res sent = node.http().bearer(token).post("/api/notifications/send", new JsonObject()
          .put("broadcast", true).put("title", "Everyone").put("data", new JsonObject().put("pad", DATA)));
      assertEquals(202, sent.status(), sent::toString);
      assertEquals(USERS + 1, sent.json().getInteger("count"));
      JsonObject frame = ws.next(Duration.ofSeconds(120));
      assertEquals("Everyone", frame.getJsonObject("data").getString("title"), frame::encode);
      assertEquals(DATA, frame.getJsonObject("data").getJsonObject("data").getString("pad"));
      Poll.until(Duration.ofSeconds(180), "every recipient's event is in Redis", () -> backlog() == 0);
    }
    assertEquals(200, node.http().get("/health/live").status());
    assertFalse(String.join("\n", node.output()).contains("OutOfMemoryError"), "no OutOfMemoryError");
    String prefix = server.env().get("ATRIUM_REDIS_PREFIX");
    assertEquals(1L, server.sql("SELECT count(*) AS n FROM notification_batches").get(0).get("n"));
    assertEquals((long) USERS + 1, server.sql("SELECT count(*) AS n FROM notifications").get(0).get("n"));
    String someUser = (String) server.sql("SELECT id::text AS id FROM users WHERE email = 'many77777@broadcast.test'")
        .get(0).get("id");
    Response entries = redis(Request.cmd(Command.XRANGE).arg(prefix + "push:{" + someUser + "}:events").arg("-").arg("+"));
    assertEquals(1, entries.size(), "one event in the recipient's replay stream");
    String stored = entries.get(0).get(1).toString();
    assertTrue(stored.length() < 1024, "the stream keeps a short head, not the content: " + stored.length());
  }

  private static double backlog() {
    return node.http().get("/metrics").body().lines().filter(l -> l.startsWith("atrium_push_publish_backlog "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
  }

  private static Response redis(Request request) throws Exception {
    Redis client = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
    try {
      return client.send(request).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  /** This class's push keys (a counter and a stream per recipient) leave the shared Redis with it. */
  private static void forgetRedisKeys() throws Exception {
    RedisScan.unlink(vertx, server.env().get("ATRIUM_REDIS_PREFIX") + "*");
  }
}
