package dev.atrium.files;

import dev.atrium.support.TestServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TusRetryTest} on S3 (S3Proxy): the retry finds the multipart upload already completed. */
class TusRetryS3Test extends TusRetryTest {
  @RegisterExtension
  @Order(1)
  static final S3Proxy proxy = new S3Proxy();
  @RegisterExtension
  @Order(2)
  static final TestServer node = TestServer.node(settings());

  static Map<String, String> settings() {
    Map<String, String> env = new HashMap<>(proxy.env());
    env.put("ATRIUM_USER_QUOTA", "20MB");
    return env;
  }

  @BeforeAll
  static void start() {
    server = node;
  }
}
