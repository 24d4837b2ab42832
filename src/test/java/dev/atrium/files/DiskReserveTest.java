package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DiskReserveTest {
  /** No disk has this much free space: every upload finds the disk "nearly full". */
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DISK_RESERVE", "1000000TB"));

  @Test
  @DisplayName("with less free disk than ATRIUM_DISK_RESERVE, uploads are refused with 507 insufficient_storage")
  void diskReserve() {
    Accounts.Login a = Accounts.registerAndLogin(server, "full");
    Http.Res r = FilesApiTestSupport.upload(server, a.access(), new byte[100]);
    assertEquals(507, r.status(), r::toString);
    assertEquals("insufficient_storage", r.code());
    assertTrue(r.header("Retry-After").isPresent());
    assertTrue(server.sql("SELECT 1 FROM file_reservations").isEmpty());
    assertTrue(server.sql("SELECT 1 FROM files").isEmpty());
  }
}
