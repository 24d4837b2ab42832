package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /api/files/quota: what the console's quota bar shows. */
class FileQuotaTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_USER_QUOTA", "1MB"));

  @Test
  @DisplayName("the quota answers the caller's used, limit and left bytes, and follows an upload")
  void quota() {
    Http http = Accounts.registerAndLogin(server, "quota").http(server);
    JsonObject empty = http.get("/api/files/quota").json();
    assertEquals(new JsonObject().put("used_bytes", 0).put("limit_bytes", 1024 * 1024).put("left_bytes", 1024 * 1024), empty);

    String boundary = "quota-boundary";
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\n" + "x".repeat(1000) + "\r\n--" + boundary + "--\r\n";
    Http.Res upload = http.send("POST", "/api/files/upload-batch",
        HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8), "multipart/form-data; boundary=" + boundary);
    assertEquals(200, upload.status(), upload::toString);

    JsonObject after = http.get("/api/files/quota").json();
    assertEquals(1000, after.getLong("used_bytes"));
    assertEquals(1024 * 1024 - 1000, after.getLong("left_bytes"));
    assertEquals(401, server.http().get("/api/files/quota").status());
  }
}
