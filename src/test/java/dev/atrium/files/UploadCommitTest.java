package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.TcpProxy;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An upload whose row's COMMIT reaches PostgreSQL but whose answer never comes back (the
 * connection cut right after): the row exists, so the bytes must stay and the client is told the
 * file was stored. The node reaches PostgreSQL through a proxy that cuts after a COMMIT.
 */
class UploadCommitTest {
  static final TcpProxy postgres = new TcpProxy("127.0.0.1", 5432);
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of(
      "ATRIUM_DB_URL", "postgresql://postgres@127.0.0.1:" + postgres.port() + "/{database}"));

  @AfterAll
  static void closeProxy() {
    postgres.close();
  }

  @Test
  @DisplayName("a file whose COMMIT went through unheard is answered as stored, and its bytes stay with its row")
  void unheardCommit() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "unheard");
    byte[] data = "stored, though nobody heard it\n".repeat(50).getBytes(StandardCharsets.UTF_8);
    Multipart m = new Multipart();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/files/upload-batch"))
        .header("Authorization", "Bearer " + a.access()).header("Content-Type", m.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(m.body(List.of(Multipart.Part.file("unheard.txt", "text/plain", data)))));

    postgres.cutAfterCommitOf("INSERT INTO files"); // prepared for the first time on this node
    HttpResponse<byte[]> r = Multipart.send(request);
    assertEquals(1, postgres.cuts(), "the row's COMMIT was cut");

    List<Map<String, Object>> rows = server.sql("SELECT id::text AS id, storage_key FROM files WHERE filename = 'unheard.txt'");
    assertEquals(1, rows.size(), "the row committed: " + rows);
    String key = (String) rows.get(0).get("storage_key");
    assertTrue(Files.exists(server.dataDir().resolve("files").resolve(key)), "the row's bytes are still there");
    assertArrayEquals(data, Files.readAllBytes(server.dataDir().resolve("files").resolve(key)));
    assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    JsonObject result = new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonArray("results").getJsonObject(0);
    assertEquals("success", result.getString("status"), result::encode);
    assertEquals(rows.get(0).get("id"), result.getString("file_id"));
  }
}
