package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.events.Addresses;
import dev.atrium.events.FileUploaded;
import dev.atrium.events.NotificationCreated;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AnalyticsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_ACTIVITY_MAINTENANCE_INTERVAL", "1s", "ATRIUM_ACTIVITY_RETENTION_DAYS", "400"));
  static Accounts.Login admin;

  @BeforeAll
  static void start() {
    // Maintenance every second so the retention test sees an old partition go without waiting an hour.
    admin = Accounts.admin(server);
  }

  static Http.Res track(Accounts.Login who, JsonObject body) {
    return who.http(server).with("User-Agent", "analytics-test/1.0").post("/api/analytics/track-activity", body);
  }

  static long count(String where, Object... params) {
    return ((Number) server.sql("SELECT count(*) AS n FROM activities WHERE " + where, params).get(0).get("n")).longValue();
  }

  @Test
  @DisplayName("one activity answers 202 once stored, with the caller's ip and user agent, and shows in user-stats")
  void singleActivity() {
    Accounts.Login u = Accounts.registerAndLogin(server, "single");
    Http.Res res = track(u, new JsonObject().put("action", "page_view").put("metadata", new JsonObject().put("path", "/a")));
    assertEquals(202, res.status(), res::toString);
    assertEquals("accepted", res.json().getString("status"));
    assertEquals(1, res.json().getInteger("accepted"));
    String id = res.json().getJsonArray("ids").getString(0);
    List<Map<String, Object>> rows = server.sql(
        "SELECT user_id::text AS user_id, action, source, ip, user_agent, metadata::text AS metadata FROM activities WHERE id = ?::uuid", id);
    assertEquals(1, rows.size());
    assertEquals(u.userId(), rows.get(0).get("user_id"));
    assertEquals("page_view", rows.get(0).get("action"));
    assertEquals("api", rows.get(0).get("source"));
    assertEquals("127.0.0.1", rows.get(0).get("ip"));
    assertEquals("analytics-test/1.0", rows.get(0).get("user_agent"));
    assertEquals("/a", new JsonObject((String) rows.get(0).get("metadata")).getString("path"));

    Http.Res stats = u.http(server).get("/api/analytics/user-stats/" + u.userId());
    assertEquals(200, stats.status(), stats::toString);
    assertEquals(u.userId(), stats.json().getString("user_id"));
    assertEquals(1L, stats.json().getJsonObject("feature_usage").getLong("page_view"));
    assertNotNull(stats.json().getString("last_active_at"));
    // the group commit that stored it is timed for operators
    java.util.regex.Matcher flushes = java.util.regex.Pattern.compile("(?m)^atrium_ingest_flush_seconds_count (\\S+)$")
        .matcher(server.http().get("/metrics").body());
    assertTrue(flushes.find(), "flush timer exported");
    assertTrue(Double.parseDouble(flushes.group(1)) >= 1, flushes.group());
  }

  @Test
  @DisplayName("a batch is stored whole; user-stats counts it, with feature usage and duration avg and p95")
  void batchAndStats() {
    Accounts.Login u = Accounts.registerAndLogin(server, "batch");
    Poll.until(Duration.ofSeconds(5), "the login is recorded", () -> count("user_id = ?::uuid AND action = 'login'", u.userId()) == 1);
    JsonArray events = new JsonArray();
    for (int i = 1; i <= 20; i++) {
      events.add(new JsonObject().put("action", i <= 15 ? "search" : "export")
          .put("metadata", new JsonObject().put("duration_ms", i * 10)));
    }
    events.add(new JsonObject().put("action", "search").put("metadata", new JsonObject().put("duration_ms", "slow")));
    events.add(new JsonObject().put("action", "old").put("occurred_at", Instant.now().minus(Duration.ofDays(40)).toString()));
    Http.Res res = track(u, new JsonObject().put("events", events));
    assertEquals(202, res.status(), res::toString);
    assertEquals(22, res.json().getInteger("accepted"));
    assertEquals(22, res.json().getInteger("stored"));
    assertEquals(22, res.json().getJsonArray("ids").size());
    assertEquals(22, count("user_id = ?::uuid AND source = 'api'", u.userId()));

    JsonObject s = u.http(server).get("/api/analytics/user-stats/" + u.userId() + "?days=30").json();
    // 21 api activities in the window, plus the server-recorded register and login
    assertEquals(23, s.getLong("total_activities"), s::encode);
    assertEquals(16L, s.getJsonObject("feature_usage").getLong("search"));
    assertEquals(5L, s.getJsonObject("feature_usage").getLong("export"));
    assertFalse(s.getJsonObject("feature_usage").containsKey("old"));
    JsonObject perf = s.getJsonObject("performance_metrics");
    assertEquals(20L, perf.getLong("count"));
    assertEquals(105.0, perf.getDouble("avg_duration_ms"), 0.001);
    assertEquals(190.5, perf.getDouble("p95_duration_ms"), 0.001); // percentile_cont over 10..200
    assertEquals(Math.round(100.0 / 30) / 100.0, s.getDouble("login_frequency"), 0.0001);
    JsonObject wide = u.http(server).get("/api/analytics/user-stats/" + u.userId() + "?days=60").json();
    assertEquals(24, wide.getLong("total_activities"));
  }

  @Test
  @DisplayName("a repeated event_id is stored once, across requests and within one batch, and still answers 202")
  void duplicateEventId() {
    Accounts.Login u = Accounts.registerAndLogin(server, "dup");
    String eventId = UUID.randomUUID().toString();
    JsonObject event = new JsonObject().put("action", "click").put("event_id", eventId);
    Http.Res first = track(u, event);
    assertEquals(202, first.status(), first::toString);
    assertEquals(1, first.json().getInteger("stored"));
    Http.Res again = track(u, event.copy().put("occurred_at", Instant.now().minusSeconds(3600).toString()));
    assertEquals(202, again.status(), again::toString);
    assertEquals(0, again.json().getInteger("stored"));
    assertEquals(1, again.json().getInteger("duplicates"));
    assertEquals(eventId, again.json().getJsonArray("ids").getString(0));
    String other = UUID.randomUUID().toString();
    Http.Res batch = track(u, new JsonObject().put("events", new JsonArray()
        .add(new JsonObject().put("action", "click").put("event_id", other))
        .add(new JsonObject().put("action", "click").put("event_id", other))
        .add(event)));
    assertEquals(202, batch.status(), batch::toString);
    assertEquals(1, batch.json().getInteger("stored"));
    assertEquals(1, count("id = ?::uuid", eventId));
    assertEquals(1, count("id = ?::uuid", other));
  }

  @Test
  @DisplayName("1,000 events are accepted in one request; 1,001 answer 413 too_many_events and store nothing")
  void batchLimit() {
    Accounts.Login u = Accounts.registerAndLogin(server, "limit");
    JsonArray events = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      events.add(new JsonObject().put("action", "bulk"));
    }
    Http.Res ok = track(u, new JsonObject().put("events", events));
    assertEquals(202, ok.status(), ok::toString);
    assertEquals(1000, count("user_id = ?::uuid AND action = 'bulk'", u.userId()));
    events.add(new JsonObject().put("action", "bulk"));
    Http.Res tooMany = track(u, new JsonObject().put("events", events));
    assertEquals(413, tooMany.status(), tooMany::toString);
    assertEquals("too_many_events", tooMany.code());
    assertEquals(1000, count("user_id = ?::uuid AND action = 'bulk'", u.userId()));
  }

  @Test
  @DisplayName("bad events answer 400 with a stable code and the failing event's index, and store nothing of the batch")
  void badInput() {
    Accounts.Login u = Accounts.registerAndLogin(server, "bad");
    JsonObject big = new JsonObject().put("blob", "x".repeat(16 * 1024));
    assertProblem(track(u, new JsonObject().put("action", "a").put("metadata", big)), 400, "metadata_too_large", "/metadata");
    JsonObject deep = new JsonObject().put("leaf", 1);
    for (int i = 0; i < 8; i++) {
      deep = new JsonObject().put("n", deep);
    }
    assertProblem(track(u, new JsonObject().put("action", "a").put("metadata", deep)), 400, "metadata_too_deep", "/metadata");
    JsonObject eightDeep = deep.getJsonObject("n");
    assertEquals(202, track(u, new JsonObject().put("action", "eight-deep").put("metadata", eightDeep)).status());
    String future = Instant.now().plus(Duration.ofMinutes(10)).toString();
    assertProblem(track(u, new JsonObject().put("action", "a").put("occurred_at", future)), 400, "occurred_at_in_future",
        "/occurred_at");
    assertEquals(202, track(u, new JsonObject().put("action", "soon")
        .put("occurred_at", Instant.now().plus(Duration.ofMinutes(4)).toString())).status());
    assertProblem(track(u, new JsonObject().put("action", "a").put("occurred_at", "yesterday")), 400, "validation_failed",
        "/occurred_at");
    assertProblem(track(u, new JsonObject().put("action", "a").put("occurred_at", Instant.now().minus(Duration.ofDays(500)).toString())),
        400, "occurred_at_too_old", "/occurred_at");

    JsonArray events = new JsonArray().add(new JsonObject().put("action", "good-in-bad-batch"))
        .add(new JsonObject().put("action", "good-in-bad-batch"))
        .add(new JsonObject().put("action", "bad").put("occurred_at", future));
    assertProblem(track(u, new JsonObject().put("events", events)), 400, "occurred_at_in_future", "/events/2/occurred_at");
    Http.Res noAction = track(u, new JsonObject().put("events", new JsonArray().add(new JsonObject().put("action", "ok"))
        .add(new JsonObject().put("metadata", new JsonObject()))));
    assertEquals(400, noAction.status(), noAction::toString);
    assertTrue(noAction.body().contains("/events/1"), noAction::toString);
    assertEquals(0, count("user_id = ?::uuid AND action IN ('good-in-bad-batch', 'ok')", u.userId()));

    assertProblem(track(u, new JsonObject().put("action", "a").put("user_id", "not-a-uuid")), 400, "validation_failed", null);
    assertEquals(400, track(u, new JsonObject()).status());
    assertEquals(400, track(u, new JsonObject().put("action", "a").put("events", new JsonArray())).status());
    assertEquals(401, server.http().post("/api/analytics/track-activity", new JsonObject().put("action", "a")).status());
    assertProblem(track(u, new JsonObject().put("action", 42)), 400, "validation_failed", "/action");
    assertProblem(track(u, new JsonObject().put("action", "a").put("colour", "red")), 400, "validation_failed", "/colour");
    assertProblem(track(u, new JsonObject().put("action", "x".repeat(101))), 400, "validation_failed", "/action");
    assertProblem(track(u, new JsonObject().put("events", "all")), 400, "validation_failed", "/events");
    assertProblem(u.http(server).send("POST", "/api/analytics/track-activity", "{\"action\":", "application/json"), 400,
        "malformed_json", null);
    assertProblem(u.http(server).send("POST", "/api/analytics/track-activity", "[1]", "application/json"), 400,
        "validation_failed", "/");
    assertProblem(u.http(server).send("POST", "/api/analytics/track-activity", "action=a", "text/plain"), 415,
        "unsupported_media_type", null);
  }

  static void assertProblem(Http.Res res, int status, String code, String field) {
    assertEquals(status, res.status(), res::toString);
    assertEquals(code, res.code(), res::toString);
    assertTrue(res.header("Content-Type").orElse("").startsWith("application/problem+json"));
    if (field != null) {
      assertEquals(field, res.json().getJsonArray("errors").getJsonObject(0).getString("field"), res::toString);
    }
  }

  @Test
  @DisplayName("another user's id needs analytics.view_all (403); with it an unknown user is 404 and a known one is recorded")
  void otherUsers() {
    Accounts.Login u = Accounts.registerAndLogin(server, "own");
    Accounts.Login v = Accounts.registerAndLogin(server, "other");
    Http.Res denied = track(u, new JsonObject().put("action", "spoof").put("user_id", v.userId()));
    assertProblem(denied, 403, "permission_denied", null);
    Http.Res unknown = track(admin, new JsonObject().put("events", new JsonArray()
        .add(new JsonObject().put("action", "x").put("user_id", v.userId()))
        .add(new JsonObject().put("action", "x").put("user_id", UUID.randomUUID().toString()))));
    assertEquals(404, unknown.status(), unknown::toString);
    assertEquals("not_found", unknown.code());
    assertTrue(unknown.json().getString("detail").contains("/events/1/user_id"), unknown::toString);
    assertEquals(0, count("user_id = ?::uuid AND action IN ('spoof', 'x')", v.userId()));
    Http.Res ok = track(admin, new JsonObject().put("action", "on-behalf").put("user_id", v.userId()));
    assertEquals(202, ok.status(), ok::toString);
    assertEquals(1, count("user_id = ?::uuid AND action = 'on-behalf'", v.userId()));

    assertProblem(u.http(server).get("/api/analytics/user-stats/" + v.userId()), 403, "permission_denied", null);
    Http.Res asAdmin = admin.http(server).get("/api/analytics/user-stats/" + v.userId());
    assertEquals(200, asAdmin.status(), asAdmin::toString);
    assertEquals(1L, asAdmin.json().getJsonObject("feature_usage").getLong("on-behalf"));
    assertProblem(admin.http(server).get("/api/analytics/user-stats/" + UUID.randomUUID()), 404, "not_found", null);
    assertProblem(u.http(server).get("/api/analytics/user-stats/" + u.userId() + "?days=0"), 400, "validation_failed", "days");
    assertProblem(u.http(server).get("/api/analytics/user-stats/" + u.userId() + "?days=366"), 400, "validation_failed", "days");
    assertEquals(200, u.http(server).get("/api/analytics/user-stats/" + u.userId() + "?days=365").status());
    assertEquals(400, u.http(server).get("/api/analytics/user-stats/not-a-uuid").status());

    // the analyst role carries analytics.view_all
    server.sql("INSERT INTO user_roles (user_id, role_id) SELECT ?::uuid, id FROM roles WHERE name = 'analyst'", u.userId());
    Poll.until(Duration.ofSeconds(5), "the analyst grant applies",
        () -> u.http(server).get("/api/analytics/user-stats/" + v.userId()).status() == 200);
  }

  @Test
  @DisplayName("the server records registrations, logins, logouts, uploads and notifications from its events")
  void serverRecordedActivities() {
    Accounts.Login u = Accounts.registerAndLogin(server, "events");
    Poll.until(Duration.ofSeconds(5), "register and login are recorded",
        () -> count("user_id = ?::uuid AND source = 'server' AND action IN ('register', 'login')", u.userId()) == 2);
    assertEquals("127.0.0.1", server.sql("SELECT ip FROM activities WHERE user_id = ?::uuid AND action = 'login'",
        u.userId()).get(0).get("ip"));
    assertEquals(204, u.http(server).post("/api/auth/logout", new JsonObject().put("refresh", u.refresh())).status());
    Poll.until(Duration.ofSeconds(5), "logout is recorded",
        () -> count("user_id = ?::uuid AND source = 'server' AND action = 'logout'", u.userId()) == 1);

    var bus = server.application().vertx().eventBus();
    String fileId = UUID.randomUUID().toString();
    bus.publish(Addresses.FILE_UPLOADED, new FileUploaded(fileId, u.userId(), "a.png", 1234, "image/png", "ab",
        Instant.now()).toJson());
    bus.publish(Addresses.NOTIFICATION_CREATED, NotificationCreated.one(UUID.randomUUID().toString(), u.userId(), "Hi",
        "Body", "info", new JsonObject(), Instant.now()).toJson());
    Poll.until(Duration.ofSeconds(5), "upload and notification are recorded",
        () -> count("user_id = ?::uuid AND source = 'server' AND action IN ('file_upload', 'notification')", u.userId()) == 2);
    assertEquals(fileId, server.sql("SELECT metadata->>'file_id' AS f FROM activities WHERE user_id = ?::uuid AND action = 'file_upload'",
        u.userId()).get(0).get("f"));

    Accounts.Login back = Accounts.login(server, u.email(), Accounts.PASSWORD);
    Poll.until(Duration.ofSeconds(5), "the second login is recorded",
        () -> count("user_id = ?::uuid AND action = 'login'", u.userId()) == 2);
    JsonObject s = back.http(server).get("/api/analytics/user-stats/" + u.userId() + "?days=1").json();
    assertEquals(2L, s.getLong("login_count"));
    assertEquals(2.0, s.getDouble("login_frequency"), 0.0001);
    // a client cannot inflate the login figures: only server-recorded logins count
    assertEquals(202, track(back, new JsonObject().put("action", "login")).status());
    assertEquals(2L, back.http(server).get("/api/analytics/user-stats/" + u.userId() + "?days=1").json().getLong("login_count"));
  }

  @Test
  @DisplayName("months from the retention horizon to two ahead exist, and a partition older than retention is dropped whole")
  void retention() {
    server.sql("CREATE TABLE activities_y2001m01 PARTITION OF activities FOR VALUES FROM ('2001-01-01 00:00:00+00') TO ('2001-02-01 00:00:00+00')");
    server.sql("INSERT INTO activities (occurred_at, id, user_id, action) VALUES ('2001-01-15Z', gen_random_uuid(), gen_random_uuid(), 'ancient')");
    Poll.until(Duration.ofSeconds(10), "the 2001 partition is dropped",
        () -> server.sql("SELECT 1 FROM pg_class WHERE relname = 'activities_y2001m01'").isEmpty());
    assertEquals(0, count("action = 'ancient'"));
    java.time.YearMonth now = java.time.YearMonth.now(java.time.ZoneOffset.UTC);
    for (java.time.YearMonth m : List.of(now.minusMonths(13), now, now.plusMonths(1), now.plusMonths(2))) {
      String name = ActivityPartitions.name(m);
      assertFalse(server.sql("SELECT 1 FROM pg_class WHERE relname = ?", name).isEmpty(), name + " exists");
    }
  }
}
