package dev.atrium.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.DataKeys;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Signing keys sealed at rest under ATRIUM_DATA_KEY, like the TOTP secrets: PostgreSQL holds no
 * usable key, tokens are still signed and verified, keys stored in clear before the key was set
 * are sealed at start-up, and a node with another key (or none) refuses to start.
 */
class SigningKeySealingTest {
  static final String KEY = DataKeys.filledWith(42);
  static final String KEY_ID = DataKeys.id(KEY);
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DATA_KEY", KEY));

  private static String kidOf(String jwt) {
    String header = new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8);
    return new JsonObject(header).getString("kid");
  }

  private static void assertSignsAndVerifies(String expectedKid) {
    Accounts.Login a = Accounts.registerAndLogin(server, "sealed-keys");
    if (expectedKid != null) {
      assertEquals(expectedKid, kidOf(a.access()), "signed with the key stored before");
    }
    Http.Res me = a.http(server).get("/api/auth/me");
    assertEquals(200, me.status(), me::toString);
  }

  @Test
  @DisplayName("with ATRIUM_DATA_KEY every stored token and link key is sealed, and tokens are signed and verified")
  void storedSealed() {
    assertSignsAndVerifies(null);
    List<Map<String, Object>> rows = server.sql("SELECT kid, purpose, material, sealed_with FROM signing_keys");
    assertTrue(rows.stream().anyMatch(r -> r.get("purpose").equals("token")), rows::toString);
    assertTrue(rows.stream().anyMatch(r -> r.get("purpose").equals("link")), rows::toString);
    for (Map<String, Object> r : rows) {
      assertEquals(KEY_ID, r.get("sealed_with"), r::toString);
      String material = (String) r.get("material");
      assertFalse(material.contains("PRIVATE KEY"), "no PEM in the table");
      // nonce (12) + ciphertext + tag (16): longer than the 32-byte link key itself
      assertTrue(Base64.getDecoder().decode(material).length > 12 + 16, material);
    }
  }

  @Test
  @DisplayName("a key stored in clear before ATRIUM_DATA_KEY was set is sealed at start-up and still signs")
  void sealsClearKeysAtStart() throws Exception {
    String pem = JwtKeys.generatePem();
    String kid = JwtKeys.fromPem(pem).keyId();
    // as a node without the key stored it: the newest active token key, so the one that signs
    server.sql("INSERT INTO signing_keys (kid, purpose, material, activates_at) VALUES (?, 'token', ?, now())"
        + " RETURNING kid", kid, pem);
    server.restart();
    Map<String, Object> row = server.sql("SELECT material, sealed_with FROM signing_keys WHERE kid = ?", kid).get(0);
    assertEquals(KEY_ID, row.get("sealed_with"));
    assertFalse(((String) row.get("material")).contains("PRIVATE KEY"));
    assertSignsAndVerifies(kid);
    assertTrue(server.sql("SELECT kid FROM signing_keys WHERE sealed_with IS NULL").isEmpty());
  }

  @Test
  @DisplayName("a node with another ATRIUM_DATA_KEY, or with none, refuses to start on the sealed keys")
  void otherKeyRefused() {
    IllegalStateException other = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", DataKeys.filledWith(43))));
    assertTrue(other.getMessage().contains("signing key(s) are sealed with another data key"), other.getMessage());
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", "")));
    assertTrue(none.getMessage().contains("(unset)"), none.getMessage());
  }
}
