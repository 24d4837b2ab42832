package dev.atrium;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Poll;
import dev.atrium.support.ServerProcess;
import dev.atrium.support.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The node as operators run it: its own JVM, environment configuration, SIGTERM. */
class ProcessLifecycleTest {
  @RegisterExtension
  static final TestServer server = TestServer.node();

  @Test
  @DisplayName("SIGTERM lets a request in flight finish, then the process exits 0")
  void gracefulStop() throws Exception {
    try (ServerProcess node = ServerProcess.start(server.env(), List.of("-Xmx128m"))) {
      String body = "{\"email\":\"" + TestServer.ADMIN_EMAIL + "\",\"password\":\"" + TestServer.ADMIN_PASSWORD + "\"}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      try (Socket socket = new Socket("127.0.0.1", node.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes, 0, 10); // the request is now in flight: headers and part of the body
        out.flush();
        Poll.until(Duration.ofSeconds(5), "the server has accepted the request",
            () -> node.http().get("/health/live").status() == 200);
        sendTerm(node.pid());
        Poll.until(Duration.ofSeconds(10), "the node starts stopping", () -> node.logged("Stopping"));
        out.write(bytes, 10, bytes.length - 10);
        out.flush();
        String response = readHead(socket.getInputStream());
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
      }
      Poll.until(Duration.ofSeconds(20), "the process exits", () -> !ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive).orElse(false));
      assertEquals(0, node.terminate(Duration.ofSeconds(1)));
      // The output is read by another thread, which may still be behind the process's exit.
      Poll.until(Duration.ofSeconds(5), "the node logs that it stopped", () -> node.logged("Stopped"));
    }
  }

  @Test
  @DisplayName("a bad configuration value stops start-up with one line naming the variable")
  void badConfiguration() {
    Map<String, String> env = new HashMap<>(server.env());
    env.put("ATRIUM_ACCESS_TTL", "forever");
    ServerProcess.Exit exit = ServerProcess.runToExit(env, Duration.ofSeconds(30));
    assertEquals(2, exit.code(), exit.output());
    List<String> lines = exit.output().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), exit.output());
    assertTrue(lines.get(0).contains("ATRIUM_ACCESS_TTL"), lines.get(0));
  }

  @Test
  @DisplayName("a port already in use fails start-up promptly with exit code 1")
  void portInUse() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Map<String, String> env = new HashMap<>(server.env());
      env.put("ATRIUM_HTTP_PORT", Integer.toString(taken.getLocalPort()));
      env.put("ATRIUM_HTTP_HOST", "127.0.0.1");
      ServerProcess.Exit exit = ServerProcess.runToExit(env, Duration.ofSeconds(30));
      assertEquals(1, exit.code(), exit.output());
      assertTrue(exit.output().contains("Address already in use"), exit.output());
    }
  }

  private static void sendTerm(long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start();
    assertEquals(0, kill.waitFor());
  }

  private static String readHead(InputStream in) throws Exception {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      sb.append((char) c);
      if (sb.indexOf("\r\n\r\n") >= 0) {
        break;
      }
    }
    return sb.toString();
  }
}
