package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.config.AppConfig;
import dev.atrium.support.TlsFront;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * rediss:// through the node's own Redis client, against a TLS front that relays to the
 * machine's Redis: the certificate must chain to ATRIUM_REDIS_CA_FILE (or the JVM's
 * authorities) and name the host dialled.
 */
class RedisTlsTest {
  private static TlsFront front;
  private final Vertx vertx = Vertx.vertx();

  @BeforeAll
  static void startFront() throws Exception {
    front = TlsFront.redis();
  }

  @AfterAll
  static void stopFront() throws Exception {
    front.close();
  }

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
  @DisplayName("with the server's authority in ATRIUM_REDIS_CA_FILE and its name in the URL, commands go over TLS")
  void trustedAndNamed() throws Exception {
    int before = front.tlsSessions();
    assertEquals("PONG", ping("localhost", front.certificatePath()));
    assertTrue(front.tlsSessions() > before);
  }

  @Test
  @DisplayName("a certificate that does not name the host dialled is refused, though its authority is trusted")
  void otherName() {
    int before = front.tlsSessions();
    assertThrows(ExecutionException.class, () -> ping("127.0.0.1", front.certificatePath()));
    assertEquals(before, front.tlsSessions(), "nothing relayed");
  }

  @Test
  @DisplayName("a certificate from an authority neither configured nor the JVM's is refused")
  void untrusted() throws Exception {
    int before = front.tlsSessions();
    assertThrows(ExecutionException.class, () -> ping("localhost", null));
    SelfSignedCertificate other = SelfSignedCertificate.create("localhost");
    try {
      assertThrows(ExecutionException.class, () -> ping("localhost", other.certificatePath()));
    } finally {
      other.delete();
    }
    assertEquals(before, front.tlsSessions(), "nothing relayed");
  }
}
