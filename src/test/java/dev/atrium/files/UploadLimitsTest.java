package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 11's upload limits: reservation before the first byte, slots per user, disk reserve, no leftovers. */
class UploadLimitsTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_MAX_FILE_SIZE", "4MB",
      "ATRIUM_USER_QUOTA", "100MB", "ATRIUM_UPLOADS_PER_USER", "2"));

  /** Opens an upload that declares {@code declared} bytes and sends {@code sent} of them, then waits. */
  static Socket openUpload(String token, long declared, int sent, long seed) throws IOException {
    return openUpload(token, declared, sent, seed, false);
  }

  static Socket openUpload(String token, long declared, int sent, long seed, boolean debug) throws IOException {
    Multipart m = new Multipart();
    Socket s = new Socket("127.0.0.1", server.port());
    OutputStream out = s.getOutputStream();
    out.write(("POST /api/files/upload-batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: " + m.contentType() + "\r\nContent-Length: " + declared + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    byte[] head = m.partHeader(Multipart.Part.file("cut.bin", null, new byte[0]));
    out.write(head, 0, Math.min(sent, head.length));
    if (sent > head.length) {
      byte[] data = new byte[sent - head.length];
      new Random(seed).nextBytes(data);
      try {
        out.write(data);
      } catch (IOException e) {
        String answer = new String(s.getInputStream().readNBytes(300), StandardCharsets.US_ASCII);
        if (debug && answer.startsWith("HTTP/1.1 429")) {
          s.close();
          return null; // the previous upload still held its slot: legitimate, try again
        }
        throw new AssertionError("the server cut upload " + seed + " after " + sent + " bytes: " + answer, e);
      }
    }
    out.flush();
    return s;
  }

  static long used(String owner) {
    return FilesApiTestSupport.used(server, owner);
  }

  static long count(String sql, String owner) {
    return (Long) server.sql(sql, owner).get(0).get("n");
  }

  static long tmpFiles() {
    return FilesApiTestSupport.tmpFiles(server);
  }

  @Test
  @DisplayName("the declared size is reserved before the first byte and given back when the client leaves")
  void reservedBeforeFirstByte() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "reserve");
    try (Socket s = openUpload(a.access(), 3_000_000, 0, 1)) {
      Poll.until(Duration.ofSeconds(10), "3,000,000 bytes are reserved", () -> used(a.userId()) == 3_000_000);
      assertEquals(1, count("SELECT count(*) AS n FROM file_reservations WHERE user_id = ?::uuid", a.userId()));
    }
    Poll.until(Duration.ofSeconds(10), "the reservation is given back", () -> used(a.userId()) == 0
        && count("SELECT count(*) AS n FROM file_reservations WHERE user_id = ?::uuid", a.userId()) == 0);
  }

  @Test
  @DisplayName("a third concurrent upload of one user is refused with 429; another user is not affected")
  void slotsPerUser() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "slots");
    Accounts.Login b = Accounts.registerAndLogin(server, "other");
    List<Socket> open = new ArrayList<>();
    try {
      open.add(openUpload(a.access(), 2_000_000, 1000, 2));
      open.add(openUpload(a.access(), 2_000_000, 1000, 3));
      Poll.until(Duration.ofSeconds(10), "two uploads are in flight", () -> used(a.userId()) == 4_000_000);
      Http.Res third = FilesApiTestSupport.upload(server, a.access(), new byte[100]);
      assertEquals(429, third.status(), third::toString);
      assertEquals("too_many_uploads", third.code());
      assertTrue(third.header("Retry-After").isPresent());
      assertEquals(200, FilesApiTestSupport.upload(server, b.access(), new byte[100]).status());
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
    Poll.until(Duration.ofSeconds(10), "the slots are free again",
        () -> FilesApiTestSupport.upload(server, a.access(), new byte[100]).status() == 200);
  }

  @Test
  @DisplayName("50 uploads cut off at random offsets leave no temporary file, no row, no reservation and no quota")
  void fiftyDisconnects() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "cuts");
    Random random = new Random(42);
    for (int i = 0; i < 50; i++) {
      int sent = random.nextInt(3_000_000);
      try (Socket s = openUpload(a.access(), 3_000_000, sent, i, true)) {
        if (s == null) {
          i--;
          continue;
        }
        if (random.nextBoolean()) {
          s.setSoLinger(true, 0); // half of them end with a reset instead of a FIN
        }
      }
      // one at a time: each must find a free slot (and the quota back at zero) when it starts
      Poll.until(Duration.ofSeconds(10), "upload " + i + " is released", () -> used(a.userId()) == 0);
    }
    Poll.until(Duration.ofSeconds(20), "nothing is left", () -> tmpFiles() == 0 && used(a.userId()) == 0
        && count("SELECT count(*) AS n FROM file_reservations WHERE user_id = ?::uuid", a.userId()) == 0);
    assertEquals(0, count("SELECT count(*) AS n FROM files WHERE owner_id = ?::uuid", a.userId()));
    try (Stream<Path> files = Files.walk(server.dataDir().resolve("files"))) {
      assertEquals(0, files.filter(Files::isRegularFile).count());
    }
    assertEquals(200, FilesApiTestSupport.upload(server, a.access(), new byte[100]).status(), "the user can upload");
  }
}
