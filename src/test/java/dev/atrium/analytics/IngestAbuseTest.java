package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * track-activity under hostile or careless clients: the previous clients' extra fields, texts
 * PostgreSQL cannot store, event ids shared between users, floods of events and of distinct
 * action names, and database refusals.
 */
class IngestAbuseTest {
  /** Activities per second per user: low, so one full batch (1,000) empties the bucket for ~100 s. */
  static final int RATE = 10;
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_INGEST_RATE_PER_USER", Integer.toString(RATE)));
  static Accounts.Login admin;

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
  }

  static Http.Res track(Accounts.Login who, Object body) {
    return who.http(server).with("User-Agent", "abuse-test/2.0").post("/api/analytics/track-activity", body);
  }

  static Http.Res trackRaw(Accounts.Login who, String body) {
    return who.http(server).send("POST", "/api/analytics/track-activity", body, "application/json");
  }

  /** Each body is refused with 400 validation_failed, its first error naming one of {@code fields}. */
  static void assertRefused(Accounts.Login who, List<String> fields, String... bodies) {
    for (String body : bodies) {
      Http.Res res = trackRaw(who, body);
      assertEquals(400, res.status(), body + " -> " + res);
      assertEquals("validation_failed", res.code(), res::toString);
      String field = res.json().getJsonArray("errors").getJsonObject(0).getString("field");
      assertTrue(fields.contains(field), body + " -> " + res);
    }
  }

  static long count(String where, Object... params) {
    return ((Number) server.sql("SELECT count(*) AS n FROM activities WHERE " + where, params).get(0).get("n"))
        .longValue();
  }

  @Test
  @DisplayName("the previous clients' body (ip and user_agent, for another user) is kept beside what the node observed")
  void clientReportedIpAndAgent() {
    Accounts.Login u = Accounts.registerAndLogin(server, "legacy");
    Http.Res res = track(admin, new JsonObject().put("user_id", u.userId()).put("action", "legacy_event")
        .put("metadata", new JsonObject().put("page", "/dashboard").put("source", "wrk"))
        .put("ip", "198.51.100.7").put("user_agent", "OldClient/1.0"));
    assertEquals(202, res.status(), res::toString);
    List<Map<String, Object>> rows = server.sql("SELECT ip, user_agent, client_ip, client_user_agent FROM activities"
        + " WHERE user_id = ?::uuid AND action = 'legacy_event'", u.userId());
    assertEquals(1, rows.size());
    assertEquals("127.0.0.1", rows.get(0).get("ip"), "the address the node saw is kept");
    assertEquals("abuse-test/2.0", rows.get(0).get("user_agent"), "the User-Agent header is kept");
    assertEquals("198.51.100.7", rows.get(0).get("client_ip"));
    assertEquals("OldClient/1.0", rows.get(0).get("client_user_agent"));

    Http.Res unknown = track(admin, new JsonObject().put("action", "x").put("ip", "1.2.3.4").put("referrer", "r"));
    assertEquals(400, unknown.status(), unknown::toString);
    assertEquals("/referrer", unknown.json().getJsonArray("errors").getJsonObject(0).getString("field"));
  }

  @Test
  @DisplayName("NUL characters and unpaired surrogates are refused with 400 naming the field, and nothing is stored")
  void uncleanTextRefused() {
    Accounts.Login u = Accounts.registerAndLogin(server, "nul");
    assertRefused(u, List.of("/action", "/metadata", "/user_agent", "/events/1/metadata"),
        "{\"action\":\"nul\\u0000action\"}",
        "{\"action\":\"ok\",\"metadata\":{\"k\":\"v\\u0000\"}}",
        "{\"action\":\"ok\",\"metadata\":{\"k\\u0000\":1}}",
        "{\"action\":\"lone\\ud800\"}",
        "{\"action\":\"ok\",\"user_agent\":\"\\udc00\"}",
        "{\"events\":[{\"action\":\"fine\"},{\"action\":\"ok\",\"metadata\":{\"a\":[\"\\ud83d\"]}}]}");
    assertEquals(0, count("user_id = ?::uuid AND source = 'api'", u.userId()));
    // a proper surrogate pair is text like any other
    assertEquals(202, trackRaw(u, "{\"action\":\"smile \\ud83d\\ude00\"}").status());
    assertEquals(1, count("user_id = ?::uuid AND action = ?", u.userId(), "smile \ud83d\ude00"));
  }

  @Test
  @DisplayName("a number beyond a 64-bit float (1e999) in metadata or preferences is refused with 400, never stored as \"Infinity\"")
  void overflowingNumbersRefused() {
    Accounts.Login u = Accounts.registerAndLogin(server, "overflow");
    assertRefused(u, List.of("/metadata", "/events/1/metadata"),
        "{\"action\":\"huge\",\"metadata\":{\"a\":1e999}}",
        "{\"action\":\"huge\",\"metadata\":{\"a\":{\"b\":[1,-1e999]}}}",
        "{\"events\":[{\"action\":\"fine\"},{\"action\":\"huge\",\"metadata\":{\"a\":1e400}}]}");
    assertEquals(0, count("user_id = ?::uuid AND source = 'api'", u.userId()));
    // large but finite numbers are kept as sent
    assertEquals(202, trackRaw(u, "{\"action\":\"big\",\"metadata\":{\"a\":1e300,\"b\":123456789012345678901234567890}}")
        .status());
    assertEquals(true, server.sql("SELECT (metadata->>'a')::numeric = 1e300"
        + " AND (metadata->>'b')::numeric = 123456789012345678901234567890 AS same"
        + " FROM activities WHERE user_id = ?::uuid AND action = 'big'", u.userId()).get(0).get("same"));

    Http.Res prefs = u.http(server).send("PATCH", "/api/auth/me", "{\"preferences\":{\"zoom\":1e999}}", "application/json");
    assertEquals(400, prefs.status(), prefs::toString);
    assertEquals("/preferences", prefs.json().getJsonArray("errors").getJsonObject(0).getString("field"));
  }

  @Test
  @DisplayName("an event_id is unique per user: another user's event with the same id and time is stored")
  void eventIdsPerUser() {
    Accounts.Login a = Accounts.registerAndLogin(server, "ida");
    Accounts.Login b = Accounts.registerAndLogin(server, "idb");
    String id = UUID.randomUUID().toString();
    String at = Instant.now().minusSeconds(30).toString();
    JsonObject event = new JsonObject().put("action", "shared_id").put("event_id", id).put("occurred_at", at);
    Http.Res first = track(a, event);
    assertEquals(202, first.status(), first::toString);
    assertEquals(1, first.json().getInteger("stored"));
    Http.Res other = track(b, event);
    assertEquals(202, other.status(), other::toString);
    assertEquals(1, other.json().getInteger("stored"), "b's event is not a duplicate of a's");
    Http.Res again = track(a, event.copy().put("occurred_at", Instant.now().toString()));
    assertEquals(0, again.json().getInteger("stored"), "a's resend (even with another time) is a duplicate");
    assertEquals(1, again.json().getInteger("duplicates"));
    assertEquals(2, count("id = ?::uuid", id));
    assertEquals(1, count("id = ?::uuid AND user_id = ?::uuid", id, a.userId()));
    assertEquals(1, count("id = ?::uuid AND user_id = ?::uuid", id, b.userId()));
  }

  @Test
  @DisplayName("beyond ATRIUM_INGEST_RATE_PER_USER a user gets 429 with Retry-After; other users are not slowed")
  void ratePerUser() {
    Accounts.Login flood = Accounts.registerAndLogin(server, "flood");
    JsonArray batch = new JsonArray();
    for (int i = 0; i < ActivityService.MAX_EVENTS; i++) {
      batch.add(new JsonObject().put("action", "burst"));
    }
    Http.Res full = track(flood, new JsonObject().put("events", batch));
    assertEquals(202, full.status(), "a whole batch fits an idle bucket: " + full);
    // 100 more need 10 s of refill at 10 per second
    JsonArray more = new JsonArray();
    for (int i = 0; i < 100; i++) {
      more.add(new JsonObject().put("action", "one_more"));
    }
    Http.Res over = track(flood, new JsonObject().put("events", more));
    assertEquals(429, over.status(), over::toString);
    assertEquals("rate_limited", over.code());
    long retry = Long.parseLong(over.header("Retry-After").orElseThrow());
    assertTrue(retry >= 1, "Retry-After " + retry);
    assertEquals(0, count("user_id = ?::uuid AND action = 'one_more'", flood.userId()));
    Accounts.Login calm = Accounts.registerAndLogin(server, "calm");
    assertEquals(202, track(calm, new JsonObject().put("action", "calm")).status());
  }

  @Test
  @DisplayName("the day's action ranking in Redis keeps at most 1,000 members however many distinct actions arrive")
  void rankingBounded() throws Exception {
    // three users, each within its own bucket: 1,200 distinct actions in all
    for (int u = 0; u < 3; u++) {
      Accounts.Login who = Accounts.registerAndLogin(server, "rank" + u);
      JsonArray batch = new JsonArray();
      for (int i = 0; i < 400; i++) {
        batch.add(new JsonObject().put("action", "distinct_" + u + "_" + i));
      }
      assertEquals(202, track(who, new JsonObject().put("events", batch)).status());
    }
    String key = server.env().get("ATRIUM_REDIS_PREFIX") + "analytics:top:" + LocalDate.now(ZoneOffset.UTC);
    Redis redis = Redis.createClient(server.application().vertx(), "redis://127.0.0.1:6379/0");
    try {
      // The counters reach Redis within DashboardCounters.WRITE_DELAY_MS of the commit, and a
      // write adds its actions before trimming: untrimmed, the set would stay at 1,200 or more.
      long members = Poll.value(Duration.ofSeconds(5), "the ranking is trimmed to its bound", () -> {
        try {
          return redis.send(Request.cmd(Command.ZCARD).arg(key)).toCompletionStage().toCompletableFuture()
              .get(5, TimeUnit.SECONDS).toLong();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, n -> n == DashboardCounters.TOP_KEPT);
      assertEquals(DashboardCounters.TOP_KEPT, members);
    } finally {
      redis.close();
    }
    assertEquals(200, admin.http(server).get("/api/analytics/real-time-dashboard").status());
  }

  @Test
  @DisplayName("a value the database refuses answers 400 without the database's text, and other requests still commit")
  void databaseTextHidden() {
    Accounts.Login u = Accounts.registerAndLogin(server, "poison");
    // A check that casts: PostgreSQL refuses 'abc' with 22P02 and a message naming its internals.
    server.sql("ALTER TABLE activities ADD CONSTRAINT poison_check CHECK "
        + "(CASE WHEN action = 'poison' THEN (metadata ->> 'n')::int > 0 ELSE true END)");
    try {
      Http.Res res = track(u, new JsonObject().put("action", "poison")
          .put("metadata", new JsonObject().put("n", "abc")));
      assertEquals(400, res.status(), res::toString);
      assertEquals("invalid_activity", res.code());
      String text = res.body().toLowerCase();
      for (String leak : List.of("syntax", "integer", "abc", "activities", "constraint", "sqlstate", "22p02")) {
        assertFalse(text.contains(leak), "the answer leaks '" + leak + "': " + res.body());
      }
      assertEquals(202, track(u, new JsonObject().put("action", "after_poison")).status());
      assertEquals(0, count("user_id = ?::uuid AND action = 'poison'", u.userId()));
    } finally {
      server.sql("ALTER TABLE activities DROP CONSTRAINT poison_check");
    }
  }
}
