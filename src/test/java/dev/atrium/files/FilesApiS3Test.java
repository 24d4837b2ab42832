package dev.atrium.files;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The files suite on S3-compatible storage: S3Proxy with signature checking on. */
class FilesApiS3Test extends FilesApiTest {
  @RegisterExtension
  static final S3Node node = new S3Node(settings());

  static Map<String, String> settings() {
    Map<String, String> env = new HashMap<>(SETTINGS);
    // the smallest parts; the suite's files (up to 1 MB) still go up with one PUT each, while
    // S3UploadTest covers uploads of several parts
    env.put("ATRIUM_S3_PART_SIZE", "5MB");
    return env;
  }

  @BeforeAll
  static void start() {
    use(node.server(), node.proxy());
  }
}
