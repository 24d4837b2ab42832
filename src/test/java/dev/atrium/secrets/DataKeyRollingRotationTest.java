package dev.atrium.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Authenticator;
import dev.atrium.support.DataKeys;
import dev.atrium.support.TestServer;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's rolling rotation of ATRIUM_DATA_KEY on several nodes: at no step does a node
 * meet a secret it cannot open, and a node that drops the fallback too early refuses to start
 * instead of locking anybody out.
 */
class DataKeyRollingRotationTest {
  static final String OLD = DataKeys.filledWith(42);
  static final String NEW = DataKeys.filledWith(43);
  /** Step 1: the old key seals, the new one already opens. */
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DATA_KEY", OLD, "ATRIUM_DATA_KEY_FALLBACKS", NEW));

  private static Map<String, String> step2() {
    return Map.of("ATRIUM_DATA_KEY", NEW, "ATRIUM_DATA_KEY_FALLBACKS", OLD);
  }

  @Test
  @DisplayName("step 1 on every node, step 2 node by node, step 3: both keys open wherever needed, and dropping the fallback too early is refused")
  void rollingRotation() {
    Accounts.Login early = Accounts.registerAndLogin(server, "early");
    byte[] earlySecret = Authenticator.turnOn(server, early);
    assertEquals(Set.of(DataKeys.id(OLD)), DataKeys.sealedWith(server));

    // step 2 on a second node: it seals everything again under the new key...
    TestServer second = server.join(step2());
    assertEquals(Set.of(DataKeys.id(NEW)), DataKeys.sealedWith(server));
    // ...and the first node, still on step 1, opens what it sealed: a second factor and tokens
    Authenticator.signIn(server, early, earlySecret);
    assertEquals(200, early.http(server).get("/api/auth/me").status());
    // while the first node seals with the old key, which the second opens
    Accounts.Login late = Accounts.registerAndLogin(server, "late");
    byte[] lateSecret = Authenticator.turnOn(server, late);
    assertTrue(DataKeys.sealedWith(server).contains(DataKeys.id(OLD)), DataKeys.sealedWith(server).toString());
    Authenticator.signIn(second, late, lateSecret);

    // step 3 while the old key still sealed a row: refused, nothing changed
    server.stopNode();
    IllegalStateException early3 = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", NEW, "ATRIUM_DATA_KEY_FALLBACKS", "")));
    assertTrue(early3.getMessage().contains(": 1 TOTP secret(s) are sealed with another data key"), early3.getMessage());
    // once more as in step 2, then step 3 holds
    second.stopNode();
    server.join(step2()).stopNode();
    assertEquals(Set.of(DataKeys.id(NEW)), DataKeys.sealedWith(server));
    TestServer done = server.join(Map.of("ATRIUM_DATA_KEY", NEW, "ATRIUM_DATA_KEY_FALLBACKS", ""));
    assertEquals(200, late.http(done).get("/api/auth/me").status());
  }
}
