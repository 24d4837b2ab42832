package dev.atrium.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/** Builds multipart bodies and sends byte-exact requests for the files tests. */
final class Multipart {
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Part(String field, String filename, String type, byte[] data) {
    static Part file(String filename, String type, byte[] data) {
      return new Part("files", filename, type, data);
    }
  }

  final String boundary = "----atrium" + UUID.randomUUID().toString().replace("-", "");

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  byte[] body(List<Part> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Part p : parts) {
      out.writeBytes(partHeader(p));
      out.writeBytes(p.data());
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(closing());
    return out.toByteArray();
  }

  byte[] partHeader(Part p) {
    String disposition = "Content-Disposition: form-data; name=\"" + p.field() + "\""
        + (p.filename() == null ? "" : "; filename=\"" + p.filename() + "\"");
    String h = "--" + boundary + "\r\n" + disposition + "\r\n"
        + (p.type() == null ? "" : "Content-Type: " + p.type() + "\r\n") + "\r\n";
    return h.getBytes(StandardCharsets.UTF_8);
  }

  byte[] closing() {
    return ("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  static HttpResponse<byte[]> send(HttpRequest.Builder b) {
    try {
      return CLIENT.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpRequest.Builder get(String url, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
