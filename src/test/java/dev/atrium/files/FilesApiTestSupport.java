package dev.atrium.files;

import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import java.net.http.HttpRequest;
import java.util.List;

/** One-file uploads through the public API, for tests outside {@link FilesApiTest}. */
final class FilesApiTestSupport {
  private FilesApiTestSupport() {
  }

  static Http.Res upload(TestServer server, String token, byte[] data) {
    Multipart m = new Multipart();
    return server.http().bearer(token).send("POST", "/api/files/upload-batch",
        HttpRequest.BodyPublishers.ofByteArray(m.body(List.of(Multipart.Part.file("f.bin", null, data)))),
        m.contentType());
  }
}
