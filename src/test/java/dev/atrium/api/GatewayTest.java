package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * deploy/nginx.conf, rendered by deploy/local-cluster.sh (which validates it with nginx -t),
 * run with Debian's nginx in front of a test node: one gateway whose upstreams are the node and
 * a dead port, one whose upstreams are both dead.
 */
class GatewayTest {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");
  private static final List<Process> gateways = new ArrayList<>();

  @RegisterExtension
  static final TestServer server = TestServer.node();

  static int gateway;
  static int deadGateway;

  @BeforeAll
  static void startGateways() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(NGINX), "Debian's nginx is not installed (apt-get install nginx-light)");
    gateway = start(server.port(), freePort());
    deadGateway = start(freePort(), freePort());
  }

  @AfterAll
  static void stopGateways() throws InterruptedException {
    for (Process p : gateways) {
      p.destroy(); // SIGTERM: nginx's fast shutdown
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  @DisplayName("requests pass through to the node; JSON is gzipped with Vary: Accept-Encoding")
  void passesAndCompresses() throws Exception {
    assertEquals(200, http(gateway).get("/health/live").status());
    HttpResponse<byte[]> contract = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway + "/openapi.yaml")).header("Accept-Encoding", "gzip").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, contract.statusCode());
    assertEquals("gzip", contract.headers().firstValue("Content-Encoding").orElse(""));
    assertTrue(contract.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Accept-Encoding")),
        contract.headers().toString());
  }

  @Test
  @DisplayName("/metrics is not public through the gateway (404 problem+json), in any spelling")
  void metricsHidden() {
    assertEquals(200, server.http().get("/metrics").status(), "the node itself serves it");
    for (String path : List.of("/metrics", "/metrics/", "//metrics", "/%6Detrics")) {
      Http.Res res = http(gateway).get(path);
      assertEquals(404, res.status(), path + ": " + res);
      assertEquals("application/problem+json", res.header("Content-Type").orElse(""), path);
      assertEquals("route_not_found", res.code(), path);
    }
  }

  @Test
  @DisplayName("a page's links through the gateway keep the port the client used, not only its host name")
  void pageLinksKeepThePort() {
    Accounts.registerAndLogin(server, "gateway");
    Http.Res page = http(gateway).bearer(server.admin().access()).get("/api/users?page_size=1");
    assertEquals(200, page.status(), page::toString);
    assertEquals("http://127.0.0.1:" + gateway + "/api/users?page_size=1&page=2", page.json().getString("next"));
  }

  @Test
  @DisplayName("no node answering: 502 problem+json node_unavailable with Retry-After, not nginx's HTML page")
  void noNode() {
    Http.Res res = http(deadGateway).get("/api/auth/me");
    assertEquals(502, res.status(), res::toString);
    assertEquals("application/problem+json", res.header("Content-Type").orElse(""));
    assertEquals("node_unavailable", res.code());
    assertTrue(res.header("Retry-After").isPresent());
  }

  @Test
  @DisplayName("the gateway's own refusals (unreadable request, URI or headers too long) are problem+json")
  void ownErrorsAreProblems() throws Exception {
    assertProblem(raw(gateway, "GARBAGE\r\n\r\n"), "400", "bad_request");
    assertProblem(raw(gateway, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), "414", "uri_too_long");
    assertProblem(raw(gateway, "GET / HTTP/1.1\r\nHost: x\r\nCookie: " + "a".repeat(10_000) + "\r\n\r\n"), "400",
        "headers_too_large");
  }

  @Test
  @DisplayName("body limits are the node's: a 40 MB upload declared to a stranger is answered by the node "
      + "(401 problem+json) before the body, not refused by the gateway")
  void bodyLimitsAreTheNodes() throws Exception {
    String answer = raw(gateway, "POST /api/users/import HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 41943040\r\n\r\n[");
    assertProblem(answer, "401", "not_authenticated");
  }

  private static void assertProblem(String answer, String status, String code) {
    assertTrue(answer.startsWith("HTTP/1.1 " + status), answer);
    assertTrue(answer.toLowerCase().contains("content-type: application/problem+json"), answer);
    assertTrue(answer.contains("\"code\":\"" + code + "\""), answer);
  }

  private static Http http(int port) {
    return new Http("http://127.0.0.1:" + port);
  }

  /** Sends raw bytes and returns what comes back until the first answer is complete or 10 s pass. */
  private static String raw(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buffer = new byte[4096];
      int n;
      while (!got.toString().contains("}") && (n = in.read(buffer)) >= 0) {
        got.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      return got.toString();
    }
  }

  /** Renders and validates (nginx -t) a gateway for these upstreams, starts it, waits until it answers. */
  private static int start(int node1, int node2) throws Exception {
    int port = freePort();
    Path dir = Files.createTempDirectory("atrium-gateway");
    ProcessBuilder render = new ProcessBuilder("deploy/local-cluster.sh", "check").redirectErrorStream(true)
        .redirectOutput(dir.resolve("check.log").toFile());
    render.environment().putAll(java.util.Map.of("ATRIUM_CLUSTER_DIR", dir.toString(),
        "ATRIUM_NODE1_PORT", Integer.toString(node1), "ATRIUM_NODE2_PORT", Integer.toString(node2),
        "ATRIUM_GATEWAY_PORT", Integer.toString(port)));
    Process check = render.start();
    assertTrue(check.waitFor(60, TimeUnit.SECONDS), "the config check finished");
    assertEquals(0, check.exitValue(), () -> "nginx -t refused the rendered config: " + read(dir.resolve("check.log")));
    Path prefix = dir.resolve("nginx");
    Process nginx = new ProcessBuilder(NGINX.toString(), "-p", prefix.toString(), "-c",
        prefix.resolve("nginx.conf").toString(), "-g", "daemon off;").redirectErrorStream(true)
        .redirectOutput(dir.resolve("nginx.log").toFile()).start();
    gateways.add(nginx);
    Poll.until(Duration.ofSeconds(20), "the gateway on " + port + " accepts connections", () -> {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    return port;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** A port that was free a moment ago (closed again: nothing listens there until someone binds it). */
  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
