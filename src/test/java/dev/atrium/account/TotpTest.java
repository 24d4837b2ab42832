package dev.atrium.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** RFC 6238 appendix B test vectors, and the rules Atrium adds on top (window, replay). */
class TotpTest {
  private static final byte[] SHA1_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHA256_KEY = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SHA512_KEY =
      "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

  @Test
  @DisplayName("every RFC 6238 test vector (SHA-1, SHA-256, SHA-512, 8 digits) comes out right")
  void rfcVectors() {
    long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
    String[] sha1 = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
    String[] sha256 = {"46119246", "68084774", "67062674", "91819424", "90698825", "77737706"};
    String[] sha512 = {"90693936", "25091201", "99943326", "93441116", "38618901", "47863826"};
    for (int i = 0; i < times.length; i++) {
      long step = Totp.step(times[i]);
      assertEquals(sha1[i], Totp.code(SHA1_KEY, step, "HmacSHA1", 8), "SHA1 at " + times[i]);
      assertEquals(sha256[i], Totp.code(SHA256_KEY, step, "HmacSHA256", 8), "SHA256 at " + times[i]);
      assertEquals(sha512[i], Totp.code(SHA512_KEY, step, "HmacSHA512", 8), "SHA512 at " + times[i]);
    }
  }

  @Test
  @DisplayName("the 6-digit code is the last six digits of the RFC's 8-digit SHA-1 value")
  void sixDigits() {
    assertEquals("287082", Totp.code(SHA1_KEY, Totp.step(59)));
    assertEquals("005924", Totp.code(SHA1_KEY, Totp.step(1234567890)));
  }

  @Test
  @DisplayName("codes of the previous and next step match, older and newer ones do not, and a used step never again")
  void windowAndReplay() {
    long now = 1_700_000_000L;
    long step = Totp.step(now);
    assertEquals(step, Totp.match(SHA1_KEY, Totp.code(SHA1_KEY, step), now, 0));
    assertEquals(step - 1, Totp.match(SHA1_KEY, Totp.code(SHA1_KEY, step - 1), now, 0));
    assertEquals(step + 1, Totp.match(SHA1_KEY, Totp.code(SHA1_KEY, step + 1), now, 0));
    assertEquals(-1, Totp.match(SHA1_KEY, Totp.code(SHA1_KEY, step - 2), now, 0));
    assertEquals(-1, Totp.match(SHA1_KEY, Totp.code(SHA1_KEY, step + 2), now, 0));
    assertEquals(-1, Totp.match(SHA1_KEY, Totp.code(SHA1_KEY, step), now, step), "replay of an accepted step");
    assertEquals(-1, Totp.match(SHA1_KEY, Totp.code(SHA1_KEY, step - 1), now, step), "an older step after a newer one");
    assertEquals(-1, Totp.match(SHA1_KEY, "12345", now, 0));
    assertEquals(-1, Totp.match(SHA1_KEY, null, now, 0));
  }

  @Test
  @DisplayName("the otpauth URI carries the Base32 secret, issuer and parameters that apps read")
  void uri() {
    String uri = Totp.uri("Atrium", "ada@example.com", SHA1_KEY);
    assertEquals("otpauth://totp/Atrium:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Atrium"
        + "&algorithm=SHA1&digits=6&period=30", uri);
    assertTrue(QrCodes.pngDataUrl(uri).startsWith("data:image/png;base64,iVBORw0KGgo"));
  }
}
