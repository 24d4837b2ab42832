package dev.atrium.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Where a page's next and previous links point, with and without ATRIUM_PUBLIC_URL. */
class PageLinksTest {
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_TRUST_PROXY", "false"));

  @Test
  @DisplayName("without ATRIUM_PUBLIC_URL a page links under the request's Host, as DRF does; "
      + "X-Forwarded-Proto counts only from a trusted proxy")
  void linksFollowHostByDefault() throws Exception {
    Accounts.registerAndLogin(server, "links");
    JsonObject page = pageAsked(server, "forged.example:1234", "X-Forwarded-Proto: https\r\n");
    assertEquals("http://forged.example:1234/api/users?page_size=1&page=2", page.getString("next"));
    // an empty Host: the address the client reached (Django's SERVER_NAME), not "http:///api/..."
    assertEquals("http://127.0.0.1:" + server.port() + "/api/users?page_size=1&page=2",
        pageAsked(server, "", "").getString("next"));
    TestServer behindTls = server.join(Map.of("ATRIUM_TRUST_PROXY", "true"));
    assertEquals("https://atrium.example.com/api/users?page_size=1&page=2",
        pageAsked(behindTls, "atrium.example.com", "X-Forwarded-Proto: https\r\n").getString("next"));
    assertEquals("http://atrium.example.com/api/users?page_size=1&page=2",
        pageAsked(behindTls, "atrium.example.com", "X-Forwarded-Proto: gopher\r\n").getString("next"));
    assertEquals("http://atrium.example.com/api/users?page_size=1&page=2",
        pageAsked(behindTls, "atrium.example.com", "").getString("next"));
  }

  @Test
  @DisplayName("with ATRIUM_PUBLIC_URL a page links under it whatever Host the request names")
  void linksFollowPublicUrl() throws Exception {
    Accounts.registerAndLogin(server, "links");
    TestServer behindProxy = server.join(Map.of("ATRIUM_PUBLIC_URL", "https://atrium.example.com/base/"));
    JsonObject first = pageAsked(behindProxy, "forged.example", "X-Forwarded-Proto: http\r\n");
    assertEquals("https://atrium.example.com/base/api/users?page_size=1&page=2", first.getString("next"));
    assertEquals(null, first.getValue("previous"));
    JsonObject second = get(behindProxy, "/api/users?page=2&page_size=1", "forged.example", "");
    assertEquals("https://atrium.example.com/base/api/users?page_size=1&page=1", second.getString("previous"));
  }

  private static JsonObject pageAsked(TestServer node, String host, String moreHeaders) throws Exception {
    return get(node, "/api/users?page_size=1", host, moreHeaders);
  }

  /** A GET with a Host header of the test's choosing (java.net.http refuses to send one). */
  private static JsonObject get(TestServer node, String pathAndQuery, String host, String moreHeaders)
      throws Exception {
    String token = server.admin().access();
    try (Socket socket = new Socket("127.0.0.1", node.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host
          + "\r\nAuthorization: Bearer " + token + "\r\n" + moreHeaders + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) { // to the end: the node closes the connection
        all.write(buf, 0, n);
      }
      String response = all.toString(StandardCharsets.UTF_8);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      return new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }
}
