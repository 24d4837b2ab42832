package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.events.Addresses;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** tus 1.0.0 on the local store: creation, appends, offsets, checksums, termination, expiry. */
class TusTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_MAX_FILE_SIZE", "8MB", "ATRIUM_USER_QUOTA", "20MB",
      "ATRIUM_TUS_EXPIRY", "10s"));
  static final List<JsonObject> uploaded = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void listen() {
    server.application().vertx().eventBus().<JsonObject>localConsumer(Addresses.FILE_UPLOADED,
        m -> uploaded.add(m.body()));
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static long used(String owner) {
    return FilesApiTestSupport.used(server, owner);
  }

  @Test
  @DisplayName("OPTIONS advertises version, extensions, sha256 and the size limit without credentials")
  void options() {
    Http.Res r = server.http().send("OPTIONS", "/api/files/tus", HttpRequest.BodyPublishers.noBody(), null);
    assertEquals(204, r.status(), r::toString);
    assertEquals("1.0.0", r.header("Tus-Resumable").orElse(null));
    assertEquals("1.0.0", r.header("Tus-Version").orElse(null));
    assertEquals("creation,creation-with-upload,termination,expiration,checksum", r.header("Tus-Extension").orElse(null));
    assertEquals("sha256", r.header("Tus-Checksum-Algorithm").orElse(null));
    assertEquals(Long.toString(8L << 20), r.header("Tus-Max-Size").orElse(null));
  }

  @Test
  @DisplayName("an upload in three PATCHes becomes a file with the upload's id, its SHA-256, file.uploaded and the quota")
  void upload() {
    Accounts.Login a = Accounts.registerAndLogin(server, "tus");
    Tus tus = new Tus(server, a.access());
    byte[] data = random(3_000_000, 1);
    Http.Res created = tus.create(data.length, "photo.bin", "application/octet-stream");
    assertEquals(201, created.status(), created::toString);
    assertEquals("1.0.0", created.header("Tus-Resumable").orElse(null));
    String path = created.header("Location").orElseThrow();
    String id = path.substring(path.lastIndexOf('/') + 1);
    assertEquals(data.length, used(a.userId()), "the whole length is reserved at creation");
    assertEquals(0, tus.offset(path));

    Http.Res first = tus.patch(path, 0, data, 0, 1_000_000, null);
    assertEquals(204, first.status(), first::toString);
    assertEquals("1000000", first.header("Upload-Offset").orElse(null));
    Http.Res retried = tus.patch(path, 0, data, 0, 1_000_000, null);
    assertEquals(409, retried.status(), "a retried PATCH at a stored offset is refused");
    assertEquals("1000000", retried.header("Upload-Offset").orElse(null), "with the real offset");
    assertEquals(204, tus.patch(path, 1_000_000, data, 1_000_000, 1_000_000,
        Tus.sha256Header(data, 1_000_000, 1_000_000)).status());
    assertEquals(204, tus.patch(path, 2_000_000, data, 2_000_000, 1_000_000, null).status());

    Http.Res file = a.http(server).get("/api/files/" + id);
    assertEquals(200, file.status(), file::toString);
    assertEquals(Tus.hex(data), file.json().getString("sha256"));
    assertEquals("photo.bin", file.json().getString("filename"));
    Http.Res bytes = a.http(server).get("/api/files/download/" + id);
    assertEquals(200, bytes.status());
    assertEquals(data.length, bytes.raw().headers().firstValueAsLong("Content-Length").orElse(-1));
    Poll.until(Duration.ofSeconds(5), "file.uploaded is published",
        () -> uploaded.stream().anyMatch(e -> id.equals(e.getString("file_id"))));
    assertEquals(data.length, used(a.userId()));
    assertTrue(server.sql("SELECT 1 FROM tus_uploads WHERE id = ?::uuid", id).isEmpty());
    assertTrue(server.sql("SELECT 1 FROM file_reservations WHERE id = ?::uuid", id).isEmpty());
    assertEquals(404, tus.head(path).status(), "a finished upload is no longer resumable");
  }

  @Test
  @DisplayName("a checksum mismatch is 460 and stores nothing; a wrong algorithm is 400; no Tus-Resumable or another version is 412")
  void checksums() {
    Accounts.Login a = Accounts.registerAndLogin(server, "sum");
    Tus tus = new Tus(server, a.access());
    byte[] data = random(100_000, 2);
    String path = tus.createOk(data.length, "x.bin");
    Http.Res bad = tus.patch(path, 0, data, 0, 50_000, Tus.sha256Header(data, 1, 50_000));
    assertEquals(460, bad.status(), bad::toString);
    assertEquals("checksum_mismatch", bad.code());
    assertEquals("Checksum Mismatch", bad.json().getString("title"));
    assertEquals(0, tus.offset(path));
    assertEquals(400, tus.patch(path, 0, data, 0, 10, "md5 AAAA").status());
    Http.Res noVersion = server.http().bearer(a.access()).send("HEAD", path, HttpRequest.BodyPublishers.noBody(), null);
    assertEquals(412, noVersion.status());
    Http.Res otherVersion = server.http().bearer(a.access()).with("Tus-Resumable", "0.2.0")
        .with("Upload-Length", "10").send("POST", "/api/files/tus", HttpRequest.BodyPublishers.noBody(), null);
    assertEquals(412, otherVersion.status(), otherVersion::toString);
    assertEquals("tus_version_unsupported", otherVersion.code());
    assertEquals("Precondition Failed", otherVersion.json().getString("title"));
    assertEquals("1.0.0", noVersion.header("Tus-Version").orElse(null));
    Http.Res good = tus.patch(path, 0, data, 0, data.length, Tus.sha256Header(data, 0, data.length));
    assertEquals(204, good.status(), good::toString);
  }

  @Test
  @DisplayName("Upload-Metadata that is not base64, or names a key twice, is 400 validation_failed and creates nothing")
  void malformedMetadata() {
    Accounts.Login a = Accounts.registerAndLogin(server, "meta");
    for (String meta : List.of("filename !!!", "filename " + Tus.b64("a.txt") + ",filename " + Tus.b64("b.exe"),
        "filename " + Tus.b64("a.txt") + ", filename")) {
      Http.Res r = new Tus(server, a.access()).http().with("Upload-Length", "10").with("Upload-Metadata", meta)
          .send("POST", "/api/files/tus", HttpRequest.BodyPublishers.noBody(), null);
      assertEquals(400, r.status(), meta + " -> " + r);
      assertEquals("validation_failed", r.code(), r::toString);
    }
    assertEquals(0L, ((Number) server.sql("SELECT count(*) AS n FROM tus_uploads WHERE owner_id = ?::uuid",
        a.userId()).get(0).get("n")).longValue());
    Http.Res fine = new Tus(server, a.access()).create(10, "a.txt", "text/plain");
    assertEquals(201, fine.status(), fine::toString);
  }

  @Test
  @DisplayName("creation-with-upload, a body past the length is 413, someone else's upload is 404, quota is checked at creation")
  void creationWithUpload() {
    Accounts.Login a = Accounts.registerAndLogin(server, "cwu");
    Accounts.Login b = Accounts.registerAndLogin(server, "stranger");
    byte[] data = random(200_000, 3);
    Http.Res r = new Tus(server, a.access()).http().with("Upload-Length", "300000")
        .send("POST", "/api/files/tus", HttpRequest.BodyPublishers.ofByteArray(data), Tus.OCTETS);
    assertEquals(201, r.status(), r::toString);
    assertEquals("200000", r.header("Upload-Offset").orElse(null));
    String path = r.header("Location").orElseThrow();
    assertEquals(404, new Tus(server, b.access()).head(path).status());
    Http.Res tooMuch = new Tus(server, a.access()).patch(path, 200_000, data, 0, 150_000, null);
    assertEquals(413, tooMuch.status(), tooMuch::toString);
    assertEquals(200_000, new Tus(server, a.access()).offset(path));
    Http.Res overQuota = new Tus(server, b.access()).create(21L << 20, "big", null);
    assertEquals(413, overQuota.status());
    Http.Res quota = new Tus(server, b.access()).create(7L << 20, "a", null);
    assertEquals(201, quota.status());
    assertEquals(201, new Tus(server, b.access()).create(7L << 20, "b", null).status());
    Http.Res third = new Tus(server, b.access()).create(7L << 20, "c", null);
    assertEquals(413, third.status(), "3 × 7 MB do not fit in 20 MB: reserved at creation");
    assertEquals("quota_exceeded", third.code());
  }

  @Test
  @DisplayName("termination removes the bytes and gives the reservation back")
  void termination() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "term");
    Tus tus = new Tus(server, a.access());
    byte[] data = random(500_000, 4);
    String path = tus.createOk(data.length, "t.bin");
    assertEquals(204, tus.patch(path, 0, data, 0, 100_000, null).status());
    String id = path.substring(path.lastIndexOf('/') + 1);
    assertEquals(1, parts(id));
    Http.Res del = tus.http().send("DELETE", path, HttpRequest.BodyPublishers.noBody(), null);
    assertEquals(204, del.status(), del::toString);
    assertEquals(0, used(a.userId()));
    assertEquals(0, parts(id));
    assertEquals(404, tus.head(path).status());
  }

  @Test
  @DisplayName("an unfinished upload expires: 410, then its row, bytes and reservation are gone")
  void expiry() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "expire");
    Tus tus = new Tus(server, a.access());
    byte[] data = random(100_000, 5);
    String path = tus.createOk(data.length, "e.bin");
    assertEquals(204, tus.patch(path, 0, data, 0, 10_000, null).status());
    String id = path.substring(path.lastIndexOf('/') + 1);
    Poll.until(Duration.ofSeconds(40), "the upload is swept",
        () -> server.sql("SELECT 1 FROM tus_uploads WHERE id = ?::uuid", id).isEmpty());
    assertEquals(404, tus.head(path).status());
    assertEquals(0, used(a.userId()));
    assertEquals(0, parts(id));
  }

  static long parts(String id) throws Exception {
    try (var s = Stream.concat(Files.list(server.dataDir().resolve("tmp")), Files.list(server.dataDir().resolve("tus")))) {
      return s.filter(p -> p.getFileName().toString().contains(id)).count();
    }
  }
}
