package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.events.Addresses;
import dev.atrium.events.FileUploaded;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import dev.atrium.support.Timestamps;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Its own server and Redis prefix, so the dashboard's figures are exactly this class's activities. */
class DashboardTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  static long dbCount(String where) {
    return ((Number) server.sql("SELECT count(*) AS n FROM activities WHERE " + where).get(0).get("n")).longValue();
  }

  @Test
  @DisplayName("the dashboard's figures match the activities sent and recorded, and the same snapshot arrives on the event bus")
  void dashboardMatchesActivities() {
    Instant started = Instant.now();
    AtomicReference<JsonObject> published = new AtomicReference<>();
    MessageConsumer<JsonObject> consumer = server.application().vertx().eventBus()
        .consumer(Addresses.DASHBOARD_SNAPSHOT, m -> published.set(m.body()));
    try {
      Accounts.Login admin = Accounts.admin(server);
      Accounts.Login a = Accounts.registerAndLogin(server, "dash-a");
      Accounts.Login b = Accounts.registerAndLogin(server, "dash-b");
      JsonArray views = new JsonArray();
      for (int i = 0; i < 5; i++) {
        views.add(new JsonObject().put("action", "dash_view"));
      }
      assertEquals(202, a.http(server).post("/api/analytics/track-activity", new JsonObject().put("events", views)).status());
      for (int i = 0; i < 3; i++) {
        assertEquals(202, b.http(server).post("/api/analytics/track-activity", new JsonObject().put("action", "dash_click")).status());
      }
      // a duplicate is not counted twice
      String eventId = UUID.randomUUID().toString();
      JsonObject keyed = new JsonObject().put("action", "dash_click").put("event_id", eventId);
      assertEquals(202, b.http(server).post("/api/analytics/track-activity", keyed).status());
      assertEquals(202, b.http(server).post("/api/analytics/track-activity", keyed).status());
      server.application().vertx().eventBus().publish(Addresses.FILE_UPLOADED, new FileUploaded(UUID.randomUUID().toString(),
          a.userId(), "f.txt", 3, "text/plain", "00", Instant.now()).toJson());
      Poll.until(Duration.ofSeconds(5), "every activity is stored", () -> dbCount("true") == 5 + 4 + 2 + 3 + 1);

      Map<String, Long> expectedTop = new HashMap<>(Map.of("dash_view", 5L, "dash_click", 4L, "login", 3L,
          "register", 2L, "file_upload", 1L));
      JsonObject d = Poll.value(Duration.ofSeconds(5), "the dashboard shows every activity",
          () -> admin.http(server).get("/api/analytics/real-time-dashboard").json(),
          j -> j.getLong("activities_today") == 15 && j.getLong("uploads_today") == 1);
      assertEquals(3, d.getLong("active_users_5m"), d::encode);
      assertEquals(3, d.getLong("logins_today"));
      assertEquals(2, d.getLong("registrations_today"));
      assertEquals(1, d.getLong("uploads_today"));
      JsonArray perMinute = d.getJsonArray("activities_per_minute");
      assertEquals(60, perMinute.size());
      long sum = 0;
      for (int i = 0; i < 60; i++) {
        sum += perMinute.getJsonObject(i).getLong("count");
        if (i > 0) {
          assertEquals(Instant.parse(perMinute.getJsonObject(i - 1).getString("minute")).plusSeconds(60),
              Instant.parse(perMinute.getJsonObject(i).getString("minute")));
        }
      }
      assertEquals(dbCount("occurred_at >= now() - interval '59 minutes'"), sum);
      Map<String, Long> top = new HashMap<>();
      d.getJsonArray("top_actions").forEach(o -> top.put(((JsonObject) o).getString("action"), ((JsonObject) o).getLong("count")));
      assertEquals(expectedTop, top);
      assertEquals("dash_view", d.getJsonArray("top_actions").getJsonObject(0).getString("action"));
      assertEquals(d.getJsonObject("chart_data"), d.getJsonObject("chartData"));
      assertEquals(60, d.getJsonObject("chart_data").getJsonArray("labels").size());
      Timestamps.assertSince(started, d.getString("generated_at"));

      JsonObject pushed = Poll.value(Duration.ofSeconds(6), "a snapshot with the same figures arrives on the event bus",
          published::get, j -> j != null && j.getLong("activities_today") == 15);
      assertEquals(d.getLong("logins_today"), pushed.getLong("logins_today"));
      assertEquals(d.getJsonArray("top_actions"), pushed.getJsonArray("top_actions"));

      Http.Res denied = a.http(server).get("/api/analytics/real-time-dashboard");
      assertEquals(403, denied.status(), denied::toString);
      assertEquals("permission_denied", denied.code());
    } finally {
      consumer.unregister();
    }
  }
}
