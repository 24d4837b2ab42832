package dev.atrium.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console as the node serves it: redirects, SPA fallback, caching, gzip twins, its CSP. */
class ConsoleServingTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static HttpResponse<byte[]> send(String method, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String header(HttpResponse<?> res, String name) {
    return res.headers().firstValue(name).orElse("");
  }

  private static String text(HttpResponse<byte[]> res) {
    return new String(res.body(), StandardCharsets.UTF_8);
  }

  /** The entry script named by index.html, e.g. /console/assets/index-abc123.js. */
  private static String entryScript() {
    Matcher m = Pattern.compile("src=\"(/console/assets/[^\"]+\\.js)\"").matcher(text(send("GET", "/console/")));
    assertTrue(m.find(), "index.html names its entry script");
    return m.group(1);
  }

  @Test
  @DisplayName("/ leads to the console and /admin/ to its users page")
  void redirects() {
    HttpResponse<byte[]> root = send("GET", "/");
    assertEquals(302, root.statusCode());
    assertEquals("/console/", header(root, "Location"));
    HttpResponse<byte[]> admin = send("GET", "/admin/");
    assertEquals(302, admin.statusCode());
    assertEquals("/console/admin/users", header(admin, "Location"));
  }

  @Test
  @DisplayName("index.html is served for the console root and every client-side route, revalidated on each load, under the console's CSP")
  void spaFallback() {
    HttpResponse<byte[]> index = send("GET", "/console/");
    assertEquals(200, index.statusCode());
    assertEquals("text/html; charset=utf-8", header(index, "Content-Type"));
    assertEquals("no-cache", header(index, "Cache-Control"));
    assertTrue(text(index).contains("<div id=\"app\">"), text(index));
    String csp = header(index, "Content-Security-Policy");
    assertTrue(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'")
        && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-eval"), csp);
    assertFalse(csp.matches(".*script-src[^;]*unsafe-inline.*"), csp);
    for (String route : new String[] {"/console", "/console/dashboard", "/console/admin/users", "/console/admin/audit/"}) {
      HttpResponse<byte[]> res = send("GET", route);
      assertEquals(200, res.statusCode(), route);
      assertArrayEquals(index.body(), res.body(), route);
    }
    // The API keeps its own, stricter policy.
    assertEquals("default-src 'none'; frame-ancestors 'none'",
        header(send("GET", "/health/live"), "Content-Security-Policy"));
  }

  @Test
  @DisplayName("hashed assets are immutable for a year, sent gzipped when accepted and plain otherwise, with a validator")
  void assets() throws IOException {
    String script = entryScript();
    HttpResponse<byte[]> plain = send("GET", script);
    assertEquals(200, plain.statusCode());
    assertEquals("text/javascript; charset=utf-8", header(plain, "Content-Type"));
    assertEquals("public, max-age=31536000, immutable", header(plain, "Cache-Control"));
    assertEquals("", header(plain, "Content-Encoding"));
    assertEquals("Accept-Encoding", header(plain, "Vary"));

    HttpResponse<byte[]> gzipped = send("GET", script, "Accept-Encoding", "br, gzip;q=0.8");
    assertEquals("gzip", header(gzipped, "Content-Encoding"));
    assertTrue(gzipped.body().length < plain.body().length / 2, "compressed");
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      assertArrayEquals(plain.body(), in.readAllBytes());
    }
    assertEquals("", header(send("GET", script, "Accept-Encoding", "gzip;q=0, deflate"), "Content-Encoding"));

    HttpResponse<byte[]> again = send("GET", script, "If-None-Match", header(plain, "ETag"));
    assertEquals(304, again.statusCode());
    assertEquals(0, again.body().length);

    HttpResponse<byte[]> head = send("HEAD", script);
    assertEquals(200, head.statusCode());
    assertEquals(String.valueOf(plain.body().length), header(head, "Content-Length"));
  }

  @Test
  @DisplayName("the console's own requests carry its Origin and pass CORS; a foreign origin's are still refused")
  void sameOrigin() {
    String script = entryScript();
    HttpResponse<byte[]> own = send("GET", script, "Origin", server.baseUrl());
    assertEquals(200, own.statusCode());
    assertEquals("", header(own, "Access-Control-Allow-Origin"));
    HttpResponse<byte[]> login = send("POST", "/api/auth/login", "Origin", server.baseUrl());
    assertEquals(400, login.statusCode(), "reaches validation, not refused by CORS");
    assertEquals(403, send("GET", script, "Origin", "http://evil.example").statusCode());
  }

  @Test
  @DisplayName("a missing asset is a 404 problem, never the HTML page in its place; paths cannot leave the build")
  void missing() {
    for (String path : new String[] {"/console/assets/nope-123.js", "/console/missing.png",
        "/console/../openapi.yaml/x.js", "/console/%2e%2e/pom.xml"}) {
      HttpResponse<byte[]> res = send("GET", path);
      assertEquals(404, res.statusCode(), path);
      assertEquals("application/problem+json", header(res, "Content-Type"), path);
    }
  }
}
