package dev.atrium.files;

import dev.atrium.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The files suite on the local file system (the default backend). */
class FilesApiLocalTest extends FilesApiTest {
  @RegisterExtension
  static final TestServer node = TestServer.node(SETTINGS);

  @BeforeAll
  static void start() {
    use(node, null);
  }
}
