package dev.atrium.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.atrium.support.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The TypeScript consumer (contract-tools/consumer: openapi-typescript types, openapi-fetch calls,
 * strict tsc) compiled from the contract of this tree and run with Node.js against a real node.
 * The consumer asserts every step itself; this test checks it reached the end, in order.
 */
class TypeScriptConsumerTest {
  static final Path TOOLS = Path.of("contract-tools").toAbsolutePath();
  static final List<String> STEPS = List.of("register", "login", "me", "update me", "track one event",
      "track a batch", "user stats", "upload two files", "list files", "download", "a range",
      "notifications", "admin user search");

  @RegisterExtension
  static final TestServer server = TestServer.node();

  @BeforeAll
  static void build() throws Exception {
    // .ci/run installs these before mvn verify; a bare `mvn verify` installs them here, once.
    if (!Files.exists(TOOLS.resolve("node_modules/openapi-fetch/package.json"))
        || !Files.exists(TOOLS.resolve("node_modules/.bin/tsc"))
        || !Files.exists(TOOLS.resolve("node_modules/.bin/openapi-typescript"))) {
      run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 600);
    }
    // Types from this tree's openapi.yaml; tsc --strict compiles consumer.ts and run.ts to JS.
    run(List.of("npm", "run", "--silent", "consumer:build"), Map.of(), 300);
  }

  @Test
  @DisplayName("openapi-typescript + openapi-fetch consumer: register, login, me, update me, track one and a batch, stats, files, a range, notifications, admin search")
  void consumerFlow() throws Exception {
    Result r = run(List.of("node", "build/consumer/run.js", server.baseUrl(), TestServer.ADMIN_EMAIL),
        Map.of("ATRIUM_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD), 180);
    List<String> passed = r.output().lines().filter(l -> l.startsWith("ok "))
        .map(l -> l.substring(3).split("\t", 2)[0]).toList();
    assertEquals(STEPS, passed, r.output());
    assertEquals(0, r.exit(), r.output());
  }

  record Result(int exit, String output) {}

  /** Runs a command in contract-tools; fails on a non-zero exit unless it is the consumer itself. */
  static Result run(List<String> command, Map<String, String> env, int seconds)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("atrium-ts-consumer", ".log");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(TOOLS.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + seconds + " s:\n" + Files.readString(log));
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      if (!command.get(0).equals("node")) {
        assertEquals(0, p.exitValue(), () -> command + " failed:\n" + out);
      }
      return new Result(p.exitValue(), out);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
