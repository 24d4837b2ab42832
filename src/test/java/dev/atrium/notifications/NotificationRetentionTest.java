package dev.atrium.notifications;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.config.AppConfig;
import dev.atrium.db.Database;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sends older than ATRIUM_NOTIFICATION_RETENTION_DAYS go, rows and content, in bounded chunks. */
class NotificationRetentionTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static String send(JsonArray to, String title) {
    Http.Res r = server.admin().http(server).post("/api/notifications/send",
        new JsonObject().put("user_ids", to).put("title", title));
    assertEquals(202, r.status(), r::toString);
    return (String) server.sql("SELECT id::text AS id FROM notification_batches WHERE title = ?", title).get(0).get("id");
  }

  private static long count(String query, Object... params) {
    return (Long) server.sql(query, params).get(0).get("n");
  }

  @Test
  @DisplayName("a send past the retention is deleted for every recipient, a recent one stays, in chunks smaller than the send")
  void oldSendsGo() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "keepa");
    Accounts.Login b = Accounts.registerAndLogin(server, "keepb");
    Accounts.Login c = Accounts.registerAndLogin(server, "keepc");
    JsonArray all = new JsonArray().add(a.userId()).add(b.userId()).add(c.userId());
    String old = send(all, "last year's news");
    send(all, "today's news");
    server.sql("WITH b AS (UPDATE notification_batches SET created_at = now() - interval '366 days' WHERE id = ?::uuid"
        + " RETURNING id) UPDATE notifications SET created_at = now() - interval '366 days'"
        + " WHERE batch_id IN (SELECT id FROM b) RETURNING 1", old);
    assertEquals(2, a.http(server).get("/api/notifications/unread-count").json().getInteger("count"));

    Vertx vertx = Vertx.vertx();
    long deleted;
    try {
      AppConfig config = AppConfig.fromEnv(Map.of("ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:5432/"
          + server.database()));
      NotificationRetention retention = new NotificationRetention(
          new NotificationRepository(new Database(config).createPool(vertx)), config.notificationRetentionDays(), 2);
      deleted = retention.run().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    assertEquals(3, deleted);
    for (Accounts.Login u : new Accounts.Login[] {a, b, c}) {
      JsonObject list = u.http(server).get("/api/notifications").json();
      assertEquals(1, list.getInteger("count"), list::encode);
      assertEquals("today's news", list.getJsonArray("results").getJsonObject(0).getString("title"));
      assertEquals(1, u.http(server).get("/api/notifications/unread-count").json().getInteger("count"));
    }
    assertEquals(0, count("SELECT count(*) AS n FROM notification_batches WHERE id = ?::uuid", old));
    assertEquals(0, count("SELECT count(*) AS n FROM notifications WHERE batch_id = ?::uuid", old));
  }
}
