package dev.atrium.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.atrium.support.Poll;
import dev.atrium.support.TcpProxy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RedisSubscriberTest {
  private final Vertx vertx = Vertx.vertx();
  private final TcpProxy proxy = new TcpProxy("127.0.0.1", 6379);
  private final RedisAPI publisher = RedisAPI.api(Redis.createClient(vertx, "redis://127.0.0.1:6379"));
  private final String prefix = "atrium-test:subscriber:" + UUID.randomUUID() + ":";

  /** Records what one listener heard, and on which context. */
  private static final class Heard implements RedisSubscriber.Listener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Context> contexts = new CopyOnWriteArrayList<>();

    @Override
    public void message(String payload) {
      contexts.add(Vertx.currentContext());
      events.add("message:" + payload);
    }

    @Override
    public void subscribed(boolean again) {
      contexts.add(Vertx.currentContext());
      events.add(again ? "subscribed-again" : "subscribed");
    }

    @Override
    public void lost() {
      contexts.add(Vertx.currentContext());
      events.add("lost");
    }
  }

  @AfterEach
  void close() throws Exception {
    proxy.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("two channels share one connection; each listener hears its own channel on its own context, "
      + "hears the loss of the connection, and is subscribed again when Redis is back")
  void oneConnectionReconnects() throws Exception {
    RedisSubscriber subscriber = new RedisSubscriber(vertx, Redis.createClient(vertx, "redis://127.0.0.1:" + proxy.port()));
    Heard a = new Heard();
    Heard b = new Heard();
    Context contextA = vertx.getOrCreateContext();
    Context contextB = vertx.getOrCreateContext();
    await(listenOn(contextA, subscriber, prefix + "a", a));
    await(listenOn(contextB, subscriber, prefix + "b", b));
    Poll.until(Duration.ofSeconds(10), "both subscribed", () -> a.events.contains("subscribed")
        && b.events.contains("subscribed"));
    assertEquals(1, proxy.openConnections(), "one connection for both channels");

    publishAndHear(a, "a", "one");
    publishAndHear(b, "b", "two");
    assertEquals(List.of("subscribed", "message:one"), a.events);
    assertEquals(List.of("subscribed", "message:two"), b.events);

    proxy.refuse();
    Poll.until(Duration.ofSeconds(10), "both hear the loss", () -> a.events.contains("lost") && b.events.contains("lost"));
    proxy.pass();
    Poll.until(Duration.ofSeconds(15), "both subscribed again", () -> a.events.contains("subscribed-again")
        && b.events.contains("subscribed-again"));
    publishAndHear(a, "a", "three");
    assertEquals(List.of("subscribed", "message:one", "lost", "subscribed-again", "message:three"), a.events);
    a.contexts.forEach(c -> assertSame(contextA, c, "a's listener runs on the context it listened from"));
    b.contexts.forEach(c -> assertSame(contextB, c, "b's listener runs on the context it listened from"));
    await(subscriber.close());
  }

  @Test
  @DisplayName("with Redis down, listen completes after the first attempt; the subscription follows when it is up")
  void startsWhileRedisIsDown() throws Exception {
    proxy.refuse();
    RedisSubscriber subscriber = new RedisSubscriber(vertx, Redis.createClient(vertx, "redis://127.0.0.1:" + proxy.port()));
    Heard a = new Heard();
    await(listenOn(vertx.getOrCreateContext(), subscriber, prefix + "down", a));
    assertEquals(List.of(), a.events);
    proxy.pass();
    Poll.until(Duration.ofSeconds(15), "subscribed once Redis answers", () -> a.events.contains("subscribed"));
    publishAndHear(a, "down", "late");
    await(subscriber.close());
  }

  private static Future<Void> listenOn(Context context, RedisSubscriber subscriber, String channel, Heard heard) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> subscriber.listen(channel, heard).onComplete(done));
    return done.future();
  }

  /** Publishes once (the listener was told it is subscribed, so the message must arrive). */
  private void publishAndHear(Heard heard, String channel, String payload) throws Exception {
    await(publisher.publish(prefix + channel, payload));
    Poll.until(Duration.ofSeconds(10), channel + " hears " + payload, () -> heard.events.contains("message:" + payload));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
