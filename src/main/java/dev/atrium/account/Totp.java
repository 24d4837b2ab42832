package dev.atrium.account;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 6238 time-based one-time passwords (HOTP of RFC 4226 over 30-second steps). Atrium uses
 * HMAC-SHA1 and 6 digits, what every authenticator app reads from an otpauth:// URI; the
 * algorithm and digit count are parameters only so that the RFC's test vectors can be checked.
 */
public final class Totp {
  public static final int STEP_SECONDS = 30;
  /** Codes of the previous and the next step are accepted too, for clocks that drift. */
  public static final int WINDOW = 1;
  private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};
  private static final SecureRandom RANDOM = new SecureRandom();

  private Totp() {
  }

  /** A new 160-bit secret, the size RFC 4226 recommends for HMAC-SHA1. */
  public static byte[] newSecret() {
    byte[] secret = new byte[20];
    RANDOM.nextBytes(secret);
    return secret;
  }

  public static long step(long epochSeconds) {
    return Math.floorDiv(epochSeconds, STEP_SECONDS);
  }

  public static String code(byte[] secret, long step) {
    return code(secret, step, "HmacSHA1", 6);
  }

  static String code(byte[] secret, long step, String algorithm, int digits) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret, "RAW"));
      byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int offset = h[h.length - 1] & 0x0f;
      int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
          | (h[offset + 3] & 0xff);
      String s = Integer.toString(binary % POWERS[digits]);
      return "0".repeat(digits - s.length()) + s;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The step whose code matches within ±{@link #WINDOW} of {@code now} and comes after
   * {@code lastUsedStep} (a code already accepted is never accepted again), or -1.
   */
  public static long match(byte[] secret, String presented, long epochSeconds, long lastUsedStep) {
    if (presented == null || !presented.matches("\\d{6}")) {
      return -1;
    }
    long now = step(epochSeconds);
    long found = -1;
    for (long s = now - WINDOW; s <= now + WINDOW; s++) {
      // every candidate is computed and compared in constant time, so timing tells nothing
      boolean same = MessageDigest.isEqual(code(secret, s).getBytes(), presented.getBytes());
      if (same && s > lastUsedStep && found < 0) {
        found = s;
      }
    }
    return found;
  }

  /** The otpauth:// URI that authenticator apps read from the QR code (Key Uri Format). */
  public static String uri(String issuer, String account, byte[] secret) {
    String label = urlEncode(issuer) + ":" + urlEncode(account);
    return "otpauth://totp/" + label + "?secret=" + Base32.encode(secret) + "&issuer=" + urlEncode(issuer)
        + "&algorithm=SHA1&digits=6&period=" + STEP_SECONDS;
  }

  private static String urlEncode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }
}
