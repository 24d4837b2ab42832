package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The files suite on the local file system (the default backend). */
class FilesApiLocalTest extends FilesApiTest {
  @RegisterExtension
  static final TestServer node = TestServer.node(SETTINGS);

  @BeforeAll
  static void start() {
    use(node, null);
  }

  /** Every download test of the suite then runs with its socket corked (TcpCork). */
  @Test
  @DisplayName("the node runs on Netty's epoll transport, so downloads from the disk go out corked")
  void runsOnEpoll() {
    assertTrue(node.application().vertx().isNativeTransportEnabled(),
        () -> "epoll transport unavailable: " + node.application().vertx().unavailableNativeTransportCause());
  }
}
