package dev.atrium.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/** Random codes and tokens of the account flows, and the hashes they are stored and looked up by. */
final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789".toCharArray();

  private Secrets() {
  }

  /** Six decimal digits, uniformly drawn. */
  static String sixDigits() {
    return String.format(Locale.ROOT, "%06d", RANDOM.nextInt(1_000_000));
  }

  /** 256 random bits, URL-safe. */
  static String token() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** xxxxx-xxxxx from a 31-letter alphabet without look-alikes: about 50 bits. */
  static String recoveryCode() {
    StringBuilder b = new StringBuilder(11);
    for (int i = 0; i < 10; i++) {
      if (i == 5) {
        b.append('-');
      }
      b.append(RECOVERY_ALPHABET[RANDOM.nextInt(RECOVERY_ALPHABET.length)]);
    }
    return b.toString();
  }

  /** Recovery codes are compared without case, dashes or spaces, as people type them. */
  static String normaliseRecovery(String code) {
    return code == null ? "" : code.toLowerCase(Locale.ROOT).replaceAll("[\\s-]", "");
  }

  /**
   * The stored form of a code: SHA-256 over user, purpose and code, so that equal codes of two
   * users or two purposes never share a hash.
   */
  static byte[] hash(String... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        d.update(p.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
      }
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
