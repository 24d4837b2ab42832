package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.events.Addresses;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TcpProxy;
import dev.atrium.support.TestServer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose PostgreSQL and Redis are reached through TCP proxies that the test cuts or
 * silences (the shared servers themselves are never stopped).
 */
class DependencyOutageTest {
  static final TcpProxy postgres = new TcpProxy("127.0.0.1", 5432);
  static final TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of(
      "ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:" + postgres.port() + "/{database}",
      "ATRIUM_REDIS_URL", "redis://127.0.0.1:" + redis.port() + "/0",
      "ATRIUM_REDIS_TIMEOUT", "1s"));

  @AfterAll
  static void closeProxies() {
    postgres.close();
    redis.close();
  }

  @AfterEach
  void heal() {
    postgres.pass();
    redis.pass();
  }

  @Test
  @DisplayName("PostgreSQL cut: a signed-in request answers 503 dependency_unavailable with Retry-After (never 401 "
      + "or 500), readiness says DOWN, and the same node serves 200 again once PostgreSQL is back")
  void postgresOutage() {
    Http admin = server.http().bearer(Accounts.admin(server).access());
    assertEquals(200, admin.get("/api/users").status());
    Http.Res created = admin.post("/api/auth/api-keys",
        new JsonObject().put("name", "outage").put("permissions", new JsonArray().add("users.view")));
    assertEquals(201, created.status(), created::toString);
    Http withKey = server.http().with("X-API-Key", created.json().getString("key"));
    assertEquals(200, withKey.get("/api/users").status());

    postgres.refuse();
    List<Integer> seen = new ArrayList<>();
    Http.Res outage = Poll.value(Duration.ofSeconds(15), "GET /api/users answers 503", () -> {
      Http.Res r = admin.get("/api/users?page_size=7");
      seen.add(r.status());
      return r;
    }, r -> r.status() == 503);
    assertTrue(seen.stream().allMatch(s -> s == 200 || s == 503), () -> "statuses during the outage: " + seen);
    assertEquals("dependency_unavailable", outage.code(), outage::toString);
    assertEquals("application/problem+json", outage.header("Content-Type").orElse(""));
    assertTrue(outage.header("Retry-After").isPresent(), outage::toString);
    // /me needs only the caller's access state, which may be cached for 500 ms
    Http.Res me = Poll.value(Duration.ofSeconds(10), "GET /api/auth/me answers 503",
        () -> admin.get("/api/auth/me"), r -> r.status() != 200);
    assertEquals(503, me.status(), me::toString);
    // an API key is looked up in PostgreSQL too (cached for 500 ms): 503, never 401
    Http.Res keyed = Poll.value(Duration.ofSeconds(10), "GET /api/users with an API key answers 503",
        () -> withKey.get("/api/users?page_size=3"), r -> r.status() != 200);
    assertEquals(503, keyed.status(), keyed::toString);
    assertEquals("dependency_unavailable", keyed.code());
    Http.Res login = server.http().post("/api/auth/login",
        new JsonObject().put("email", TestServer.ADMIN_EMAIL).put("password", TestServer.ADMIN_PASSWORD));
    assertEquals(503, login.status(), login::toString);
    assertEquals(503, server.http().get("/health/ready").status());

    postgres.pass();
    Poll.until(Duration.ofSeconds(20), "GET /api/users answers 200 again",
        () -> admin.get("/api/users?page_size=7").status() == 200);
    assertEquals(200, Accounts.admin(server).http(server).get("/api/auth/me").status());
    assertEquals(200, server.http().get("/health/ready").status());
    Poll.until(Duration.ofSeconds(10), "the API key works again", () -> withKey.get("/api/users").status() == 200);
  }

  @Test
  @DisplayName("Redis accepting connections but never answering: login answers 503 dependency_unavailable within "
      + "ATRIUM_REDIS_TIMEOUT (1 s here) while signed-in requests still work, then login works again when Redis answers")
  void silentRedis() {
    Http admin = server.http().bearer(Accounts.admin(server).access());
    redis.silence();

    long started = System.nanoTime();
    Http.Res login = server.http().post("/api/auth/login",
        new JsonObject().put("email", TestServer.ADMIN_EMAIL).put("password", TestServer.ADMIN_PASSWORD));
    long loginMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, login.status(), login::toString);
    assertEquals("dependency_unavailable", login.code());
    assertTrue(login.header("Retry-After").isPresent());
    assertTrue(loginMs < 3_000, "login answered after " + loginMs + " ms");

    // the token check reads revocations from PostgreSQL (Redis only carries the news between
    // nodes), so a signed-in request keeps working while Redis is silent, past the cache's age
    long until = System.currentTimeMillis() + 1_500;
    do {
      Http.Res me = admin.get("/api/auth/me");
      assertEquals(200, me.status(), me::toString);
    } while (System.currentTimeMillis() < until);

    redis.pass();
    Poll.until(Duration.ofSeconds(15), "login works again", () -> server.http().post("/api/auth/login",
        new JsonObject().put("email", TestServer.ADMIN_EMAIL).put("password", TestServer.ADMIN_PASSWORD))
        .status() == 200);
  }

  @Test
  @DisplayName("a half-open Redis connection (peer gone without a reset) is noticed by the keep-alive: the "
      + "access-change subscription is re-established and another node's announcement is heard again")
  void pubSubComesBack() {
    String userId = UUID.randomUUID().toString();
    Set<String> heard = ConcurrentHashMap.newKeySet();
    MessageConsumer<JsonObject> consumer = server.application().vertx().eventBus()
        .consumer(Addresses.ACCESS_CHANGED, m -> heard.add(m.body().getString("user_id")));
    try {
      String before = UUID.randomUUID().toString();
      Poll.until(Duration.ofSeconds(10), "the subscription works before the outage", () -> {
        announceFromAnotherNode(before);
        return heard.contains(before);
      });
      // Every open connection, the subscriber's included, now silently loses its bytes; only a
      // node that checks its subscription notices and subscribes again on a new connection.
      redis.partition();
      Poll.until(Duration.ofSeconds(20), "an announcement after the partition is heard", () -> {
        announceFromAnotherNode(userId);
        return heard.contains(userId);
      });
      // the pooled connections were cut the same way: each is closed after 5 s without a byte
      Poll.until(Duration.ofSeconds(20), "login works again on fresh pooled connections",
          () -> server.http().post("/api/auth/login", new JsonObject().put("email", TestServer.ADMIN_EMAIL)
              .put("password", TestServer.ADMIN_PASSWORD)).status() == 200);
    } finally {
      consumer.unregister();
    }
  }

  /** PUBLISH straight to the shared Redis, as another node of this deployment would. */
  private static void announceFromAnotherNode(String userId) {
    String channel = server.env().get("ATRIUM_REDIS_PREFIX") + "access-changed";
    String message = new JsonObject().put("user_id", userId).put("tokens_voided", false).put("node", "other-node")
        .encode();
    try (Socket s = new Socket("127.0.0.1", 6379)) {
      OutputStream out = s.getOutputStream();
      out.write(resp("PUBLISH", channel, message));
      out.flush();
      s.getInputStream().read(new byte[64]); // the subscriber count
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] resp(String... parts) {
    StringBuilder b = new StringBuilder("*").append(parts.length).append("\r\n");
    for (String p : parts) {
      b.append('$').append(p.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(p).append("\r\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
