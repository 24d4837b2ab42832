package dev.atrium.files;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TusRetryTest} on S3 (S3Proxy): the retry finds the multipart upload already completed. */
class TusRetryS3Test extends TusRetryTest {
  @RegisterExtension
  static final S3Node node = new S3Node(Map.of("ATRIUM_USER_QUOTA", "20MB"));

  @BeforeAll
  static void start() {
    server = node.server();
  }
}
