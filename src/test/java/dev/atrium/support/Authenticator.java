package dev.atrium.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.account.Totp;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;

/** A test's authenticator app: turns TOTP on for an account over HTTP and gives its codes. */
public final class Authenticator {
  private Authenticator() {
  }

  /** RFC 4648 Base32 without padding, as the enrolment answer gives the secret. */
  public static byte[] base32(String text) {
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

  public static String code(byte[] secret, int stepsFromNow) {
    return Totp.code(secret, Totp.step(System.currentTimeMillis() / 1000) + stepsFromNow);
  }

  /** Enrols and confirms (with the current step's code); answers the secret the app was given. */
  public static byte[] turnOn(TestServer server, Accounts.Login a) {
    Http.Res enrolled = a.http(server).post("/api/auth/mfa/totp/enroll", null);
    assertEquals(200, enrolled.status(), enrolled::toString);
    byte[] secret = base32(enrolled.json().getString("secret"));
    assertEquals(20, secret.length);
    Http.Res confirmed = a.http(server).post("/api/auth/mfa/totp/confirm", new JsonObject().put("code", code(secret, 0)));
    assertEquals(200, confirmed.status(), confirmed::toString);
    return secret;
  }

  /** Password, then the code of the next step (the current one was used to confirm). */
  public static void signIn(TestServer server, Accounts.Login a, byte[] secret) {
    Http.Res held = server.http().post("/api/auth/login", new JsonObject().put("email", a.email())
        .put("password", Accounts.PASSWORD));
    assertEquals(401, held.status(), held::toString);
    assertEquals("mfa_required", held.code());
    Http.Res in = server.http().post("/api/auth/login/mfa", new JsonObject()
        .put("mfa_token", held.json().getString("mfa_token")).put("code", code(secret, 1)));
    assertEquals(200, in.status(), in::toString);
    assertTrue(in.json().getString("access").length() > 20);
  }
}
