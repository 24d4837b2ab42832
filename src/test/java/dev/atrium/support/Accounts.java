package dev.atrium.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Creates users through the public API and logs them in. */
public final class Accounts {
  public static final String PASSWORD = "correct horse battery staple";

  private Accounts() {
  }

  /** A logged-in user: id, email, access and refresh tokens. */
  public record Login(String userId, String email, String access, String refresh) {
    public Http http(TestServer server) {
      return server.http().bearer(access);
    }
  }

  public static String uniqueEmail(String tag) {
    return tag + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  public static Login registerAndLogin(TestServer server, String tag) {
    String email = uniqueEmail(tag);
    Http.Res reg = server.http().post("/api/auth/register", new JsonObject().put("email", email)
        .put("username", email.substring(0, email.indexOf('@'))).put("password", PASSWORD));
    assertEquals(201, reg.status(), reg::toString);
    return login(server, email, PASSWORD);
  }

  public static Login login(TestServer server, String email, String password) {
    Http.Res res = server.http().post("/api/auth/login", new JsonObject().put("email", email).put("password", password));
    assertEquals(200, res.status(), res::toString);
    JsonObject b = res.json();
    return new Login(b.getJsonObject("user").getString("id"), email, b.getString("access"), b.getString("refresh"));
  }

  public static Login admin(TestServer server) {
    return login(server, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
  }
}
