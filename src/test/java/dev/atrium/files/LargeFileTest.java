package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.ServerProcess;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A 1 GB upload and download through a node whose heap is 96 MB: nothing may hold a file whole. */
class LargeFileTest {
  static final long SIZE = 1L << 30;
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_MAX_FILE_SIZE", "2GB", "ATRIUM_USER_QUOTA", "4GB"));
  static ServerProcess node;

  @BeforeAll
  static void start() {
    // logback-test.xml (WARN) is on the test class path; the production config logs the
    // "Atrium ready" line that ServerProcess waits for.
    node = ServerProcess.start(server.env(), List.of("-Xmx96m", "-Dlogback.configurationFile=logback.xml"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** Deterministic pseudo-random bytes (xorshift), hashed as they are handed out. */
  static final class Generated extends InputStream {
    final MessageDigest sha = sha256();
    long left;
    long state = 0x9E3779B97F4A7C15L;

    Generated(long size) {
      left = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len, left) & ~7;
      if (n == 0) {
        n = (int) Math.min(len, left);
      }
      for (int i = 0; i < n; i++) {
        if ((i & 7) == 0) {
          state ^= state << 13;
          state ^= state >>> 7;
          state ^= state << 17;
        }
        b[off + i] = (byte) (state >>> ((i & 7) * 8));
      }
      sha.update(b, off, n);
      left -= n;
      return n;
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static long vmHwmKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  @Test
  @DisplayName("a 1 GB file uploads and downloads intact (same SHA-256) through a server with -Xmx96m")
  void oneGigabyte() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "big");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = "http://127.0.0.1:" + node.port();

    Multipart m = new Multipart();
    byte[] head = m.partHeader(Multipart.Part.file("big.bin", "application/octet-stream", new byte[0]));
    byte[] tail = ("\r\n" + new String(m.closing(), StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
    Generated data = new Generated(SIZE);
    long length = head.length + SIZE + tail.length;
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(
            new SequenceInputStream(new java.io.ByteArrayInputStream(head), data),
            new java.io.ByteArrayInputStream(tail))), length);
    HttpResponse<String> up = client.send(HttpRequest.newBuilder(URI.create(base + "/api/files/upload-batch"))
        .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + a.access())
        .header("Content-Type", m.contentType()).POST(body).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, up.statusCode(), up.body());
    String sent = HexFormat.of().formatHex(data.sha.digest());
    JsonObject result = new JsonObject(up.body()).getJsonArray("results").getJsonObject(0);
    assertEquals("success", result.getString("status"), result::encode);
    assertEquals(SIZE, result.getLong("size"));
    assertEquals(sent, result.getString("sha256"));
    String id = result.getString("file_id");

    HttpResponse<InputStream> down = client.send(HttpRequest.newBuilder(URI.create(base + "/api/files/download/" + id))
        .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + a.access()).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, down.statusCode());
    assertEquals(Long.toString(SIZE), down.headers().firstValue("Content-Length").orElseThrow());
    MessageDigest got = sha256();
    long count = 0;
    try (InputStream in = down.body()) {
      byte[] buf = new byte[256 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        got.update(buf, 0, n);
        count += n;
      }
    }
    assertEquals(SIZE, count);
    assertEquals(sent, HexFormat.of().formatHex(got.digest()));

    HttpResponse<byte[]> range = client.send(HttpRequest.newBuilder(URI.create(base + "/api/files/download/" + id))
        .header("Authorization", "Bearer " + a.access()).header("Range", "bytes=-16").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, range.statusCode());
    assertEquals("bytes " + (SIZE - 16) + "-" + (SIZE - 1) + "/" + SIZE, range.headers().firstValue("Content-Range").orElseThrow());

    long peakKb = vmHwmKb(node.pid());
    System.out.println("LargeFileTest: server peak RSS (VmHWM) " + peakKb / 1024 + " MB");
    assertTrue(peakKb < 512 * 1024, "peak RSS " + peakKb + " kB");
    assertEquals(204, server.http().bearer(a.access()).delete("/api/files/" + id).status());
  }
}
