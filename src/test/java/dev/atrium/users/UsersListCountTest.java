package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin list's count without the page cache (off by default): exact from user_counts for
 * no filter or flag filters, whatever writes happened; for other filters exact when the page
 * reaches the end or the planner expects at most {@link UserListRepository#COUNT_CAP} matches
 * (then counted), else the planner's estimate marked as one, with next/previous still right.
 */
class UsersListCountTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static Accounts.Login admin;

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
    // 2,500 users named "Cappedname", every third inactive, every tenth staff
    server.sql("""
        INSERT INTO users (email, username, password_hash, first_name, last_name, is_active, is_staff, created_at)
        SELECT 'cap' || i || '@count.test', 'cap' || i, '!unusable', 'Cappedname', 'N' || i, i % 3 <> 0, i % 10 = 0,
               now() - (i || ' seconds')::interval
        FROM generate_series(1, 2500) i""");
  }

  static JsonObject list(String query) {
    Http.Res r = admin.http(server).get("/api/users" + query);
    assertEquals(200, r.status(), r::toString);
    return r.json();
  }

  static long sqlCount(String where) {
    return ((Number) server.sql("SELECT count(*) AS n FROM users WHERE " + where).get(0).get("n")).longValue();
  }

  @Test
  @DisplayName("no filter and flag filters give the exact count, right through inserts, flag changes and deletions")
  void flagCountsStayExact() {
    assertEquals(sqlCount("true"), list("?page=1").getLong("count"));
    assertTrue(list("?page=1").getBoolean("count_exact"));
    Accounts.Login extra = Accounts.registerAndLogin(server, "counted");
    server.sql("UPDATE users SET is_staff = true, is_active = false WHERE email LIKE 'cap1_@count.test'");
    Http.Res patched = admin.http(server).patch("/api/users/" + extra.userId(),
        new JsonObject().put("is_verified", true));
    assertEquals(200, patched.status(), patched::toString);
    Accounts.Login gone = Accounts.registerAndLogin(server, "gone");
    Http.Res deleted = admin.http(server).delete("/api/users/" + gone.userId());
    assertEquals(204, deleted.status(), deleted::toString);
    for (String[] c : new String[][] {
        {"", "true"},
        {"&is_active=true", "is_active"},
        {"&is_active=false&is_staff=true", "NOT is_active AND is_staff"},
        {"&is_verified=true", "is_verified"},
        {"&is_staff=false&is_verified=false&is_active=true", "NOT is_staff AND NOT is_verified AND is_active"}}) {
      JsonObject page = list("?page=1" + c[0]);
      assertEquals(sqlCount(c[1]), page.getLong("count"), c[1]);
      assertTrue(page.getBoolean("count_exact"), c[1]);
    }
    JsonObject past = list("?page=999&is_staff=true");
    assertEquals(sqlCount("is_staff"), past.getLong("count"), "a page past the end still carries the count");
    assertEquals(0, past.getJsonArray("results").size());
  }

  @Test
  @DisplayName("a search or a role filter with fewer matches than the cap counts exactly")
  void smallSearchExact() {
    JsonObject page = list("?page=1&search=cappedname&is_staff=true");
    assertEquals(sqlCount("first_name = 'Cappedname' AND is_staff"), page.getLong("count"));
    assertTrue(page.getBoolean("count_exact"));
    assertEquals(20, page.getJsonArray("results").size());
    server.sql("INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r"
        + " WHERE r.name = 'support' AND u.email LIKE 'cap3__@count.test'");
    JsonObject role = list("?page=1&role=support&is_active=true");
    assertEquals(((Number) server.sql("SELECT count(*) AS n FROM users u JOIN user_roles ur ON ur.user_id = u.id"
        + " JOIN roles r ON r.id = ur.role_id WHERE r.name = 'support' AND u.is_active").get(0).get("n")).longValue(),
        role.getLong("count"));
    assertTrue(role.getBoolean("count_exact"));
  }

  @Test
  @DisplayName("beyond the cap the count is an estimate marked count_exact false, and paging links stay right")
  void largeSearchEstimated() {
    JsonObject first = list("?page=1&search=cappedname");
    assertFalse(first.getBoolean("count_exact"));
    assertTrue(first.getLong("count") > UserListRepository.COUNT_CAP, first.encode().substring(0, 80));
    assertNotNull(first.getString("next"));
    assertNull(first.getValue("previous"));
    assertEquals(20, first.getJsonArray("results").size());
    // the last real page: 2,500 matches, 20 a page -> page 125 is full, 126 is empty
    JsonObject last = list("?page=125&search=cappedname");
    assertEquals(20, last.getJsonArray("results").size());
    assertTrue(last.getBoolean("count_exact"), "a page that reads to the end counts exactly");
    assertEquals(2500, last.getLong("count"));
    assertNull(last.getValue("next"));
    assertEquals("N2500", last.getJsonArray("results").getJsonObject(19).getString("last_name"),
        "default order is newest first: the oldest seeded user is last");
  }

  @Test
  @DisplayName("with statistics, a large search answers the planner's estimate and a mid-sized one its exact count")
  void estimateFromStatistics() {
    server.sql("ANALYZE users");
    // 2,500 matches expected: no counting, the planner's figure (statistics read all rows here);
    // a term no other test searched, so no estimate from before ANALYZE is remembered
    JsonObject large = list("?page=1&search=appedname");
    assertFalse(large.getBoolean("count_exact"));
    long expected = large.getLong("count");
    assertTrue(expected > 1500 && expected < 4000, "the planner's estimate of 2,500 matches, got " + expected);
    assertEquals(20, large.getJsonArray("results").size());
    assertEquals("N1", large.getJsonArray("results").getJsonObject(0).getString("last_name"),
        "default order is newest first");
    // "n3" matches N3, N30-N39, N300-N399 and N3000-N3xx: 111 of the seeded users (plus any e-mail with "n3")
    JsonObject mid = list("?page=1&search=cappedname%20n3");
    assertTrue(mid.getBoolean("count_exact"), mid.encode().substring(0, 80));
    assertEquals(sqlCount("search_text LIKE '%cappedname n3%'"), mid.getLong("count"));
    assertNotNull(mid.getString("next"));
  }
}
