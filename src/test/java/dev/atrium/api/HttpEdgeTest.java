package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The HTTP edge: problem+json for every kind of bad request, ids, CORS, headers, ops routes. */
class HttpEdgeTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  private static Set<String> fields(Http.Res res) {
    JsonArray errors = res.json().getJsonArray("errors");
    return errors.stream().map(e -> ((JsonObject) e).getString("field")).collect(Collectors.toSet());
  }

  private static void assertProblem(Http.Res res, int status, String code) {
    assertEquals(status, res.status(), res::toString);
    assertEquals("application/problem+json", res.header("Content-Type").orElse(""));
    JsonObject body = res.json();
    assertEquals(code, body.getString("code"));
    assertEquals(status, body.getInteger("status"));
    for (String member : List.of("type", "title", "detail")) {
      assertTrue(body.getString(member) != null && !body.getString(member).isBlank(), member + " in " + body);
    }
    assertTrue(!res.body().contains("Exception") && !res.body().contains("\tat "), "no stack trace: " + res.body());
  }

  @Test
  @DisplayName("missing fields, wrong types and unknown fields give 400 validation_failed with one entry per bad field")
  void validation() {
    Http.Res missing = server.http().post("/api/auth/register", new JsonObject().put("email", "a@b.co"));
    assertProblem(missing, 400, "validation_failed");
    assertEquals(Set.of("/username", "/password"), fields(missing));

    Http.Res types = server.http().post("/api/auth/login", new JsonObject().put("email", 42).put("password", true));
    assertProblem(types, 400, "validation_failed");
    assertEquals(Set.of("/email", "/password"), fields(types));

    Http.Res unknown = server.http().post("/api/auth/login",
        new JsonObject().put("email", "a@b.co").put("password", "x").put("is_superuser", true));
    assertProblem(unknown, 400, "validation_failed");
    assertEquals(Set.of("/is_superuser"), fields(unknown));

    Http.Res arrayBody = server.http().send("POST", "/api/auth/login", "[1,2]", "application/json");
    assertProblem(arrayBody, 400, "validation_failed");
  }

  @Test
  @DisplayName("query parameters are judged the same on every request: a remembered accepted value never lets a bad one through")
  void repeatedQueryValidation() {
    Http admin = Accounts.admin(server).http(server);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, admin.get("/api/users?page_size=100&ordering=-created_at").status());
      Http.Res tooBig = admin.get("/api/users?page_size=101");
      assertProblem(tooBig, 400, "validation_failed");
      assertEquals(Set.of("page_size"), fields(tooBig));
      assertProblem(admin.get("/api/users?page_size=ten"), 400, "validation_failed");
      assertProblem(admin.get("/api/users?ordering=password_hash"), 400, "validation_failed");
    }
  }

  @Test
  @DisplayName("malformed JSON is 400 malformed_json and a non-JSON content type is 415 unsupported_media_type")
  void malformedAndContentType() {
    assertProblem(server.http().send("POST", "/api/auth/login", "{\"email\": ", "application/json"), 400, "malformed_json");
    assertProblem(server.http().send("POST", "/api/auth/login", "email=a&password=b", "application/x-www-form-urlencoded"),
        415, "unsupported_media_type");
    assertProblem(server.http().send("POST", "/api/auth/login", "hello", "text/plain"), 415, "unsupported_media_type");
    // JSON is UTF-8 only (RFC 8259): another charset is named as the fault, even for a body
    // whose bytes happen to be ASCII; utf-8 in any spelling is accepted
    String login = "{\"email\":\"" + TestServer.ADMIN_EMAIL + "\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}";
    for (String latin : List.of("application/json; charset=latin1", "application/json;charset=\"ISO-8859-1\"",
        "application/json; q=1; Charset=windows-1252")) {
      Http.Res refused = server.http().send("POST", "/api/auth/login", login, latin);
      assertProblem(refused, 415, "unsupported_media_type");
      assertTrue(refused.json().getString("detail").contains("UTF-8"), refused::toString);
    }
    for (String utf8 : List.of("application/json; charset=utf-8", "application/json;charset=\"UTF-8\"",
        "application/json; charset=UTF8")) {
      assertEquals(200, server.http().send("POST", "/api/auth/login", login, utf8).status(), utf8);
    }
  }

  @Test
  @DisplayName("a JSON member named twice in one object is 400 malformed_json naming it, at any depth")
  void duplicateMembers() {
    Http.Res login = server.http().send("POST", "/api/auth/login",
        "{\"email\":\"nobody@x.test\",\"password\":\"x\",\"email\":\"" + TestServer.ADMIN_EMAIL + "\"}", "application/json");
    assertProblem(login, 400, "malformed_json");
    assertTrue(login.json().getString("detail").contains("'email'"), login::toString);
    Http admin = server.http().bearer(server.admin().access());
    assertProblem(admin.send("POST", "/api/analytics/track-activity",
        "{\"action\":\"dup\",\"metadata\":{\"page\":\"/a\",\"page\":\"/b\"}}", "application/json"), 400, "malformed_json");
    assertEquals(List.of(), server.sql("SELECT 1 FROM activities WHERE action = 'dup'"));
    // the same name in different objects is not a repeat
    assertEquals(202, admin.send("POST", "/api/analytics/track-activity",
        "{\"action\":\"dup\",\"metadata\":{\"action\":\"inner\"}}", "application/json").status());
  }

  @Test
  @DisplayName("a JSON body in UTF-16 or UTF-32 is 400 malformed_json, not guessed and read")
  void jsonOnlyInUtf8() throws Exception {
    String login = "{\"email\":\"" + TestServer.ADMIN_EMAIL + "\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}";
    assertEquals(200, server.http().post("/api/auth/login", new JsonObject(login)).status());
    for (String charset : List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE")) {
      byte[] body = login.getBytes(Charset.forName(charset));
      String answer = rawExchange("POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n", body);
      assertTrue(answer.matches("(?s)HTTP/1\\.1 400 .*\"code\":\"malformed_json\".*"), charset + ": " + answer);
    }
  }

  @Test
  @DisplayName("a JSON body over 1 MB is refused with 413 payload_too_large before it is read")
  void oversizedBody() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/auth/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + (2 * 1024 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write("{\"email\":\"".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String response = readResponse(socket.getInputStream());
      assertTrue(response.startsWith("HTTP/1.1 413"), response);
      assertTrue(response.contains("application/problem+json"), response);
      assertTrue(response.contains("\"code\":\"payload_too_large\""), response);
    }
    assertEquals(0L, server.sql("SELECT count(*) AS n FROM users WHERE NOT is_superuser").get(0).get("n"));
  }

  /** Sends raw bytes on a fresh connection and reads until the node closes it (the read times out after 10 s otherwise). */
  private String rawExchange(String head) throws Exception {
    return rawExchange(head, new byte[0]);
  }

  private String rawExchange(String head, byte[] body) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) { // to the end: the node closes the connection
        all.write(buf, 0, n);
      }
      return all.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  @DisplayName("a request line or headers over the limits, or a malformed head, is answered as problem+json (414, 431, 400) and the connection closed")
  void refusedByTheDecoder() throws Exception {
    String longLine = rawExchange("GET /api/users?search=" + "x".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertTrue(longLine.matches("(?s)HTTP/1\\.[01] 414 .*"), longLine); // no version was read: Vert.x answers in 1.0
    assertTrue(longLine.contains("application/problem+json") && longLine.contains("\"code\":\"uri_too_long\""), longLine);
    String bigHeaders = rawExchange("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "y".repeat(10_000)
        + "\r\n\r\n");
    assertTrue(bigHeaders.matches("(?s)HTTP/1\\.[01] 431 .*"), bigHeaders);
    assertTrue(bigHeaders.contains("application/problem+json") && bigHeaders.contains("\"code\":\"headers_too_large\""), bigHeaders);
    String malformed = rawExchange("GET /health/live HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n");
    assertTrue(malformed.matches("(?s)HTTP/1\\.[01] 400 .*"), malformed);
    assertTrue(malformed.contains("application/problem+json") && malformed.contains("\"code\":\"malformed_request\""), malformed);
  }

  @Test
  @DisplayName("a path with a malformed %-escape is 400 bad_request as problem+json, before any route")
  void malformedPathEscape() throws Exception {
    String answer = rawExchange("GET /api/users/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertTrue(answer.matches("(?s)HTTP/1\\.1 400 .*"), answer);
    assertTrue(answer.contains("application/problem+json") && answer.contains("\"code\":\"bad_request\""), answer);
  }

  @Test
  @DisplayName("a Host holding a %-escape is 400 bad_request as problem+json, never left unanswered")
  void percentInHost() throws Exception {
    // Vert.x 5.0.7's own Host check throws on these (InvalidRequests.screeningHosts)
    for (String host : List.of("%41", "a%2e", "%", "example.com:8%30")) {
      String answer = rawExchange("GET /health/live HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertTrue(answer.matches("(?s)HTTP/1\\.1 400 .*"), host + " -> " + answer);
      assertTrue(answer.contains("application/problem+json") && answer.contains("\"code\":\"bad_request\""), answer);
    }
    String fine = rawExchange("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertTrue(fine.startsWith("HTTP/1.1 200"), fine);
  }

  @Test
  @DisplayName("an expectation other than 100-continue is 417 expectation_failed, titled with its reason phrase")
  void unmetExpectation() throws Exception {
    String answer = rawExchange("POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\n"
        + "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n",
        "{}".getBytes(StandardCharsets.UTF_8));
    assertTrue(answer.matches("(?s)HTTP/1\\.1 417 .*"), answer);
    assertTrue(answer.contains("application/problem+json"), answer);
    JsonObject problem = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertEquals("expectation_failed", problem.getString("code"), answer);
    assertEquals("Expectation Failed", problem.getString("title"), answer);
  }

  @Test
  @DisplayName("a chunked body the decoder cannot read is the client's malformed request, never logged as a fault")
  void undecodableChunkedBody() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(ProblemHandler.class);
    ListAppender<ILoggingEvent> faults = new ListAppender<>();
    faults.start();
    logger.addAppender(faults);
    try {
      String bearer = "Authorization: Bearer " + server.admin().access() + "\r\n";
      for (String chunkSize : List.of("zz", "1ffffffffffffffff", "", "5;" + "x".repeat(9000))) {
        for (String path : List.of("/api/auth/login", "/api/analytics/track-activity")) {
          String answer = rawExchange("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + bearer
              + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkSize + "\r\n{}\r\n0\r\n\r\n");
          // Vert.x closes the connection at once; an answer that makes it out must be the 400
          assertTrue(answer.isEmpty() || answer.matches("(?s)HTTP/1\\.1 400 .*\"code\":\"malformed_request\".*"),
              chunkSize + " on " + path + ": " + answer);
        }
      }
      assertEquals(List.of(), faults.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
          .map(ILoggingEvent::getFormattedMessage).toList());
    } finally {
      logger.detachAppender(faults);
    }
    assertEquals(200, server.http().get("/health/live").status());
  }

  @Test
  @DisplayName("a query parameter given twice is refused with 400 naming it, whatever the copies say")
  void repeatedQueryParameter() {
    Http admin = server.http().bearer(server.admin().access());
    assertEquals(200, admin.get("/api/users?page=1").status());
    for (String query : List.of("page=1&page=2", "page=1&page=1", "search=a&is_active=true&search=b")) {
      Http.Res res = admin.get("/api/users?" + query);
      assertProblem(res, 400, "validation_failed");
      String field = res.json().getJsonArray("errors").getJsonObject(0).getString("field");
      assertTrue(field.equals("page") || field.equals("search"), res::toString);
      assertTrue(res.body().contains("is given more than once"), res::toString);
    }
  }

  @Test
  @DisplayName("an unknown route is 404 route_not_found and a wrong method 405 method_not_allowed, as problem+json")
  void unknownRouteAndMethod() {
    assertProblem(server.http().get("/api/nothing/here"), 404, "route_not_found");
    assertProblem(server.http().delete("/api/auth/login"), 405, "method_not_allowed");
    assertProblem(server.http().get("/api/auth/register"), 405, "method_not_allowed");
  }

  @Test
  @DisplayName("paths with a trailing slash are served like the bare path, query string included")
  void trailingSlash() {
    Accounts.Login a = Accounts.registerAndLogin(server, "slash");
    Http.Res login = server.http().post("/api/auth/login/",
        new JsonObject().put("email", a.email()).put("password", Accounts.PASSWORD));
    assertEquals(200, login.status(), login::toString);
    assertEquals(200, a.http(server).get("/api/auth/me/").status());
    Http.Res cookie = server.http().post("/api/auth/login/?cookie=true",
        new JsonObject().put("email", a.email()).put("password", Accounts.PASSWORD));
    assertTrue(cookie.header("Set-Cookie").isPresent());
    assertEquals(404, a.http(server).delete("/api/auth/sessions/00000000-0000-0000-0000-000000000000/").status());
  }

  @Test
  @DisplayName("X-Request-Id is echoed when given, made when absent or unsafe, and appears in problem bodies")
  void requestId() {
    Http.Res echoed = server.http().with("X-Request-Id", "trace-123.abc").get("/health/live");
    assertEquals("trace-123.abc", echoed.header("X-Request-Id").orElse(""));
    Http.Res made = server.http().get("/health/live");
    assertTrue(made.header("X-Request-Id").orElse("").length() >= 16);
    Http.Res unsafe = server.http().with("X-Request-Id", "bad id\"<script>").get("/health/live");
    assertNotEquals("bad id\"<script>", unsafe.header("X-Request-Id").orElse(""));
    Http.Res problem = server.http().with("X-Request-Id", "trace-404").get("/nowhere");
    assertEquals("trace-404", problem.json().getString("request_id"));
  }

  @Test
  @DisplayName("CORS preflight from a configured origin is answered; other origins get no CORS grant")
  void cors() {
    Http.Res preflight = server.http().with("Origin", "http://localhost:3000")
        .with("Access-Control-Request-Method", "POST").with("Access-Control-Request-Headers", "content-type,authorization")
        .send("OPTIONS", "/api/auth/login", (String) null, null);
    assertTrue(preflight.status() == 200 || preflight.status() == 204, preflight::toString);
    assertEquals("http://localhost:3000", preflight.header("Access-Control-Allow-Origin").orElse(""));
    assertTrue(preflight.header("Access-Control-Allow-Methods").orElse("").contains("POST"));
    assertTrue(preflight.header("Access-Control-Allow-Headers").orElse("").toLowerCase().contains("authorization"));

    Http.Res simple = server.http().with("Origin", "http://localhost:3000").get("/health/live");
    assertEquals("http://localhost:3000", simple.header("Access-Control-Allow-Origin").orElse(""));
    Http.Res foreign = server.http().with("Origin", "https://evil.example").get("/health/live");
    assertProblem(foreign, 403, "origin_not_allowed");
    assertTrue(foreign.header("Access-Control-Allow-Origin").isEmpty(), foreign.raw().headers().toString());
  }

  @Test
  @DisplayName("security headers are on every response, errors included")
  void securityHeaders() {
    for (Http.Res res : List.of(server.http().get("/health/live"), server.http().get("/nowhere"),
        server.http().post("/api/auth/login", new JsonObject()))) {
      assertEquals("nosniff", res.header("X-Content-Type-Options").orElse(""), res::toString);
      assertEquals("DENY", res.header("X-Frame-Options").orElse(""));
      assertTrue(res.header("Content-Security-Policy").isPresent());
      assertTrue(res.header("Referrer-Policy").isPresent());
    }
  }

  @Test
  @DisplayName("/metrics counts requests per route template and known method, with latency quantiles, pool metrics and no buckets")
  void metrics() {
    Accounts.Login a = Accounts.registerAndLogin(server, "metrics");
    a.http(server).delete("/api/auth/sessions/11111111-1111-1111-1111-111111111111");
    // an invented method is counted as OTHER: a client cannot add a series per method it makes up
    server.http().uncheckedByContract().send("BREW", "/health/live", "", "text/plain");
    String text = server.http().get("/metrics").body();
    assertTrue(text.contains("method=\"OTHER\""), () -> text.lines().filter(l -> l.contains("method="))
        .collect(Collectors.joining("\n")));
    assertFalse(text.contains("BREW"));
    assertTrue(text.contains("vertx_http_server_active_connections "), "connections gauge");
    assertTrue(text.contains("vertx_http_server_active_requests{method=\"GET\"}"), "active requests gauge");
    assertTrue(text.contains("vertx_http_server_requests_total{code=\"404\",method=\"DELETE\",route=\"/api/auth/sessions/:id\"}"),
        () -> text.lines().filter(l -> l.startsWith("vertx_http_server_requests_total")).collect(Collectors.joining("\n")));
    assertTrue(text.contains("vertx_http_server_response_time_seconds"
            + "{method=\"DELETE\",route=\"/api/auth/sessions/:id\",quantile=\"0.99\"}"),
        () -> text.lines().filter(l -> l.contains("response_time")).collect(Collectors.joining("\n")));
    assertFalse(text.contains("_bucket{"), "no histogram buckets: the scrape stays small");
    assertTrue(text.contains("vertx_pool_in_use{pool_name=\"atrium-pg\",pool_type=\"sql\"}"), "pg pool");
    assertTrue(text.contains("atrium_password_pool_in_flight"), "password pool");
    assertFalse(text.contains("vertx_net_client_"), "no net-client meters: one unlabelled gauge for every client");
  }

  @Test
  @DisplayName("/health/live is up, /health/ready names PostgreSQL and Redis as up, /openapi.yaml and /docs are served")
  void opsRoutes() {
    assertEquals("UP", server.http().get("/health/live").json().getString("status"));
    Http.Res ready = server.http().get("/health/ready");
    assertEquals(200, ready.status());
    assertTrue(ready.body().contains("\"postgres\"") && ready.body().contains("\"redis\""), ready.body());
    Http.Res contract = server.http().get("/openapi.yaml");
    assertEquals(200, contract.status());
    assertTrue(contract.body().startsWith("openapi: 3.1"));
    assertTrue(contract.body().contains("application/problem+json"), "the served contract is the original file");
    assertEquals(302, server.http().get("/docs").status());
    Http.Res page = server.http().get("/docs/index.html");
    assertEquals(200, page.status());
    assertTrue(page.body().contains("swagger-ui"), page.body());
    assertTrue(server.http().get("/docs/swagger-initializer.js").body().contains("/openapi.yaml"));
    assertEquals(200, server.http().get("/docs/swagger-ui-bundle.js").status());
  }

  private static String readResponse(InputStream in) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    int n;
    socketLoop:
    while ((n = in.read(chunk)) > 0) {
      buf.write(chunk, 0, n);
      String s = buf.toString(StandardCharsets.UTF_8);
      int headerEnd = s.indexOf("\r\n\r\n");
      if (headerEnd > 0) {
        for (String line : s.substring(0, headerEnd).split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")
              && s.length() - headerEnd - 4 >= Integer.parseInt(line.substring(15).trim())) {
            break socketLoop;
          }
        }
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
