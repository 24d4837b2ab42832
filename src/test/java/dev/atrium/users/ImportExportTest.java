package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.ServerProcess;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ImportExportTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static Accounts.Login admin() {
    return server.admin();
  }

  /** Django's PBKDF2PasswordHasher.encode: pbkdf2_sha256$iterations$salt$base64(PBKDF2-HMAC-SHA256). */
  static String djangoHash(String password, String salt, int iterations) throws Exception {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt.getBytes(StandardCharsets.UTF_8), iterations, 256);
    byte[] dk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    return "pbkdf2_sha256$" + iterations + "$" + salt + "$" + Base64.getEncoder().encodeToString(dk);
  }

  @Test
  @DisplayName("Django's published test vector hashes the same with the test's helper (the helper is right)")
  void djangoVector() throws Exception {
    // From Django's tests (test_hashers.py, test_pbkdf2): make_password('lètmein', 'seasalt', 'pbkdf2_sha256') at 870000.
    String h = djangoHash("lètmein", "seasalt", 870000);
    assertEquals("pbkdf2_sha256$870000$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=", h);
  }

  @Test
  @DisplayName("an imported Django user logs in with the old password and the hash is upgraded to Argon2id on that login")
  void djangoLoginUpgrade() throws Exception {
    String email = "django-" + UUID.randomUUID().toString().substring(0, 8) + "@old.test";
    String salt = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(9)).replace("/", "x").replace("+", "y");
    String hash = djangoHash("old django password", salt, 1000);
    Http.Res imported = admin().http(server).post("/api/users/import", new JsonArray().add(new JsonObject()
        .put("email", email).put("username", "dj" + salt.substring(0, 6).replaceAll("[^A-Za-z0-9]", "")).put("password", hash)
        .put("first_name", "Old").put("date_joined", "2019-05-04 10:11:12+00:00")));
    assertEquals(200, imported.status(), imported::toString);
    assertEquals(1, imported.json().getInteger("created"));
    Map<String, Object> row = server.sql("SELECT password_hash, created_at::text AS c FROM users WHERE email = ?", email).get(0);
    assertEquals(hash, row.get("password_hash"), "kept as is");
    assertTrue(((String) row.get("c")).startsWith("2019-05-04"), row::toString);

    Http.Res wrong = server.http().post("/api/auth/login", new JsonObject().put("email", email).put("password", "not it"));
    assertEquals(401, wrong.status());
    Accounts.Login login = Accounts.login(server, email, "old django password");
    assertEquals(200, login.http(server).get("/api/auth/me").status());
    String upgraded = (String) server.sql("SELECT password_hash FROM users WHERE email = ?", email).get(0).get("password_hash");
    assertTrue(upgraded.startsWith("$argon2id$v=19$"), upgraded);
    Accounts.login(server, email, "old django password"); // and the new hash works
  }

  @Test
  @DisplayName("an import with a bad row is rejected whole with each bad row and field listed, and nothing is written")
  void allOrNothing() {
    String t = UUID.randomUUID().toString().substring(0, 6);
    JsonArray users = new JsonArray();
    for (int i = 0; i < 50; i++) {
      users.add(new JsonObject().put("email", "aon" + t + i + "@x.test").put("username", "aon" + t + i)
          .put("password", "pbkdf2_sha256$1000$salt$aGFzaA=="));
    }
    users.getJsonObject(17).put("email", "not-an-email");
    users.getJsonObject(31).put("is_staff", "maybe");
    users.getJsonObject(40).put("username", "aon" + t + "3");
    users.getJsonObject(44).put("password", "md5$abc$def");
    Http.Res r = admin().http(server).post("/api/users/import", users);
    assertEquals(400, r.status(), r::toString);
    assertEquals("validation_failed", r.code());
    List<String> fields = r.json().getJsonArray("errors").stream().map(o -> ((JsonObject) o).getString("field")).toList();
    assertEquals(List.of("/17/email", "/31/is_staff", "/40/username", "/44/password"), fields);
    assertEquals(0, server.sql("SELECT 1 FROM users WHERE email LIKE ?", "aon" + t + "%").size());
    assertEquals(0, server.sql("SELECT 1 FROM audit_log WHERE action = 'users.import' AND changes->>'rows' = '50'").size());
  }

  @Test
  @DisplayName("CSV import creates users, skips existing emails without overwriting them, and audits the import")
  void csvImportSkipsExisting() {
    Accounts.Login existing = Accounts.registerAndLogin(server, "exists");
    String before = (String) server.sql("SELECT password_hash FROM users WHERE id = ?::uuid", existing.userId()).get(0).get("password_hash");
    String t = UUID.randomUUID().toString().substring(0, 6);
    String csv = "email,username,first_name,last_name,is_staff,password,id,groups\n"
        + "csv" + t + "a@x.test,csv" + t + "a,Ann,Lee,true,,17,\"a,b\"\n"
        + existing.email().toUpperCase() + ",someone" + t + ",Not,Overwritten,false,,18,\n"
        + "csv" + t + "b@x.test,csv" + t + "b,Bob,\"O'Hara, Jr\",False,!unusable,19,\n";
    Http.Res r = admin().http(server).send("POST", "/api/users/import", csv, "text/csv");
    assertEquals(200, r.status(), r::toString);
    assertEquals(2, r.json().getInteger("created"));
    assertEquals(1, r.json().getInteger("skipped_count"));
    assertEquals(1, r.json().getJsonArray("skipped").getJsonObject(0).getInteger("row"));
    Map<String, Object> ann = server.sql("SELECT first_name, is_staff FROM users WHERE email = ?", "csv" + t + "a@x.test").get(0);
    assertEquals("Ann", ann.get("first_name"));
    assertEquals(true, ann.get("is_staff"));
    assertEquals("O'Hara, Jr", server.sql("SELECT last_name FROM users WHERE email = ?", "csv" + t + "b@x.test").get(0).get("last_name"));
    Map<String, Object> kept = server.sql("SELECT first_name, password_hash FROM users WHERE id = ?::uuid", existing.userId()).get(0);
    assertEquals("", kept.get("first_name"));
    assertEquals(before, kept.get("password_hash"));
    assertEquals(2, server.sql("SELECT 1 FROM audit_log WHERE action = 'user.import' AND changes->>'email' LIKE ?", "csv" + t + "%").size());
    assertEquals(1, server.sql("SELECT 1 FROM audit_log WHERE action = 'users.import' AND changes->>'created' = '2'"
        + " AND actor_id = ?::uuid", admin().userId()).size());
    Http.Res wrongType = admin().http(server).send("POST", "/api/users/import", "x", "text/plain");
    assertEquals(415, wrongType.status());
  }

  @Test
  @DisplayName("10,000 pre-hashed users import in one request within a few seconds")
  void bigImport() {
    String t = UUID.randomUUID().toString().substring(0, 6);
    StringBuilder csv = new StringBuilder("email,username,password,first_name,last_name\n");
    for (int i = 0; i < 10_000; i++) {
      csv.append("big").append(t).append(i).append("@x.test,big").append(t).append(i)
          .append(",pbkdf2_sha256$870000$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo0NTY3ODk=,Big,User").append(i).append('\n');
    }
    long start = System.nanoTime();
    Http.Res r = admin().http(server).send("POST", "/api/users/import", csv.toString(), "text/csv");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, r.status(), r::toString);
    assertEquals(10_000, r.json().getInteger("created"));
    assertTrue(ms < 10_000, "took " + ms + " ms");
    assertEquals(10_000L, server.sql("SELECT count(*) AS n FROM user_profiles p JOIN users u ON u.id = p.user_id WHERE u.email LIKE ?",
        "big" + t + "%").get(0).get("n"));
    StringBuilder tooMany = new StringBuilder("email\n");
    for (int i = 0; i <= 10_000; i++) {
      tooMany.append("m").append(i).append("@x.test\n");
    }
    Http.Res over = admin().http(server).send("POST", "/api/users/import", tooMany.toString(), "text/csv");
    assertEquals(400, over.status());
    assertEquals("too_many_rows", over.code());
  }

  @Test
  @DisplayName("export streams 20,000 users as CSV and JSON from a node limited to 96 MB of heap, without password hashes")
  void exportUnderSmallHeap() {
    server.sql("""
        INSERT INTO users (email, username, password_hash, first_name, last_name)
        SELECT 'exp' || i || '@export.test', 'exp' || i, 'pbkdf2_sha256$1$s$aGFzaA==', 'Export', repeat('n', 100)
          FROM generate_series(1, 20000) i""");
    long total = (Long) server.sql("SELECT count(*) AS n FROM users").get(0).get("n");
    try (ServerProcess node = ServerProcess.start(server.env(),
        // logback-test.xml (on the test classpath) hides the INFO "Atrium ready" line the fixture waits for
        List.of("-Xmx96m", "-Dlogback.configurationFile=logback.xml"))) {
      Accounts.Login a = new Accounts.Login(admin().userId(), admin().email(),
          node.http().post("/api/auth/login", new JsonObject().put("email", TestServer.ADMIN_EMAIL)
              .put("password", TestServer.ADMIN_PASSWORD)).json().getString("access"), null);
      Http.Res csv = node.http().bearer(a.access()).get("/api/users/export?format=csv");
      assertEquals(200, csv.status());
      assertTrue(csv.header("Content-Type").orElse("").startsWith("text/csv"));
      assertTrue(csv.header("Content-Disposition").orElse("").startsWith("attachment"));
      String[] lines = csv.body().split("\r\n");
      assertEquals("id,email,username,first_name,last_name,phone,avatar,department,position,is_active,is_staff,"
          + "is_superuser,is_verified,last_login,last_login_ip,created_at,updated_at", lines[0]);
      assertEquals(total + 1, lines.length);
      assertFalse(csv.body().contains("pbkdf2_sha256"));

      Http.Res json = node.http().bearer(a.access()).get("/api/users/export");
      assertEquals(200, json.status());
      JsonArray all = json.jsonArray();
      assertEquals(total, all.size());
      assertFalse(all.getJsonObject(0).containsKey("password_hash"));
      assertTrue(node.output().stream().noneMatch(l -> l.contains("OutOfMemoryError")), () -> String.join("\n", node.output()));
      assertEquals(0, node.terminate(Duration.ofSeconds(20)));
    }
  }
}
