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
 * A search is read one of three ways (SearchRead, chosen by UserListRepository): walking users
 * in created_at order, reading the holders of the term's rarest piece in that order, or
 * gathering the matches through the trigram index. All must answer the same pages; which one
 * ran shows in pg_stat_activity.
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
    // the first name's % and _ would match as LIKE wildcards), one in 25 "Mid%_dle" and one in 25
    // "MidABdle", one in 50 "Quasi", five named Rareterm (and only they have "zq" in their text)
    server.sql("""
        INSERT INTO users (email, username, password_hash, first_name, last_name, is_active, created_at)
        SELECT 'u' || i || '@paths.test', 'u' || i, '!unusable',
               CASE WHEN i % 10 = 0 THEN 'Common%_term' WHEN i % 10 = 1 THEN 'CommonABterm'
                    WHEN i % 25 = 2 THEN 'Mid%_dle' WHEN i % 25 = 3 THEN 'MidABdle'
                    WHEN i % 4000 = 7 THEN 'Rareterm' WHEN i % 50 = 5 THEN 'Quasi' ELSE 'Plain' END,
               CASE WHEN i % 4000 = 7 THEN 'Zq' ELSE 'N' END || i, i % 3 <> 0, now() - (i || ' seconds')::interval
        FROM generate_series(1, 20000) i""");
    server.sql("ANALYZE users");
    server.sql("ANALYZE user_search_grams");
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
  @DisplayName("a term most users match walks users in order, with % and _ taken literally")
  void commonTermWalks() {
    List<String> first = listed("%_", "");
    assertEquals(expected("%_", "", 0, 20), first);
    assertEquals(20, first.size());
    assertTrue(lastPageStatement().contains("strpos(u.search_text, $1) > 0"), "walked in order");
    assertEquals(expected("%_", "", 40, 20), listed("%_", "&page=3"));
    assertTrue(lastPageStatement().contains("FROM users u WHERE true AND strpos("), "a later page walks too");
    assertEquals(expected("common%_term", " AND is_active", 0, 7), listed("COMMON%_TERM", "&is_active=true&page_size=7"));
    assertTrue(lastPageStatement().contains("strpos("), "with a flag");
  }

  @Test
  @DisplayName("a term one user in 25 matches reads its rarest piece's holders in order, both ways")
  void middlingTermReadsAPiece() {
    assertEquals(expected("mid%_dle", "", 0, 20), listed("Mid%_dle", ""));
    String statement = lastPageStatement();
    assertTrue(statement.contains("FROM user_search_grams g") && statement.contains("g.gram = $1"), statement);
    assertEquals(expected("mid%_dle", "", 60, 20), listed("mid%_dle", "&page=4"));
    assertTrue(lastPageStatement().contains("g.gram = $1"), "a later page too");
    assertEquals(expected("mid%_dle", " AND is_active", 0, 9), listed("mid%_dle", "&is_active=true&page_size=9"));
    assertTrue(lastPageStatement().contains("g.gram = $1"), "with a flag");
    List<String> oldest = server.sql("SELECT id::text AS id FROM users WHERE position('mid%_dle' in search_text) > 0"
        + " ORDER BY created_at, id LIMIT 20").stream().map(r -> (String) r.get("id")).toList();
    assertEquals(oldest, listed("mid%_dle", "&ordering=created_at"));
    assertTrue(lastPageStatement().contains("ORDER BY g.user_created_at ASC"), "oldest first");
  }

  @Test
  @DisplayName("a renamed, a new and a deleted user are found, or not, by their pieces at once")
  void piecesFollowEveryChange() {
    String renamed = server.sql("SELECT id::text AS id FROM users WHERE first_name = 'Mid%_dle'"
        + " ORDER BY created_at DESC LIMIT 1").get(0).get("id").toString();
    Http.Res patch = admin.http(server).patch("/api/users/" + renamed, new JsonObject().put("first_name", "Plain"));
    assertEquals(200, patch.status(), patch::toString);
    String joined = server.sql("""
        INSERT INTO users (email, username, password_hash, first_name, last_name)
        VALUES ('new@paths.test', 'newcomer', '!unusable', 'Mid%_dle', 'New') RETURNING id::text AS id""")
        .get(0).get("id").toString();
    String gone = server.sql("SELECT id::text AS id FROM users WHERE first_name = 'Mid%_dle' AND id <> ?::uuid"
        + " ORDER BY created_at DESC LIMIT 1", joined).get(0).get("id").toString();
    Http.Res delete = admin.http(server).delete("/api/users/" + gone);
    assertEquals(204, delete.status(), delete::toString);

    List<String> page = listed("mid%_dle", "");
    assertTrue(lastPageStatement().contains("g.gram = $1"), "read by a piece");
    assertEquals(expected("mid%_dle", "", 0, 20), page);
    assertEquals(joined, page.get(0));
    assertTrue(!page.contains(renamed) && !page.contains(gone), page::toString);
  }

  @Test
  @DisplayName("a rare term without a rare piece is gathered through the trigram index, and other orders keep that form")
  void rareTermIsGathered() {
    // two characters have no piece; walking to five matches would read every user
    assertEquals(expected("zq", "", 0, 20), listed("ZQ", ""));
    assertEquals(5, expected("zq", "", 0, 20).size());
    assertTrue(lastPageStatement().contains("u.search_text LIKE $1"), "the trigram index's form");
    // a rare term whose rarest piece is rare too reads all of that piece's few holders
    List<String> rare = listed("Rareterm", "");
    assertEquals(expected("rareterm", "", 0, 20), rare);
    assertEquals(5, rare.size());
    assertTrue(lastPageStatement().contains("g.gram = $1"), "read by its piece");
    // two matches (u555, u5555); its rarest piece, "555", is held by a few dozen users: reading
    // them all is cheaper than gathering, though not in proportion to the two matches
    List<String> two = listed("asi n555", "");
    assertEquals(expected("asi n555", "", 0, 20), two);
    assertEquals(2, two.size());
    assertTrue(lastPageStatement().contains("g.gram = $1"), "read by its piece");
    Http.Res byEmail = admin.http(server).get("/api/users?search=common%25_term&ordering=email&page_size=3");
    assertEquals(200, byEmail.status(), byEmail::toString);
    assertTrue(lastPageStatement().contains("LIKE $1"), "ordered by email");
  }
}
