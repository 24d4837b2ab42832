package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Interoperability with the reference JavaScript client, tus-js-client (from npm), run with Node.js. */
class TusJsClientTest {
  static final String VERSION = "4.3.1";
  static final Path MODULES = Path.of("target", "tus-js");
  @RegisterExtension
  static final TestServer server = TestServer.node();

  @BeforeAll
  static void install() throws Exception {
    if (!Files.exists(MODULES.resolve("node_modules/tus-js-client/package.json"))) {
      Files.createDirectories(MODULES);
      run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", MODULES.toString(),
          "tus-js-client@" + VERSION), 300);
    }
  }

  static String run(List<String> command, int seconds) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TUS_MODULES", MODULES.toAbsolutePath().resolve("node_modules").toString());
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " timed out");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), () -> command + ":\n" + text);
    return text;
  }

  @Test
  @DisplayName("tus-js-client uploads 5 MB in 1 MB PATCHes, is stopped half-way and resumes from the server's offset")
  void uploadAndResume() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "tusjs");
    byte[] data = new byte[5 * 1024 * 1024 + 123];
    new Random(3).nextBytes(data);
    Path file = Files.createTempFile("tus-js", ".bin");
    try {
      Files.write(file, data);
      String out = run(List.of("node", Path.of("src/test/js/tus-upload.mjs").toString(),
          server.baseUrl() + "/api/files/tus", a.access(), file.toString()), 120);
      String last = out.lines().reduce((x, y) -> y).orElse("");
      JsonObject result = new JsonObject(last);
      assertTrue(result.getLong("resumedAt") > 0, "the second client continued from the stored offset: " + last);
      String url = result.getString("url");
      String id = url.substring(url.lastIndexOf('/') + 1);
      JsonObject f = a.http(server).get("/api/files/" + id).json();
      assertEquals(Tus.hex(data), f.getString("sha256"));
      assertEquals("from-tus-js.bin", f.getString("filename"));
      assertEquals(data.length, f.getLong("size"));
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
