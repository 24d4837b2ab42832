package dev.atrium.files;

import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Helpers of the files tests: one-file uploads through the public API, quota and temporary files. */
final class FilesApiTestSupport {
  private FilesApiTestSupport() {
  }

  static Http.Res upload(TestServer server, String token, byte[] data) {
    Multipart m = new Multipart();
    return server.http().bearer(token).send("POST", "/api/files/upload-batch",
        HttpRequest.BodyPublishers.ofByteArray(m.body(List.of(Multipart.Part.file("f.bin", null, data)))),
        m.contentType());
  }

  /** The owner's counted bytes: stored files and reservations of uploads in flight. */
  static long used(TestServer server, String owner) {
    var r = server.sql("SELECT used_bytes FROM file_quotas WHERE user_id = ?::uuid", owner);
    return r.isEmpty() ? 0 : (Long) r.get(0).get("used_bytes");
  }

  /** Files in the node's {@code data/tmp}. */
  static long tmpFiles(TestServer server) {
    try (Stream<Path> s = Files.list(server.dataDir().resolve("tmp"))) {
      return s.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
