package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A search is read one of two ways (UserListRepository): walking users in created_at order when
 * the statistics say its page is near, or through the trigram index when its matches are rare.
 * Both must answer the same pages; which one ran shows in pg_stat_activity.
 */
class UsersSearchPathsTest {
  // one pipelined connection: its last statement in pg_stat_activity is the page just read
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DB_PIPELINED_CONNECTIONS", "1"));
  static Accounts.Login admin;

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
    // 20,000 users: every tenth named "Common%_term", every tenth another "CommonABterm" (which
    // the first name's % and _ would match as LIKE wildcards), five named Rareterm
    server.sql("""
        INSERT INTO users (email, username, password_hash, first_name, last_name, is_active, created_at)
        SELECT 'u' || i || '@paths.test', 'u' || i, '!unusable',
               CASE WHEN i % 10 = 0 THEN 'Common%_term' WHEN i % 10 = 1 THEN 'CommonABterm'
                    WHEN i % 4000 = 7 THEN 'Rareterm' ELSE 'Plain' END,
               'N' || i, i % 3 <> 0, now() - (i || ' seconds')::interval
        FROM generate_series(1, 20000) i""");
    server.sql("ANALYZE users");
  }

  /** The ids of a page of a search, by position() (a plain substring) in created_at order. */
  static List<String> expected(String term, String flags, long offset, int size) {
    return server.sql("SELECT id::text AS id FROM users WHERE position(lower(?) in search_text) > 0" + flags
            + " ORDER BY created_at DESC, id DESC OFFSET ? LIMIT ?", term, offset, size)
        .stream().map(r -> (String) r.get("id")).toList();
  }

  static List<String> listed(String term, String query) {
    Http.Res r = admin.http(server).get("/api/users?search=" + URLEncoder.encode(term, StandardCharsets.UTF_8) + query);
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  /** The statement the node's one pipelined connection ran last: the page it just answered. */
  static String lastPageStatement() {
    List<Map<String, Object>> rows = server.sql("SELECT query FROM pg_stat_activity WHERE datname = current_database()"
        + " AND application_name = 'atrium-pipelined'");
    assertEquals(1, rows.size(), rows::toString);
    return (String) rows.get(0).get("query");
  }

  @Test
  @DisplayName("a common term walks in order, a rare one is gathered through the trigram index, and both answer the right pages")
  void bothPathsAnswerTheSamePages() {
    List<String> first = listed("COMMON%_TERM", "");
    assertEquals(expected("common%_term", "", 0, 20), first);
    assertEquals(20, first.size());
    assertTrue(lastPageStatement().contains("strpos(u.search_text, $1) > 0"), "walked in order");
    assertEquals(expected("common%_term", "", 40, 20), listed("common%_term", "&page=3"));
    assertTrue(lastPageStatement().contains("strpos("), "a later page walks too");
    assertEquals(expected("common%_term", " AND is_active", 0, 7), listed("common%_term", "&is_active=true&page_size=7"));
    assertTrue(lastPageStatement().contains("strpos("), "with a flag");
    List<String> rare = listed("Rareterm", "");
    assertEquals(expected("rareterm", "", 0, 20), rare);
    assertEquals(5, rare.size());
    assertTrue(lastPageStatement().contains("u.search_text LIKE $1"), "a rare term: the trigram index's form");
    // other orders than created_at keep the LIKE form
    Http.Res byEmail = admin.http(server).get("/api/users?search=common%25_term&ordering=email&page_size=3");
    assertEquals(200, byEmail.status(), byEmail::toString);
    assertTrue(lastPageStatement().contains("LIKE $1"), "ordered by email");
  }
}
