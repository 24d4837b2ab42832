package dev.atrium.account;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.Authenticator;
import dev.atrium.support.DataKeys;
import dev.atrium.support.TestServer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * TOTP secrets sealed at rest under ATRIUM_DATA_KEY (AES-256-GCM): what PostgreSQL holds is not
 * the secret, every TOTP step still works, rows stored before the key was set are sealed at
 * start-up, and a node with another key (or none) refuses to start rather than lock users out.
 */
class TotpSecretSealingTest {
  static final String KEY = DataKeys.filledWith(42);
  static final String KEY_ID = DataKeys.id(KEY);
  @RegisterExtension
  static final TestServer server = TestServer.node(Map.of("ATRIUM_DATA_KEY", KEY));

  private static Map<String, Object> row(String userId) {
    return server.sql("SELECT secret, secret_key_id FROM user_totp WHERE user_id = ?::uuid", userId).get(0);
  }

  private static void assertSealed(String userId, byte[] secret) {
    Map<String, Object> stored = row(userId);
    byte[] bytes = (byte[]) stored.get("secret");
    assertEquals(KEY_ID, stored.get("secret_key_id"));
    assertEquals(12 + 20 + 16, bytes.length, "nonce, ciphertext, tag");
    assertFalse(Arrays.equals(secret, Arrays.copyOfRange(bytes, 12, 32)), "the secret is not stored in clear");
  }

  @Test
  @DisplayName("with ATRIUM_DATA_KEY PostgreSQL holds the secret sealed; enrolment, confirmation and the second login step work")
  void sealedAtRest() {
    Accounts.Login a = Accounts.registerAndLogin(server, "sealed");
    byte[] secret = Authenticator.turnOn(server, a);
    assertSealed(a.userId(), secret);
    Authenticator.signIn(server, a, secret);
  }

  @Test
  @DisplayName("a secret stored before the key was set is sealed at start-up and keeps working")
  void sealsOldRowsAtStart() {
    Accounts.Login a = Accounts.registerAndLogin(server, "before-key");
    byte[] secret = Authenticator.turnOn(server, a);
    server.sql("UPDATE user_totp SET secret = ?, secret_key_id = NULL WHERE user_id = ?::uuid RETURNING user_id",
        secret, a.userId()); // as a node without the key stored it
    assertArrayEquals(secret, (byte[]) row(a.userId()).get("secret"));
    server.restart();
    assertSealed(a.userId(), secret);
    Authenticator.signIn(server, a, secret);
  }

  @Test
  @DisplayName("a node with another ATRIUM_DATA_KEY, or with none, refuses to start on these sealed secrets")
  void otherKeyRefused() {
    Authenticator.turnOn(server, Accounts.registerAndLogin(server, "key-check"));
    IllegalStateException other = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", DataKeys.filledWith(43))));
    assertTrue(other.getMessage().contains("sealed with another data key"), other.getMessage());
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", "")));
    assertTrue(none.getMessage().contains("(unset)"), none.getMessage());
  }
}
