package dev.atrium.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NotificationsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static Accounts.Login admin() {
    return server.admin();
  }

  private static JsonObject to(String... ids) {
    JsonArray a = new JsonArray();
    for (String id : ids) {
      a.add(id);
    }
    return new JsonObject().put("user_ids", a);
  }

  @Test
  @DisplayName("an offline recipient finds the notification in the list, paged newest first, with unread filter, count and read marks")
  void offlineRecipientListsAndReads() {
    Accounts.Login u = Accounts.registerAndLogin(server, "offline");
    for (int i = 1; i <= 3; i++) {
      Http.Res r = admin().http(server).post("/api/notifications/send", to(u.userId()).put("title", "n" + i)
          .put("body", "body " + i));
      assertEquals(202, r.status(), r::toString);
    }
    Http http = u.http(server);
    Http.Res page1 = http.get("/api/notifications?page_size=2");
    assertEquals(200, page1.status(), page1::toString);
    JsonObject p = page1.json();
    assertEquals(3, p.getInteger("count"));
    assertEquals(2, p.getJsonArray("results").size());
    assertEquals("n3", p.getJsonArray("results").getJsonObject(0).getString("title"));
    // the one link builder of every list: other parameters kept, then the page
    assertTrue(p.getString("next").endsWith("/api/notifications?page_size=2&page=2"), p.getString("next"));
    assertNull(p.getValue("previous"));
    JsonObject first = p.getJsonArray("results").getJsonObject(0);
    assertFalse(first.getBoolean("read"));
    assertEquals(admin().userId(), first.getString("sender_id"));
    assertEquals("info", first.getString("level"));

    assertEquals(3, http.get("/api/notifications/unread-count").json().getInteger("count"));
    Http.Res read = http.post("/api/notifications/" + first.getString("id") + "/read", null);
    assertEquals(200, read.status(), read::toString);
    assertTrue(read.json().getBoolean("read"));
    assertNotNull(read.json().getString("read_at"));
    assertNotNull(server.sql("SELECT read_at FROM notifications WHERE id = ?::uuid", first.getString("id"))
        .get(0).get("read_at"));
    assertEquals(2, http.get("/api/notifications/unread-count").json().getInteger("count"));
    JsonObject unread = http.get("/api/notifications?unread=true").json();
    assertEquals(2, unread.getInteger("count"));
    assertFalse(unread.getJsonArray("results").stream()
        .anyMatch(o -> ((JsonObject) o).getString("id").equals(first.getString("id"))));

    Http.Res all = http.post("/api/notifications/read-all", null);
    assertEquals(200, all.status(), all::toString);
    assertEquals(2, all.json().getInteger("count"));
    assertEquals(0, http.get("/api/notifications/unread-count").json().getInteger("count"));
    assertEquals(0L, server.sql("SELECT count(*) AS n FROM notifications WHERE user_id = ?::uuid AND read_at IS NULL",
        u.userId()).get(0).get("n"));
  }

  @Test
  @DisplayName("a user cannot read or mark another user's notification")
  void ownNotificationsOnly() {
    Accounts.Login u = Accounts.registerAndLogin(server, "own");
    Accounts.Login other = Accounts.registerAndLogin(server, "nosy");
    admin().http(server).post("/api/notifications/send", to(u.userId()).put("title", "private"));
    String id = (String) server.sql("SELECT id::text AS id FROM notifications WHERE user_id = ?::uuid", u.userId())
        .get(0).get("id");
    Http.Res r = other.http(server).post("/api/notifications/" + id + "/read", null);
    assertEquals(404, r.status(), r::toString);
    assertEquals("not_found", r.code());
    assertEquals(0, other.http(server).get("/api/notifications").json().getInteger("count"));
    assertNull(server.sql("SELECT read_at FROM notifications WHERE id = ?::uuid", id).get(0).get("read_at"));
  }

  @Test
  @DisplayName("sending needs notifications.send, broadcasting needs notifications.broadcast, and bad targets store nothing")
  void permissionsAndValidation() {
    Accounts.Login u = Accounts.registerAndLogin(server, "sender");
    Http.Res denied = u.http(server).post("/api/notifications/send", to(u.userId()).put("title", "x"));
    assertEquals(403, denied.status(), denied::toString);
    assertEquals("permission_denied", denied.code());

    server.sql("INSERT INTO user_roles (user_id, role_id) SELECT ?::uuid, id FROM roles WHERE name = 'support'",
        u.userId());
    // the node caches grants for half a second; a direct SQL grant shows once that lapses
    Http.Res ok = dev.atrium.support.Poll.value(java.time.Duration.ofSeconds(3), "the support grant applies",
        () -> u.http(server).post("/api/notifications/send", to(u.userId()).put("title", "to self")),
        res -> res.status() != 403);
    assertEquals(202, ok.status(), ok::toString);
    Http.Res noBroadcast = u.http(server).post("/api/notifications/send",
        new JsonObject().put("broadcast", true).put("title", "everyone"));
    assertEquals(403, noBroadcast.status(), noBroadcast::toString);
    assertEquals("permission_denied", noBroadcast.code());
    assertTrue(server.sql("SELECT 1 FROM notification_batches WHERE title = 'everyone'").isEmpty());

    String ghost = UUID.randomUUID().toString();
    Http.Res unknown = admin().http(server).post("/api/notifications/send", to(u.userId(), ghost).put("title", "half"));
    assertEquals(400, unknown.status(), unknown::toString);
    assertEquals("unknown_users", unknown.code());
    assertEquals("/user_ids/1", unknown.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    assertTrue(server.sql("SELECT 1 FROM notification_batches WHERE title = 'half'").isEmpty(), "nothing half-stored");

    Http.Res two = admin().http(server).post("/api/notifications/send", to(u.userId()).put("role", "support")
        .put("title", "two targets"));
    assertEquals(400, two.status(), two::toString);
    assertEquals("validation_failed", two.code());
    Http.Res none = admin().http(server).post("/api/notifications/send", new JsonObject().put("title", "no target"));
    assertEquals(400, none.status(), none::toString);
    Http.Res badLevel = admin().http(server).post("/api/notifications/send", to(u.userId()).put("title", "t")
        .put("level", "panic"));
    assertEquals(400, badLevel.status(), badLevel::toString);
    assertEquals("validation_failed", badLevel.code());
    Http.Res noTitle = admin().http(server).post("/api/notifications/send", to(u.userId()));
    assertEquals(400, noTitle.status(), noTitle::toString);
  }

  @Test
  @DisplayName("a broadcast is stored for every active user with one statement and counted")
  void broadcast() {
    Accounts.registerAndLogin(server, "bc1");
    Accounts.Login inactive = Accounts.registerAndLogin(server, "bc2");
    server.sql("UPDATE users SET is_active = false WHERE id = ?::uuid", inactive.userId());
    long active = (Long) server.sql("SELECT count(*) AS n FROM users WHERE is_active").get(0).get("n");
    Http.Res r = admin().http(server).post("/api/notifications/send", new JsonObject().put("broadcast", true)
        .put("title", "to all").put("level", "warning"));
    assertEquals(202, r.status(), r::toString);
    assertEquals(active, r.json().getInteger("count").longValue());
    assertEquals(active, server.sql("SELECT count(*) AS n FROM notifications WHERE batch_id = ?::uuid",
        r.json().getString("batch_id")).get(0).get("n"));
    assertTrue(server.sql("SELECT 1 FROM notifications WHERE batch_id = ?::uuid AND user_id = ?::uuid",
        r.json().getString("batch_id"), inactive.userId()).isEmpty());
    String metrics = server.http().get("/metrics").body();
    assertTrue(metrics.contains("atrium_notifications_sent_total"), "counter exported");
  }
}
