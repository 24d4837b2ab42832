package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Imported and admin-set hashes above the documented cost are refused where they are given. */
class HashCeilingTest {
  private static final String SALT_AND_HASH = "c2FsdHNhbHRzYWx0c2FsdA$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac";

  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static String pbkdf2(String iterations) {
    return "pbkdf2_sha256$" + iterations + "$seasalt$wJSpLMQRQz0Dhj/pFpbyjMj71B2gUYp6HJS5AU+32Ac=";
  }

  private static String argon2(String costs) {
    return "$argon2id$v=19$" + costs + "$" + SALT_AND_HASH;
  }

  private static String email() {
    return "hash-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  private static Http.Res create(Http admin, String hash) {
    return admin.post("/api/users", new JsonObject().put("email", email()).put("password_hash", hash));
  }

  @Test
  @DisplayName("POST /api/users: PBKDF2 over 1,000,000 iterations, Argon2 over 64 MiB or t over 10 are 400 "
      + "hash_too_costly naming /password_hash and store nothing; hashes at the ceiling are accepted")
  void createRefusesCostlyHashes() {
    Http admin = Accounts.admin(server).http(server);
    long before = (long) server.sql("SELECT count(*) AS n FROM users").get(0).get("n");
    for (String hash : new String[] {pbkdf2("1000001"), pbkdf2("2147483648"), pbkdf2("999999999999999999999999"),
        argon2("m=65537,t=2,p=1"), argon2("m=1048576,t=2,p=1"), argon2("m=19456,t=11,p=1")}) {
      Http.Res res = create(admin, hash);
      assertEquals(400, res.status(), hash + ": " + res);
      assertEquals("hash_too_costly", res.code(), res::toString);
      assertEquals("/password_hash", res.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    }
    assertEquals(before, server.sql("SELECT count(*) AS n FROM users").get(0).get("n"));
    assertEquals(201, create(admin, pbkdf2("1000000")).status());
    assertEquals(201, create(admin, argon2("m=65536,t=10,p=1")).status());
  }

  @Test
  @DisplayName("PATCH /api/users/{id} with a too costly password_hash is 400 and keeps the old hash")
  void patchRefusesCostlyHashes() {
    Http admin = Accounts.admin(server).http(server);
    Accounts.Login user = Accounts.registerAndLogin(server, "patched");
    Object stored = server.sql("SELECT password_hash FROM users WHERE id = ?::uuid", user.userId()).get(0)
        .get("password_hash");
    Http.Res res = admin.patch("/api/users/" + user.userId(),
        new JsonObject().put("password_hash", pbkdf2("5000000")));
    assertEquals(400, res.status(), res::toString);
    assertEquals("hash_too_costly", res.code());
    assertEquals(stored, server.sql("SELECT password_hash FROM users WHERE id = ?::uuid", user.userId()).get(0)
        .get("password_hash"));
  }

  @Test
  @DisplayName("an import with one too costly hash is refused whole (400 naming the row) and imports nobody")
  void importRefusesCostlyHashes() {
    String ok = email();
    String costly = email();
    JsonArray rows = new JsonArray()
        .add(new JsonObject().put("email", ok).put("password", pbkdf2("870000")))
        .add(new JsonObject().put("email", costly).put("password_hash", argon2("m=262144,t=3,p=1")));
    Http.Res res = Accounts.admin(server).http(server).post("/api/users/import", rows);
    assertEquals(400, res.status(), res::toString);
    JsonObject error = res.json().getJsonArray("errors").getJsonObject(0);
    assertEquals("/1/password", error.getString("field"), res::toString);
    assertTrue(error.getString("message").contains("64 MiB"), res::toString);
    assertEquals(0L, server.sql("SELECT count(*) AS n FROM users WHERE email IN (?, ?)", ok, costly).get(0).get("n"));
  }
}
