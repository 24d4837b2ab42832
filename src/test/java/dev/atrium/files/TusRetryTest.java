package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A tus upload whose last step (becoming a file) fails is completed later by the sweeper, on
 * each backend ({@link TusRetryLocalTest}, {@link TusRetryS3Test}). The failure comes after the
 * store has put the object in place, so the retry also shows that finishing again is harmless.
 */
abstract class TusRetryTest {
  static TestServer server;

  static long used(String owner) {
    return FilesApiTestSupport.used(server, owner);
  }

  @Test
  @DisplayName("a finished upload whose completion failed becomes a file by the sweeper once the cause is gone")
  void completionRetried() {
    Accounts.Login a = Accounts.registerAndLogin(server, "retry");
    Tus tus = new Tus(server, a.access());
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    String path = tus.createOk(data.length, "retry.bin");
    String id = path.substring(path.lastIndexOf('/') + 1);
    // a row that already has the upload's id: the completion's insert fails after the object is in place
    server.sql("INSERT INTO files (id, owner_id, filename, storage_key, size, content_type, sha256)"
        + " VALUES (?::uuid, ?::uuid, 'blocker', 'blocker/' || ?, 0, 'application/octet-stream', '')", id, a.userId(), id);
    Http.Res last = tus.patch(path, 0, data, 0, data.length, null);
    assertNotEquals(204, last.status(), last::toString);
    assertEquals(data.length, tus.offset(path), "every byte is in; only the completion failed");

    server.sql("DELETE FROM files WHERE id = ?::uuid", id);
    Poll.until(Duration.ofSeconds(40), "the sweeper completes the upload", () -> !server.sql(
        "SELECT 1 FROM files WHERE id = ?::uuid AND filename = 'retry.bin'", id).isEmpty());
    assertTrue(server.sql("SELECT 1 FROM tus_uploads WHERE id = ?::uuid", id).isEmpty());
    assertTrue(server.sql("SELECT 1 FROM file_reservations WHERE id = ?::uuid", id).isEmpty());
    assertEquals(data.length, used(a.userId()));
    Http.Res file = a.http(server).get("/api/files/" + id);
    assertEquals(Tus.hex(data), file.json().getString("sha256"));
    var bytes = Multipart.send(Multipart.get(server.baseUrl() + "/api/files/download/" + id, a.access()));
    assertEquals(200, bytes.statusCode());
    assertArrayEquals(data, bytes.body());
  }
}
