package dev.atrium.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Authenticator;
import dev.atrium.support.DataKeys;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rotating ATRIUM_DATA_KEY: a node started with the new key and the old one in
 * ATRIUM_DATA_KEY_FALLBACKS seals every TOTP secret and signing key again under the new key, and
 * nobody notices: tokens signed before still verify, second factors still check. After it, the
 * old key is needed no more, and alone it opens nothing.
 */
class DataKeyRotationTest {
  static final String OLD = DataKeys.filledWith(42);
  static final String NEW = DataKeys.filledWith(43);
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DATA_KEY", OLD));

  @Test
  @DisplayName("a new ATRIUM_DATA_KEY with the old one as a fallback seals everything again; tokens and TOTP keep working; then the new key alone suffices")
  void rotates() {
    Accounts.Login a = Accounts.registerAndLogin(server, "rotate");
    byte[] secret = Authenticator.turnOn(server, a);
    assertEquals(Set.of(DataKeys.id(OLD)), DataKeys.sealedWith(server));

    IllegalStateException withoutOld = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", NEW)));
    assertTrue(withoutOld.getMessage().contains("ATRIUM_DATA_KEY_FALLBACKS"), withoutOld.getMessage());
    assertEquals(Set.of(DataKeys.id(OLD)), DataKeys.sealedWith(server), "a refused node changes nothing");

    server.stopNode();
    TestServer rotated = server.join(Map.of("ATRIUM_DATA_KEY", NEW, "ATRIUM_DATA_KEY_FALLBACKS", OLD));
    assertEquals(Set.of(DataKeys.id(NEW)), DataKeys.sealedWith(server));
    Http.Res me = a.http(rotated).get("/api/auth/me");
    assertEquals(200, me.status(), "a token signed before the rotation: " + me);
    Authenticator.signIn(rotated, a, secret);
    rotated.stopNode();

    TestServer newOnly = server.join(Map.of("ATRIUM_DATA_KEY", NEW));
    assertEquals(200, a.http(newOnly).get("/api/auth/me").status());
    assertThrows(IllegalStateException.class, () -> server.join(Map.of("ATRIUM_DATA_KEY", OLD)),
        "the old key alone opens nothing any more");
  }
}
