package dev.atrium.files;

import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** A minimal tus 1.0.0 client for tests, over the test HTTP client (and a raw socket to cut a PATCH). */
final class Tus {
  static final String OCTETS = "application/offset+octet-stream";
  private final TestServer node;
  private final String token;

  Tus(TestServer node, String token) {
    this.node = node;
    this.token = token;
  }

  Http http() {
    return node.http().bearer(token).with("Tus-Resumable", "1.0.0");
  }

  /** POST; returns the answer (Location names the upload). */
  Http.Res create(long length, String filename, String type) {
    String meta = "filename " + b64(filename) + (type == null ? "" : ",filetype " + b64(type));
    return http().with("Upload-Length", Long.toString(length)).with("Upload-Metadata", meta)
        .send("POST", "/api/files/tus", HttpRequest.BodyPublishers.noBody(), null);
  }

  /** Creates and returns the upload's path. */
  String createOk(long length, String filename) {
    Http.Res r = create(length, filename, null);
    if (r.status() != 201) {
      throw new AssertionError("create: " + r);
    }
    return r.header("Location").orElseThrow();
  }

  Http.Res patch(String path, long offset, byte[] data, int from, int length, String checksum) {
    Http h = http().with("Upload-Offset", Long.toString(offset));
    if (checksum != null) {
      h = h.with("Upload-Checksum", checksum);
    }
    return h.send("PATCH", path, HttpRequest.BodyPublishers.ofByteArray(data, from, length), OCTETS);
  }

  Http.Res head(String path) {
    return http().send("HEAD", path, HttpRequest.BodyPublishers.noBody(), null);
  }

  long offset(String path) {
    Http.Res r = head(path);
    if (r.status() != 200) {
      throw new AssertionError("HEAD: " + r);
    }
    return Long.parseLong(r.header("Upload-Offset").orElseThrow());
  }

  /** Sends a PATCH that declares {@code declared} bytes, writes only {@code sent} of them, and drops the connection. */
  void cutPatch(String path, long offset, byte[] data, int from, int declared, int sent) throws IOException {
    try (Socket s = new Socket("127.0.0.1", node.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("PATCH " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + offset + "\r\nContent-Type: " + OCTETS
          + "\r\nContent-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(data, from, sent);
      out.flush();
      s.setSoLinger(true, 0); // a reset, as when a network drops
    }
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256Header(byte[] data, int from, int length) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, from, length);
      return "sha256 " + Base64.getEncoder().encodeToString(md.digest());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] data) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
