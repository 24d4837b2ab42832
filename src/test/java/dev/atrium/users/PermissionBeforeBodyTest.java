package dev.atrium.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PermissionBeforeBodyTest {
  private static final int DECLARED = 32 * 1024 * 1024;
  private static final int SENT = 64 * 1024;

  @RegisterExtension
  static final TestServer server = TestServer.node();

  @Test
  @DisplayName("a signed-in user without users.manage declaring a 32 MB import body is refused 403 after "
      + "64 KB of it, without the node waiting for the rest, and told to drop the connection")
  void refusedBeforeTheBodyIsRead() throws Exception {
    Accounts.Login user = Accounts.registerAndLogin(server, "plain");
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/users/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + user.access() + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + DECLARED + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[SENT];
      Arrays.fill(chunk, (byte) ' ');
      chunk[0] = '[';
      out.write(chunk);
      out.flush();

      // The rest of the 32 MB is never sent: an answer proves the node did not wait for it.
      String answer = readAnswer(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
      assertTrue(answer.contains("\"code\":\"permission_denied\""), answer);
      assertTrue(answer.toLowerCase().contains("connection: close"), answer);
    }
  }

  @Test
  @DisplayName("the same route still reads the body for a caller who holds users.manage")
  void readForTheAdmin() {
    var res = Accounts.admin(server).http(server).send("POST", "/api/users/import",
        "[{\"email\":\"imported-" + System.nanoTime() + "@example.com\","
            + "\"password\":\"correct horse battery staple\"}]",
        "application/json");
    assertEquals(200, res.status(), res::toString);
  }

  /** The answer: read until its JSON body is complete (the node never waits for the rest of ours). */
  private static String readAnswer(InputStream in) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while (!got.toString(StandardCharsets.UTF_8).endsWith("}") && (n = in.read(buffer)) >= 0) {
        got.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      return got.toString(StandardCharsets.UTF_8) + "\n[no complete answer within 15 s]";
    }
    return got.toString(StandardCharsets.UTF_8);
  }
}
