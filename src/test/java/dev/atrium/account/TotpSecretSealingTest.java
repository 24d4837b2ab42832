package dev.atrium.account;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.support.Accounts;
import dev.atrium.support.DataKeys;
import dev.atrium.support.Http;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
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

  /** RFC 4648 Base32 without padding, as the enrolment answer gives the secret. */
  static byte[] base32(String text) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int buffer = 0;
    int bits = 0;
    for (char c : text.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return out.toByteArray();
  }

  static String code(byte[] secret, int stepsFromNow) {
    return Totp.code(secret, Totp.step(System.currentTimeMillis() / 1000) + stepsFromNow);
  }

  private static Map<String, Object> row(String userId) {
    return server.sql("SELECT secret, secret_key_id FROM user_totp WHERE user_id = ?::uuid", userId).get(0);
  }

  /** Enrols and confirms; answers the secret the authenticator app was given. */
  private static byte[] turnOn(Accounts.Login a) {
    Http.Res enrolled = a.http(server).post("/api/auth/mfa/totp/enroll", null);
    assertEquals(200, enrolled.status(), enrolled::toString);
    byte[] secret = base32(enrolled.json().getString("secret"));
    assertEquals(20, secret.length);
    Http.Res confirmed = a.http(server).post("/api/auth/mfa/totp/confirm", new JsonObject().put("code", code(secret, 0)));
    assertEquals(200, confirmed.status(), confirmed::toString);
    return secret;
  }

  /** Password, then the TOTP code of the next step (the current one was used to confirm). */
  private static void signInWithCode(Accounts.Login a, byte[] secret) {
    Http.Res held = server.http().post("/api/auth/login", new JsonObject().put("email", a.email())
        .put("password", Accounts.PASSWORD));
    assertEquals(401, held.status(), held::toString);
    assertEquals("mfa_required", held.code());
    Http.Res in = server.http().post("/api/auth/login/mfa", new JsonObject()
        .put("mfa_token", held.json().getString("mfa_token")).put("code", code(secret, 1)));
    assertEquals(200, in.status(), in::toString);
    assertTrue(in.json().getString("access").length() > 20);
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
    byte[] secret = turnOn(a);
    assertSealed(a.userId(), secret);
    signInWithCode(a, secret);
  }

  @Test
  @DisplayName("a secret stored before the key was set is sealed at start-up and keeps working")
  void sealsOldRowsAtStart() {
    Accounts.Login a = Accounts.registerAndLogin(server, "before-key");
    byte[] secret = turnOn(a);
    server.sql("UPDATE user_totp SET secret = ?, secret_key_id = NULL WHERE user_id = ?::uuid RETURNING user_id",
        secret, a.userId()); // as a node without the key stored it
    assertArrayEquals(secret, (byte[]) row(a.userId()).get("secret"));
    server.restart();
    assertSealed(a.userId(), secret);
    signInWithCode(a, secret);
  }

  @Test
  @DisplayName("a node with another ATRIUM_DATA_KEY, or with none, refuses to start on these sealed secrets")
  void otherKeyRefused() {
    turnOn(Accounts.registerAndLogin(server, "key-check"));
    IllegalStateException other = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", DataKeys.filledWith(43))));
    assertTrue(other.getMessage().contains("sealed with another data key"), other.getMessage());
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> server.join(Map.of("ATRIUM_DATA_KEY", "")));
    assertTrue(none.getMessage().contains("(unset)"), none.getMessage());
  }
}
