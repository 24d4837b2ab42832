package dev.atrium.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.events.Addresses;
import dev.atrium.events.FileProcessed;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import dev.atrium.support.Timestamps;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PushTest {
  @RegisterExtension
  static final TestServer nodeA = TestServer.node(Map.of("ATRIUM_WS_AUTH_TIMEOUT", "1s"));
  static TestServer nodeB;
  static Vertx vertx;
  static Accounts.Login admin;

  @BeforeAll
  static void start() {
    nodeB = nodeA.join();
    vertx = nodeA.clientVertx();
    admin = Accounts.admin(nodeA);
  }

  private static Http.Res send(JsonObject body) {
    return admin.http(nodeA).post("/api/notifications/send", body);
  }

  @Test
  @DisplayName("an auth frame authenticates the socket, and a notification sent through node A reaches a socket on node B with a sequence id")
  void authByFrameAndCrossNode() {
    Instant started = Instant.now();
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "frame");
    try (WsClient ws = WsClient.connect(vertx, nodeB.port(), null)) {
      ws.auth(u.access(), u.userId());
      ws.subscribe("notifications", null);
      Http.Res res = send(new JsonObject().put("user_ids", new JsonArray().add(u.userId())).put("title", "Hello B")
          .put("body", "across nodes").put("level", "success").put("data", new JsonObject().put("k", 1)));
      assertEquals(202, res.status(), res::toString);
      assertEquals(1, res.json().getInteger("count"));
      JsonObject ev = ws.next();
      assertEquals("event", ev.getString("type"), ev::encode);
      assertEquals("notifications", ev.getString("topic"));
      assertEquals("notification.created", ev.getString("event"));
      assertEquals(1L, ev.getLong("id"));
      Timestamps.assertSince(started, ev.getString("ts"));
      JsonObject data = ev.getJsonObject("data");
      assertEquals("Hello B", data.getString("title"));
      assertEquals("success", data.getString("level"));
      assertEquals(1, data.getJsonObject("data").getInteger("k"));
      assertFalse(data.getBoolean("read"));
      // exactly once: nothing else is pending (the event reached node B once, not once per node)
      assertEquals(List.of(), ws.drainUntilPong());
      var rows = nodeA.sql("SELECT b.title, b.level, b.sender_id::text AS sender FROM notifications n"
          + " JOIN notification_batches b ON b.id = n.batch_id WHERE n.id = ?::uuid",
          data.getString("id"));
      assertEquals("Hello B", rows.get(0).get("title"));
      assertEquals(admin.userId(), rows.get(0).get("sender"));

      ws.send(new JsonObject().put("type", "unsubscribe").put("topic", "notifications"));
      JsonObject ack = ws.next();
      assertEquals("unsubscribe", ack.getString("of"), ack::encode);
      try (WsClient witness = WsClient.authenticated(vertx, nodeB.port(), u.access())) {
        witness.subscribe("notifications", null);
        assertEquals(202, send(new JsonObject().put("user_ids", new JsonArray().add(u.userId())).put("title", "quiet"))
            .status());
        assertEquals("quiet", witness.next().getJsonObject("data").getString("title"));
        assertEquals(List.of(), ws.drainUntilPong(), "nothing pushed after unsubscribing");
      }
    }
  }

  @Test
  @DisplayName("revoking the role that grants analytics.view_all ends a dashboard subscription on another node "
      + "with permission_denied, and the socket stays open")
  void dashboardPermissionRevoked() {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "analyst");
    long analyst = ((Number) nodeA.sql("SELECT id FROM roles WHERE name = 'analyst'").get(0).get("id")).longValue();
    Http.Res granted = admin.http(nodeA).post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role_id", analyst));
    assertEquals(201, granted.status(), granted::toString);
    try (WsClient ws = WsClient.authenticated(vertx, nodeB.port(), u.access())) {
      ws.subscribe("dashboard", null);
      Http.Res revoked = admin.http(nodeA).delete("/api/users/" + u.userId() + "/roles/" + analyst);
      assertEquals(204, revoked.status(), revoked::toString);
      JsonObject f = ws.next();
      for (int i = 0; i < 10 && "dashboard".equals(f.getString("topic")) && f.getString("event") != null; i++) {
        f = ws.next(); // snapshots delivered before the revocation arrived
      }
      assertEquals("error", f.getString("type"), f::encode);
      assertEquals("permission_denied", f.getString("code"), f::encode);
      assertEquals("dashboard", f.getString("topic"), f::encode);
      assertEquals(List.of(), ws.drainUntilPong(), "no snapshot after the denial, and the socket still answers");
    }
  }

  @Test
  @DisplayName("an Authorization header authenticates the socket at the upgrade; a file event reaches its owner's files subscription")
  void authByHeader() {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "header");
    try (WsClient ws = WsClient.authenticated(vertx, nodeA.port(), u.access())) {
      assertEquals("ack", ws.subscribe("files", null).getString("type"));
      nodeB.application().vertx().eventBus().publish(Addresses.FILE_PROCESSED,
          new FileProcessed("f-1", u.userId(), "ready", 10, 20, null, Instant.now()).toJson());
      JsonObject ev = ws.next();
      assertEquals("files", ev.getString("topic"), ev::encode);
      assertEquals("file.processed", ev.getString("event"));
      assertEquals("f-1", ev.getJsonObject("data").getString("file_id"));
      assertTrue(ev.getLong("id") >= 1);
    }
  }

  @Test
  @DisplayName("sockets are closed with 4401 for a bad token frame, a bad header token, and no auth frame within the timeout; subscribing first is an error frame")
  void refusals() {
    Http.Res plainGet = nodeA.http().get("/ws");
    assertEquals(426, plainGet.status(), plainGet::toString);
    assertEquals("upgrade_required", plainGet.code());
    try (WsClient ws = WsClient.connect(vertx, nodeA.port(), null)) {
      ws.send(new JsonObject().put("type", "subscribe").put("topic", "notifications"));
      JsonObject err = ws.next();
      assertEquals("error", err.getString("type"));
      assertEquals("not_authenticated", err.getString("code"));
      ws.send(new JsonObject().put("type", "auth").put("token", "not-a-jwt"));
      assertEquals(4401, ws.awaitClose(Duration.ofSeconds(5)));
    }
    try (WsClient ws = WsClient.connect(vertx, nodeA.port(), "forged.token.value")) {
      assertEquals(4401, ws.awaitClose(Duration.ofSeconds(5)));
    }
    long t0 = System.nanoTime();
    try (WsClient ws = WsClient.connect(vertx, nodeA.port(), null)) {
      assertEquals(4401, ws.awaitClose(Duration.ofSeconds(5)));
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(900).toNanos(), "closed before the auth timeout");
      assertEquals("authentication timeout", ws.closeReason());
    }
  }

  @Test
  @DisplayName("non-JSON frames, unknown types and topics are answered with error frames and the socket lives on; a frame over 64 KB closes it with 1009")
  void badInput() {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "bad");
    try (WsClient ws = WsClient.authenticated(vertx, nodeA.port(), u.access())) {
      ws.sendText("this is not json");
      assertEquals("malformed_json", ws.next().getString("code"));
      ws.sendText("[1,2,3]");
      assertEquals("malformed_json", ws.next().getString("code"));
      ws.sendText("{\"type\":\"ping\",\"type\":\"subscribe\",\"topic\":\"notifications\"}");
      assertEquals("malformed_json", ws.next().getString("code"));
      ws.send(new JsonObject().put("type", "dance"));
      assertEquals("unknown_type", ws.next().getString("code"));
      ws.send(new JsonObject().put("type", "subscribe").put("topic", "gossip"));
      assertEquals("unknown_topic", ws.next().getString("code"));
      ws.send(new JsonObject().put("type", "subscribe").put("topic", "notifications").put("since", "yesterday"));
      assertEquals("validation_failed", ws.next().getString("code"));
      // beyond a long, or not an integer: refused, not cut to another id
      for (String since : List.of("99999999999999999999999", "1e308", "-1", "2.5")) {
        ws.sendText("{\"type\":\"subscribe\",\"topic\":\"notifications\",\"since\":" + since + "}");
        assertEquals("validation_failed", ws.next().getString("code"), since);
      }
      assertEquals(List.of(), ws.drainUntilPong()); // still alive and answering
      ws.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
      assertEquals(1009, ws.awaitClose(Duration.ofSeconds(5)));
    }
  }

  @Test
  @DisplayName("a role-targeted notification is stored for and pushed to that role's holders only")
  void roleTargeted() {
    Accounts.Login holder = Accounts.registerAndLogin(nodeA, "holder");
    Accounts.Login other = Accounts.registerAndLogin(nodeA, "other");
    nodeA.sql("INSERT INTO user_roles (user_id, role_id) SELECT ?::uuid, id FROM roles WHERE name = 'support'",
        holder.userId());
    try (WsClient h = WsClient.authenticated(vertx, nodeB.port(), holder.access());
         WsClient o = WsClient.authenticated(vertx, nodeB.port(), other.access())) {
      h.subscribe("notifications", null);
      o.subscribe("notifications", null);
      Http.Res res = send(new JsonObject().put("role", "support").put("title", "Support only"));
      assertEquals(202, res.status(), res::toString);
      String batch = res.json().getString("batch_id");
      assertEquals("Support only", h.next().getJsonObject("data").getString("title"));
      assertEquals(List.of(), o.drainUntilPong());
      var rows = nodeA.sql("SELECT user_id::text AS u FROM notifications WHERE batch_id = ?::uuid", batch);
      assertTrue(rows.stream().anyMatch(r -> r.get("u").equals(holder.userId())), rows::toString);
      assertFalse(rows.stream().anyMatch(r -> r.get("u").equals(other.userId())), rows::toString);
      assertEquals(res.json().getInteger("count"), rows.size());
    }
    Http.Res unknown = send(new JsonObject().put("role", "no-such-role").put("title", "x"));
    assertEquals(400, unknown.status(), unknown::toString);
    assertEquals("unknown_role", unknown.code());
  }

  @Test
  @DisplayName("the dashboard topic is refused without analytics.view_all and delivers snapshots (once per socket, across nodes) with it")
  void dashboard() {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "nodash");
    try (WsClient plain = WsClient.authenticated(vertx, nodeA.port(), u.access());
         WsClient boss = WsClient.authenticated(vertx, nodeB.port(), admin.access())) {
      plain.send(new JsonObject().put("type", "subscribe").put("topic", "dashboard"));
      JsonObject err = plain.next();
      assertEquals("error", err.getString("type"));
      assertEquals("permission_denied", err.getString("code"));
      boss.subscribe("dashboard", null);
      // Every node follows one source of snapshots (the smallest node id), which may be either
      // node: raised on both, the snapshot reaches the socket from whichever is followed.
      for (TestServer node : List.of(nodeA, nodeB)) {
        node.application().vertx().eventBus().publish(Addresses.DASHBOARD_SNAPSHOT,
            new JsonObject().put("active_users_5m", 7));
      }
      // the node's own snapshots (every 2 s) may come first: skip those, up to a few
      JsonObject ev = boss.next();
      for (int i = 0; i < 5 && !Integer.valueOf(7).equals(ev.getJsonObject("data").getInteger("active_users_5m")); i++) {
        assertEquals("dashboard", ev.getString("topic"), ev::encode);
        ev = boss.next();
      }
      assertEquals("dashboard", ev.getString("topic"), ev::encode);
      assertEquals("dashboard.snapshot", ev.getString("event"));
      assertEquals(7, ev.getJsonObject("data").getInteger("active_users_5m"));
      assertTrue(boss.drainUntilPong().stream().allMatch(f -> "dashboard".equals(f.getString("topic"))),
          "nothing but dashboard snapshots is pending");
      assertEquals(List.of(), plain.drainUntilPong());
    }
  }

  @Test
  @DisplayName("log out everywhere on node A closes the user's socket on node B with 4401")
  void logoutAllClosesSockets() {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "logoutall");
    try (WsClient ws = WsClient.authenticated(vertx, nodeB.port(), u.access())) {
      ws.subscribe("notifications", null);
      assertEquals(204, u.http(nodeA).post("/api/auth/logout-all", null).status());
      assertEquals(4401, ws.awaitClose(Poll.ACROSS_NODES));
    }
  }

  @Test
  @DisplayName("revoking one session closes that session's socket on another node, and not the user's other sessions")
  void sessionRevocationClosesItsSocket() {
    Accounts.Login first = Accounts.registerAndLogin(nodeA, "sessions");
    Accounts.Login second = Accounts.login(nodeA, first.email(), Accounts.PASSWORD);
    try (WsClient a = WsClient.authenticated(vertx, nodeB.port(), first.access());
         WsClient b = WsClient.authenticated(vertx, nodeB.port(), second.access())) {
      JsonArray sessions = first.http(nodeA).get("/api/auth/sessions").json().getJsonArray("results");
      String current = sessions.stream().map(o -> (JsonObject) o).filter(o -> o.getBoolean("current", false))
          .findFirst().orElseThrow().getString("id");
      assertEquals(204, second.http(nodeA).delete("/api/auth/sessions/" + current).status());
      assertEquals(4401, a.awaitClose(Poll.ACROSS_NODES));
      assertEquals(List.of(), b.drainUntilPong());
      assertFalse(b.isClosed());
    }
  }

  @Test
  @DisplayName("deactivating a user (stored flag plus the access-change announcement) closes their sockets on every node")
  void deactivationClosesSockets() throws Exception {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "deact");
    try (WsClient a = WsClient.authenticated(vertx, nodeA.port(), u.access());
         WsClient b = WsClient.authenticated(vertx, nodeB.port(), u.access())) {
      a.subscribe("notifications", null);
      b.subscribe("notifications", null);
      nodeA.sql("UPDATE users SET is_active = false WHERE id = ?::uuid", u.userId());
      // what the users domain does on deactivation: AccessChanges announces on the shared channel
      Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:6379/0");
      redis.send(Request.cmd(Command.PUBLISH).arg(nodeA.env().get("ATRIUM_REDIS_PREFIX") + "access-changed")
              .arg(new JsonObject().put("user_id", u.userId()).put("tokens_voided", true).put("node", "test").encode()))
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      redis.close();
      assertEquals(4401, a.awaitClose(Poll.ACROSS_NODES));
      assertEquals(4401, b.awaitClose(Poll.ACROSS_NODES));
    }
  }

  @Test
  @DisplayName("a client that misses three notifications and reconnects with since gets exactly those three, in order, then live ones")
  void resumeWithSince() {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "resume");
    JsonArray to = new JsonArray().add(u.userId());
    long last;
    try (WsClient ws = WsClient.authenticated(vertx, nodeB.port(), u.access())) {
      ws.subscribe("notifications", null);
      assertEquals(202, send(new JsonObject().put("user_ids", to).put("title", "seen")).status());
      last = ws.next().getLong("id");
    }
    for (int i = 1; i <= 3; i++) {
      assertEquals(202, send(new JsonObject().put("user_ids", to).put("title", "missed " + i)).status());
    }
    // a file event in between shares the user's sequence but belongs to another topic
    nodeA.application().vertx().eventBus().publish(Addresses.FILE_PROCESSED,
        new FileProcessed("f-2", u.userId(), "ready", null, null, null, Instant.now()).toJson());
    Poll.until(Duration.ofSeconds(5), "all four events are numbered", () -> !nodeA.sql(
        "SELECT 1 FROM notifications n JOIN notification_batches b ON b.id = n.batch_id"
            + " WHERE n.user_id = ?::uuid AND b.title = 'missed 3'", u.userId()).isEmpty());
    try (WsClient ws = WsClient.authenticated(vertx, nodeA.port(), u.access())) {
      JsonObject ack = ws.subscribe("notifications", last);
      assertEquals(3, ack.getInteger("replayed"), ack::encode);
      assertTrue(ack.getBoolean("complete"));
      List<Long> ids = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        JsonObject ev = ws.next();
        assertEquals("missed " + i, ev.getJsonObject("data").getString("title"), ev::encode);
        ids.add(ev.getLong("id"));
      }
      assertTrue(ids.get(0) > last && ids.get(1) > ids.get(0) && ids.get(2) > ids.get(1), ids::toString);
      assertEquals(202, send(new JsonObject().put("user_ids", to).put("title", "live")).status());
      JsonObject live = ws.next();
      assertEquals("live", live.getJsonObject("data").getString("title"));
      assertTrue(live.getLong("id") > ids.get(2));
      assertEquals(List.of(), ws.drainUntilPong());
    }
  }

  @Test
  @DisplayName("subscribing with since while events keep arriving yields every id exactly once, in order, with no gap")
  void replayHandsOverToLive() throws Exception {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "handover");
    var bus = nodeA.application().vertx().eventBus();
    Runnable[] publish = new Runnable[1];
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    publish[0] = () -> bus.publish(Addresses.NOTIFICATION_CREATED, dev.atrium.events.NotificationCreated.one(
        java.util.UUID.randomUUID().toString(), u.userId(), "n" + n.incrementAndGet(), "", "info", new JsonObject(),
        Instant.now()).toJson());
    try (WsClient watcher = WsClient.authenticated(vertx, nodeB.port(), u.access())) {
      watcher.subscribe("notifications", null);
      for (int i = 0; i < 100; i++) {
        publish[0].run();
      }
      for (int i = 0; i < 100; i++) {
        watcher.next(); // all 100 are numbered and kept before the race starts
      }
      Thread more = new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          publish[0].run();
        }
      });
      try (WsClient late = WsClient.authenticated(vertx, nodeA.port(), u.access())) {
        more.start();
        JsonObject ack = late.subscribe("notifications", 0L);
        assertTrue(ack.getInteger("replayed") >= 100, ack::encode);
        for (long id = 1; id <= 300; id++) {
          JsonObject ev = late.next();
          assertEquals(id, ev.getLong("id"), ev::encode);
          assertEquals("n" + id, ev.getJsonObject("data").getString("title"));
        }
        more.join();
        assertEquals(List.of(), late.drainUntilPong());
      }
    }
  }

  @Test
  @DisplayName("the metrics expose open sockets, frames sent and dropped, and notifications sent")
  void metrics() {
    Accounts.Login u = Accounts.registerAndLogin(nodeA, "metrics");
    try (WsClient ws = WsClient.authenticated(vertx, nodeA.port(), u.access())) {
      ws.subscribe("notifications", null);
      send(new JsonObject().put("user_ids", new JsonArray().add(u.userId())).put("title", "m"));
      ws.next();
      String text = nodeA.http().get("/metrics").body();
      assertTrue(text.contains("atrium_push_sockets_open"), "open sockets gauge");
      assertTrue(text.contains("atrium_push_frames_sent_total{topic=\"notifications\"}"), "frames sent");
      assertTrue(text.contains("atrium_push_frames_dropped_total{topic=\"dashboard\"}"), "frames dropped");
      assertTrue(text.contains("atrium_notifications_sent_total"), "notifications sent");
    }
  }
}
