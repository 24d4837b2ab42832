package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads through the S3 backend large enough to be multipart uploads: 5 MB parts, and part
 * memory for two parts, so an upload holds some parts in memory and spools the others.
 */
class S3UploadTest {
  static final int MB = 1024 * 1024;
  @RegisterExtension
  static final S3Node node = new S3Node(Map.of("ATRIUM_S3_PART_SIZE", "5MB", "ATRIUM_S3_UPLOAD_MEMORY", "10MB",
      "ATRIUM_MAX_FILE_SIZE", "64MB", "ATRIUM_USER_QUOTA", "256MB"));
  static final S3Proxy proxy = node.proxy();
  static final TestServer server = node.server();

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static long tmpFiles() {
    return FilesApiTestSupport.tmpFiles(server);
  }

  static long used(String owner) {
    return FilesApiTestSupport.used(server, owner);
  }

  @Test
  @DisplayName("a 23 MB upload goes up in five parts and downloads byte for byte; no part is left behind")
  void multipart() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "parts");
    Set<Path> before = Set.copyOf(proxy.files());
    byte[] data = random(23 * MB + 12_345, 1);
    Multipart m = new Multipart();
    HttpResponse<byte[]> up = Multipart.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
            + "/api/files/upload-batch")).header("Authorization", "Bearer " + a.access())
        .header("Content-Type", m.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(m.body(List.of(Multipart.Part.file("big.bin", null, data))))));
    assertEquals(200, up.statusCode(), () -> new String(up.body(), StandardCharsets.UTF_8));
    JsonObject result = new JsonObject(new String(up.body(), StandardCharsets.UTF_8)).getJsonArray("results")
        .getJsonObject(0);
    assertEquals("success", result.getString("status"), result::encode);
    assertEquals(Multipart.sha256(data), result.getString("sha256"));

    HttpResponse<byte[]> down = Multipart.send(Multipart.get(server.baseUrl() + "/api/files/download/"
        + result.getString("file_id"), a.access()));
    assertEquals(200, down.statusCode());
    assertArrayEquals(data, down.body());
    Poll.until(Duration.ofSeconds(10), "one object, no parts, no spool file is left", () -> {
      List<Path> added = proxy.files().stream().filter(p -> !before.contains(p)).toList();
      return added.size() == 1 && added.get(0).endsWith(FileStore.storageKey(
          java.util.UUID.fromString(result.getString("file_id")))) && tmpFiles() == 0;
    });
  }

  @Test
  @DisplayName("a client that disconnects after several parts were stored leaves no object and no multipart upload on S3")
  void abortedMultipart() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "cutparts");
    Set<Path> before = Set.copyOf(proxy.files());
    Multipart m = new Multipart();
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/files/upload-batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + a.access()
          + "\r\nContent-Type: " + m.contentType() + "\r\nContent-Length: " + (40 * MB) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(m.partHeader(Multipart.Part.file("half.bin", null, new byte[0])));
      out.write(random(14 * MB, 2));
      out.flush();
      Poll.until(Duration.ofSeconds(60), "parts of the multipart upload are stored on S3",
          () -> proxy.files().stream().anyMatch(p -> !before.contains(p)));
      s.setSoLinger(true, 0); // a reset, as when a network drops
    }
    Poll.until(Duration.ofSeconds(30), "the multipart upload is aborted: nothing new is left in the bucket",
        () -> proxy.files().stream().allMatch(before::contains));
    Poll.until(Duration.ofSeconds(10), "no spool file, no quota", () -> tmpFiles() == 0 && used(a.userId()) == 0);
    assertTrue(server.sql("SELECT 1 FROM files WHERE owner_id = ?::uuid", a.userId()).isEmpty());
  }
}
