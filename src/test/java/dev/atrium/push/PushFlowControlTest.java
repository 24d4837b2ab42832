package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.events.Addresses;
import dev.atrium.events.NotificationCreated;
import dev.atrium.support.Accounts;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Slow readers and shutdown, on one node. */
class PushFlowControlTest {
  static final String PAYLOAD = "x".repeat(24 * 1024);
  static final int BURSTS = 40;
  static final int PER_BURST = 20;
  /** How long the fast reader may wait for a frame: far below the slow reader's stall, above a busy machine's hiccup. */
  static final Duration FAST_READER_WAIT = Duration.ofSeconds(5);
  /**
   * The default ping interval (25 s): a paused reader cannot answer pings, and with the short
   * timeouts of {@link PushLivenessTest} a stalled machine could close it for that before its
   * frames are dropped or it is closed for being slow.
   */
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = server.clientVertx();
  }

  /** A reader that stops reading: tiny receive buffer, paused after subscribing. */
  private static WsClient slowReader(String token, String topic) {
    WsClient c = WsClient.authenticated(vertx, server.port(), token, new WebSocketClientOptions().setReceiveBufferSize(4096));
    c.subscribe(topic, null);
    c.pause();
    return c;
  }

  private static double metric(String name, String topic) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{topic=\"" + topic + "\",?\\} ([0-9.eE+]+)$")
        .matcher(server.http().get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  @DisplayName("a slow dashboard reader has snapshots dropped and stays open, while a fast reader gets every snapshot promptly")
  void slowDashboardReader() {
    Accounts.Login admin = Accounts.admin(server);
    EventBus bus = server.application().vertx().eventBus();
    try (WsClient slow = slowReader(admin.access(), "dashboard");
         WsClient fast = WsClient.authenticated(vertx, server.port(), admin.access())) {
      fast.subscribe("dashboard", null);
      double droppedBefore = metric("atrium_push_frames_dropped_total", "dashboard");
      Set<Long> ids = new HashSet<>();
      for (int burst = 0; burst < BURSTS; burst++) {
        for (int i = 0; i < PER_BURST; i++) {
          bus.publish(Addresses.DASHBOARD_SNAPSHOT, new JsonObject().put("n", burst * PER_BURST + i).put("pad", PAYLOAD));
        }
        // the fast reader keeps up with every burst, however stuck the slow one is (the bound is
        // generous because a busy CI machine can stall any process for a second)
        for (int i = 0; i < PER_BURST; i++) {
          JsonObject ev = fast.next(FAST_READER_WAIT);
          assertEquals("dashboard", ev.getString("topic"));
          ids.add(ev.getLong("id"));
        }
      }
      assertEquals(BURSTS * PER_BURST, ids.size());
      assertTrue(metric("atrium_push_frames_dropped_total", "dashboard") > droppedBefore, "slow reader's frames dropped");
      assertFalse(slow.isClosed(), "dropping dashboard frames does not close the socket");
    }
  }

  @Test
  @DisplayName("a reader too slow for its notification frames is closed with 1013, and a fast reader is not delayed")
  void slowNotificationReader() {
    Accounts.Login slowUser = Accounts.registerAndLogin(server, "slow");
    Accounts.Login fastUser = Accounts.registerAndLogin(server, "fast");
    EventBus bus = server.application().vertx().eventBus();
    try (WsClient slow = slowReader(slowUser.access(), "notifications");
         WsClient fast = WsClient.authenticated(vertx, server.port(), fastUser.access())) {
      fast.subscribe("notifications", null);
      for (int burst = 0; burst < BURSTS; burst++) {
        for (int i = 0; i < PER_BURST; i++) {
          for (Accounts.Login u : new Accounts.Login[] {slowUser, fastUser}) {
            bus.publish(Addresses.NOTIFICATION_CREATED, NotificationCreated.one(UUID.randomUUID().toString(),
                u.userId(), "bulk", PAYLOAD, "info", new JsonObject(), Instant.now()).toJson());
          }
        }
        for (int i = 0; i < PER_BURST; i++) {
          assertEquals("bulk", fast.next(FAST_READER_WAIT).getJsonObject("data").getString("title"));
        }
      }
      assertTrue(metric("atrium_push_frames_dropped_total", "notifications") >= 1, "the overflow was counted");
      slow.resume(); // read what was queued, then the close frame
      assertEquals(1013, slow.awaitClose(Duration.ofSeconds(15)));
      assertFalse(fast.isClosed());
    }
  }

  @Test
  @DisplayName("stopping a node closes its sockets with 1001 without waiting for the shutdown grace period")
  void shutdownClosesSockets() {
    // a grace period far longer than any stall of a busy machine: waiting for it would show
    TestServer extra = server.join(java.util.Map.of("ATRIUM_SHUTDOWN_GRACE", "60s"));
    Accounts.Login u = Accounts.registerAndLogin(server, "bye");
    WsClient ws = WsClient.authenticated(vertx, extra.port(), u.access());
    long t0 = System.nanoTime();
    extra.stopNode();
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(1001, ws.awaitClose(Duration.ofSeconds(10)));
    assertTrue(tookMs < 30_000, "stop took " + tookMs + " ms (grace is 60 s)");
    ws.close();
  }
}
