package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the contract promises beyond shapes: HEAD wherever GET (same status and headers, no body),
 * alternatives that refuse bodies naming two of them, RFC 3339 times with seconds.
 */
class ContractBehaviourTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static void assertSameHead(Http.Res get, Http.Res head, String... names) {
    assertEquals(get.status(), head.status(), head::toString);
    assertEquals("", head.body(), "a HEAD answer has no body");
    for (String name : names) {
      assertEquals(get.header(name), head.header(name), name);
    }
  }

  @Test
  @DisplayName("HEAD on JSON routes answers GET's status and headers without a body, 401 included")
  void jsonRoutes() {
    Http http = server.http();
    assertSameHead(http.get("/health/live"), http.send("HEAD", "/health/live", (String) null, null),
        "Content-Type", "Content-Length");
    Accounts.Login u = Accounts.registerAndLogin(server, "head");
    Http me = u.http(server);
    Http.Res get = me.get("/api/auth/me");
    assertEquals(200, get.status());
    assertSameHead(get, me.send("HEAD", "/api/auth/me", (String) null, null), "Content-Type", "Content-Length");
    Http.Res anonymous = http.send("HEAD", "/api/auth/me", (String) null, null);
    assertEquals(401, anonymous.status());
    assertEquals("application/problem+json", anonymous.header("Content-Type").orElseThrow());
    assertEquals(404, http.send("HEAD", "/api/nothing-here", (String) null, null).status());
  }

  @Test
  @DisplayName("HEAD on a download answers 200 or 206 with the download's headers and no bytes, by bearer or signed link")
  void downloads() {
    Accounts.Login u = Accounts.registerAndLogin(server, "headfile");
    Http http = u.http(server);
    String boundary = "----atriumhead";
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"notes.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\nhello, head requests\r\n--" + boundary + "--\r\n";
    Http.Res up = http.send("POST", "/api/files/upload-batch", body, "multipart/form-data; boundary=" + boundary);
    assertEquals(200, up.status(), up::toString);
    String id = up.json().getJsonArray("results").getJsonObject(0).getString("file_id");
    String path = "/api/files/download/" + id;

    Http.Res get = http.get(path);
    assertEquals("hello, head requests", get.body());
    Http.Res head = http.send("HEAD", path, (String) null, null);
    assertSameHead(get, head, "Content-Type", "Content-Length", "ETag", "Accept-Ranges", "Content-Disposition");
    assertEquals("20", head.header("Content-Length").orElseThrow());

    Http ranged = http.with("Range", "bytes=0-4");
    Http.Res part = ranged.get(path);
    assertEquals(206, part.status());
    assertEquals("hello", part.body());
    assertSameHead(part, ranged.send("HEAD", path, (String) null, null), "Content-Range", "Content-Length", "ETag");

    String signed = http.get("/api/files/" + id).json().getString("download_url");
    assertSameHead(server.http().get(signed), server.http().send("HEAD", signed, (String) null, null),
        "Content-Type", "Content-Length", "ETag");
    Http.Res forged = server.http().send("HEAD", signed.replaceAll("sig=[^&]+", "sig=AAAA"), (String) null, null);
    assertEquals(403, forged.status());
    assertEquals("", forged.body());
  }

  @Test
  @DisplayName("a body naming two alternatives of a oneOf is refused with 400 validation_failed: grant, notification target, track")
  void alternativesAreExclusive() {
    Http admin = Accounts.admin(server).http(server);
    Accounts.Login u = Accounts.registerAndLogin(server, "alt");
    for (JsonObject grant : new JsonObject[] {new JsonObject().put("role_id", 2).put("role", "support"), new JsonObject()}) {
      Http.Res r = admin.post("/api/users/" + u.userId() + "/roles", grant);
      assertEquals(400, r.status(), r::toString);
      assertEquals("validation_failed", r.code());
    }
    Http.Res byName = admin.post("/api/users/" + u.userId() + "/roles", new JsonObject().put("role", "support")
        .put("expires_at", "2030-01-01T00:00:00+00:00"));
    assertEquals(201, byName.status(), byName::toString);
    // OffsetDateTime.toString() would answer 2030-01-01T00:00Z (ContractCheck checks every date-time too)
    assertEquals("2030-01-01T00:00:00Z", byName.json().getString("expires_at"));

    JsonArray me = new JsonArray().add(u.userId());
    for (JsonObject send : new JsonObject[] {
        new JsonObject().put("user_ids", me).put("broadcast", true).put("title", "two"),
        new JsonObject().put("role", "support").put("broadcast", false).put("title", "two"),
        new JsonObject().put("broadcast", false).put("title", "none")}) {
      Http.Res r = admin.post("/api/notifications/send", send);
      assertEquals(400, r.status(), r::toString);
      assertEquals("validation_failed", r.code());
    }
    Http.Res both = u.http(server).post("/api/analytics/track-activity", new JsonObject().put("action", "a")
        .put("events", new JsonArray().add(new JsonObject().put("action", "b"))));
    assertEquals(400, both.status(), both::toString);
    assertEquals("validation_failed", both.code());
  }
}
