package dev.atrium.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExportTest {
  static final List<String> HEADER = List.of("id", "occurred_at", "received_at", "user_id", "action", "source", "ip",
      "user_agent", "metadata", "client_ip", "client_user_agent");
  @RegisterExtension
  static final TestServer server = TestServer.node();
  static Accounts.Login admin;
  static Accounts.Login user;
  static Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
  static List<String> actions = List.of("=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-3", "@SUM(A1)", "plain, with comma",
      "say \"hi\"");

  @BeforeAll
  static void start() {
    admin = Accounts.admin(server);
    user = Accounts.registerAndLogin(server, "export");
    JsonArray events = new JsonArray();
    for (int i = 0; i < actions.size(); i++) {
      events.add(new JsonObject().put("action", actions.get(i)).put("occurred_at", base.plusSeconds(i).toString())
          .put("metadata", new JsonObject().put("note", "line1\r\nline2 \"q\", done").put("i", i)));
    }
    Http.Res res = user.http(server).with("User-Agent", "=cmd|' /C calc'!A0").post("/api/analytics/track-activity",
        new JsonObject().put("events", events));
    assertEquals(202, res.status(), res::toString);
  }

  static HttpResponse<byte[]> download(Accounts.Login who, String query) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/analytics/export?" + query))
        .header("Authorization", "Bearer " + who.access()).build();
    return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofByteArray());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("CSV export is RFC 4180 with CRLF and quoting, oldest first, and neutralises formula cells with an apostrophe")
  void csvExport() throws Exception {
    HttpResponse<byte[]> res = download(admin, "format=csv&user_id=" + user.userId() + "&from=" + q(base.toString())
        + "&to=" + q(base.plusSeconds(100).toString()));
    assertEquals(200, res.statusCode(), () -> new String(res.body()));
    assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
    assertTrue(res.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename=\"activities-"));
    List<List<String>> rows = CsvReader.parse(new String(res.body(), StandardCharsets.UTF_8));
    assertEquals(HEADER, rows.get(0));
    assertEquals(actions.size() + 1, rows.size());
    assertEquals("'=HYPERLINK(\"http://evil\",\"x\")", rows.get(1).get(4));
    assertEquals("'+1+2", rows.get(2).get(4));
    assertEquals("'-3", rows.get(3).get(4));
    assertEquals("'@SUM(A1)", rows.get(4).get(4));
    assertEquals("plain, with comma", rows.get(5).get(4));
    assertEquals("say \"hi\"", rows.get(6).get(4));
    for (int i = 1; i < rows.size(); i++) {
      List<String> r = rows.get(i);
      assertEquals(HEADER.size(), r.size());
      assertEquals(base.plusSeconds(i - 1).toString(), r.get(1));
      assertEquals(user.userId(), r.get(3));
      assertEquals("api", r.get(5));
      assertEquals("'=cmd|' /C calc'!A0", r.get(7));
      JsonObject metadata = new JsonObject(r.get(8));
      assertEquals("line1\r\nline2 \"q\", done", metadata.getString("note"));
      assertEquals(i - 1, metadata.getInteger("i"));
      assertEquals(1, server.sql("SELECT 1 FROM activities WHERE id = ?::uuid", r.get(0)).size());
    }
  }

  @Test
  @DisplayName("from is inclusive and to exclusive; an empty selection is just the header")
  void csvRange() throws Exception {
    HttpResponse<byte[]> res = download(admin, "user_id=" + user.userId() + "&from=" + q(base.plusSeconds(1).toString())
        + "&to=" + q(base.plusSeconds(3).toString()));
    List<List<String>> rows = CsvReader.parse(new String(res.body(), StandardCharsets.UTF_8));
    assertEquals(List.of("'+1+2", "'-3"), rows.stream().skip(1).map(r -> r.get(4)).collect(Collectors.toList()));
    HttpResponse<byte[]> none = download(admin, "user_id=" + user.userId() + "&to=" + q(base.toString()));
    assertEquals(200, none.statusCode());
    assertEquals(String.join(",", HEADER) + "\r\n", new String(none.body(), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("XLSX export holds the same rows as typed text cells")
  void xlsxExport() throws Exception {
    HttpResponse<byte[]> res = download(admin, "format=xlsx&user_id=" + user.userId() + "&to=" + q(base.plusSeconds(100).toString()));
    assertEquals(200, res.statusCode(), () -> new String(res.body()));
    assertEquals("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        res.headers().firstValue("Content-Type").orElse(""));
    try (InputStream in = new ByteArrayInputStream(res.body()); ReadableWorkbook wb = new ReadableWorkbook(in)) {
      List<Row> rows = wb.getFirstSheet().read();
      assertEquals(actions.size() + 1, rows.size());
      assertEquals("occurred_at", rows.get(0).getCellText(1));
      for (int i = 1; i < rows.size(); i++) {
        assertEquals(actions.get(i - 1), rows.get(i).getCellText(4));
        assertEquals(base.plusSeconds(i - 1).toString(), rows.get(i).getCellText(1));
        assertEquals(user.userId(), rows.get(i).getCellText(3));
      }
    }
  }

  @Test
  @DisplayName("export needs analytics.export and rejects an unknown format, a bad time and an empty range with 400")
  void exportRules() {
    Http.Res denied = user.http(server).get("/api/analytics/export?format=csv");
    assertEquals(403, denied.status(), denied::toString);
    assertEquals("permission_denied", denied.code());
    Http.Res pdf = admin.http(server).get("/api/analytics/export?format=pdf");
    assertEquals(400, pdf.status(), pdf::toString);
    assertEquals("validation_failed", pdf.code());
    assertEquals("format", pdf.json().getJsonArray("errors").getJsonObject(0).getString("field"));
    Http.Res badTime = admin.http(server).get("/api/analytics/export?from=yesterday");
    assertEquals(400, badTime.status(), badTime::toString);
    Http.Res backwards = admin.http(server).get("/api/analytics/export?from=" + q(base.toString()) + "&to=" + q(base.toString()));
    assertEquals(400, backwards.status(), backwards::toString);
    assertEquals("invalid_range", backwards.code());
    assertEquals(400, admin.http(server).get("/api/analytics/export?user_id=nope").status());
  }
}
