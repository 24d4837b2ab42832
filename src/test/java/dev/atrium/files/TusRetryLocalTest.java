package dev.atrium.files;

import dev.atrium.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TusRetryTest} on the local store. */
class TusRetryLocalTest extends TusRetryTest {
  @RegisterExtension
  static final TestServer node = TestServer.node(Map.of("ATRIUM_USER_QUOTA", "20MB"));

  @BeforeAll
  static void start() {
    server = node;
  }
}
