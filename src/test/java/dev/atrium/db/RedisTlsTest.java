package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import dev.atrium.support.TlsFront;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * rediss:// against a TLS front that relays to the machine's Redis: a whole node on it, and the
 * node's own Redis client, whose server certificate must chain to ATRIUM_REDIS_CA_FILE (or the
 * JVM's authorities) and name the host dialled.
 */
class RedisTlsTest {
  @RegisterExtension // before the node: the node's settings name its port, and it stops after the node
  static final TlsFront front = TlsFront.redis();
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of(
      "ATRIUM_REDIS_URL", "rediss://localhost:" + front.port() + "/0", "ATRIUM_REDIS_CA_FILE", front.certificatePath()));
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private String ping(String host, String caFile) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "ATRIUM_REDIS_URL", "rediss://" + host + ":" + front.port() + "/0", "ATRIUM_REDIS_TIMEOUT", "2s"));
    if (caFile != null) {
      env.put("ATRIUM_REDIS_CA_FILE", caFile);
    }
    Redis redis = TimedRedis.create(vertx, AppConfig.fromEnv(env));
    return RedisAPI.api(redis).ping(List.of()).map(Object::toString)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("a node on rediss:// is ready, signs in (its throttle lives in Redis) and revokes across its cache")
  void nodeOverTls() {
    Http.Res ready = server.http().get("/health/ready");
    assertEquals(200, ready.status(), ready::toString);
    Accounts.Login admin = Accounts.admin(server);
    Http http = admin.http(server);
    assertEquals(200, http.get("/api/auth/me").status());
    assertEquals(204, http.post("/api/auth/logout-all", new JsonObject()).status());
    Poll.until(Poll.ACROSS_NODES, "the revoked token is refused", () -> http.get("/api/auth/me").status() == 401);
    assertTrue(front.tlsSessions() >= 2, "the node's connections went through the front: " + front.tlsSessions());
  }

  @Test
  @DisplayName("with the server's authority in ATRIUM_REDIS_CA_FILE and its name in the URL, commands go over TLS")
  void trustedAndNamed() throws Exception {
    assertEquals("PONG", ping("localhost", front.certificatePath()));
  }

  @Test
  @DisplayName("a certificate that does not name the host dialled is refused, though its authority is trusted")
  void otherName() {
    assertThrows(ExecutionException.class, () -> ping("127.0.0.1", front.certificatePath()));
  }

  @Test
  @DisplayName("a certificate from an authority neither configured nor the JVM's is refused")
  void untrusted() throws Exception {
    assertThrows(ExecutionException.class, () -> ping("localhost", null));
    SelfSignedCertificate other = SelfSignedCertificate.create("localhost");
    try {
      assertThrows(ExecutionException.class, () -> ping("localhost", other.certificatePath()));
    } finally {
      other.delete();
    }
  }
}
