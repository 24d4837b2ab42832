package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes that share nothing but PostgreSQL, Redis and an S3 bucket: each has its own data
 * directory. Tokens, files, signed links and tus uploads cross between them; keys rotate.
 */
class ScaleOutTest {
  static final HttpClient RAW = HttpClient.newHttpClient();
  // a short rotation: a new key every 8 s, signing 4 s after it is made; tokens live an hour
  @RegisterExtension
  static final S3Node node = new S3Node(Map.of("ATRIUM_KEY_ROTATION", "8s"));
  static final TestServer a = node.server();
  static TestServer b;
  static Path bData;

  @BeforeAll
  static void second() throws Exception {
    bData = Files.createTempDirectory("atrium-node-b");
    b = a.join(Map.of("ATRIUM_DATA_DIR", bData.toString(), "ATRIUM_S3_PRESIGNED_DOWNLOADS", "true"));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    b.close();
    try (var s = Files.walk(bData)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String kid(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))),
        StandardCharsets.UTF_8)).getString("kid");
  }

  static byte[] get(TestServer node, String path, String token) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(node.baseUrl() + path));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    HttpResponse<byte[]> resp = RAW.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, resp.statusCode(), () -> path + ": " + new String(resp.body(), StandardCharsets.UTF_8));
    return resp.body();
  }

  static byte[] getRange(TestServer node, String path, String token, String range) throws Exception {
    HttpResponse<byte[]> resp = RAW.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
        .header("Authorization", "Bearer " + token).header("Range", range).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, resp.statusCode());
    return resp.body();
  }

  @Test
  @DisplayName("a token, a file and a signed link made on one node work on the other; neither data directory holds keys or files")
  void crossNodes() throws Exception {
    Accounts.Login user = Accounts.registerAndLogin(a, "cross");
    assertEquals(200, user.http(b).get("/api/auth/me").status(), "B accepts A's token");
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(data);
    Http.Res up = FilesApiTestSupport.upload(a, user.access(), data);
    assertEquals(200, up.status(), up::toString);
    String id = up.json().getJsonArray("results").getJsonObject(0).getString("file_id");
    Http.Res redirect = user.http(b).get("/api/files/download/" + id);
    assertEquals(302, redirect.status(), "B sends clients to the object store");
    assertTrue(redirect.header("Location").orElseThrow().startsWith(node.proxy().endpoint() + "/"), redirect::toString);
    HttpResponse<byte[]> viaS3 = RAW.send(HttpRequest.newBuilder(URI.create(redirect.header("Location").orElseThrow()))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, viaS3.statusCode(), () -> new String(viaS3.body(), StandardCharsets.UTF_8));
    assertArrayEquals(data, viaS3.body(), "the presigned URL serves A's upload");
    assertArrayEquals(data, get(a, "/api/files/download/" + id, user.access()), "A proxies the bytes");
    String link = user.http(a).get("/api/files/" + id).json().getString("download_url");
    Http.Res byLink = b.http().get(link);
    assertEquals(302, byLink.status(), "B honours A's signed link: " + byLink);
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 200), getRange(a, "/api/files/download/" + id,
        user.access(), "bytes=100-199"), "a single range passes through to S3");
    try (var s = Files.walk(bData)) {
      assertEquals(List.of(), s.filter(Files::isRegularFile).toList(), "B's data directory stays empty");
    }
  }

  @Test
  @DisplayName("after a key rotation, tokens signed with the previous key still verify on both nodes; the JWKS lists both")
  void rotation() {
    Accounts.Login first = Accounts.registerAndLogin(a, "rotate");
    String oldKid = kid(first.access());
    // Another account signs in until a new key signs: a hundred sign-ins of the first one would
    // push its first session out (ATRIUM_MAX_SESSIONS_PER_USER).
    Accounts.Login poller = Accounts.registerAndLogin(a, "rotatepoll");
    Accounts.Login later = Poll.value(Duration.ofSeconds(40), "a login is signed with a new key",
        () -> Accounts.login(b, poller.email(), Accounts.PASSWORD), l -> !kid(l.access()).equals(oldKid));
    assertNotEquals(oldKid, kid(later.access()));
    assertEquals(200, first.http(a).get("/api/auth/me").status());
    assertEquals(200, first.http(b).get("/api/auth/me").status());
    assertEquals(200, later.http(a).get("/api/auth/me").status());
    String jwks = b.http().get("/.well-known/jwks.json").body();
    assertTrue(jwks.contains(oldKid) && jwks.contains(kid(later.access())), jwks);
  }

  @Test
  @DisplayName("tus: 50 MB in 5 MB PATCHes, the connection cut mid-PATCH on A, resumed on B after HEAD, ends byte-exact")
  void tusAcrossNodes() throws Exception {
    Accounts.Login user = Accounts.registerAndLogin(a, "resume");
    int size = 50 * 1024 * 1024;
    int chunk = 5 * 1024 * 1024;
    byte[] data = new byte[size];
    new Random(11).nextBytes(data);
    Tus onA = new Tus(a, user.access());
    Tus onB = new Tus(b, user.access());
    String path = onA.createOk(size, "big.bin");
    long offset = 0;
    for (int i = 0; i < 4; i++) {
      Http.Res r = onA.patch(path, offset, data, (int) offset, chunk, null);
      assertEquals(204, r.status(), r::toString);
      offset += chunk;
    }
    onA.cutPatch(path, offset, data, (int) offset, chunk, chunk / 2);
    while (offset < size) {
      long at = offset;
      Http.Res r = Poll.value(Duration.ofSeconds(30), "B takes the upload over", () -> {
        long now = onB.offset(path); // HEAD first, as a client resuming does
        int n = (int) Math.min(chunk, size - now);
        return onB.patch(path, now, data, (int) now, n, null);
      }, res -> res.status() != 423 && res.status() != 409);
      assertEquals(204, r.status(), r::toString);
      offset = Long.parseLong(r.header("Upload-Offset").orElseThrow());
      assertTrue(offset > at);
    }
    String id = path.substring(path.lastIndexOf('/') + 1);
    assertEquals(Tus.hex(data), user.http(a).get("/api/files/" + id).json().getString("sha256"));
    assertArrayEquals(data, get(a, "/api/files/download/" + id, user.access()));
  }
}
