package dev.atrium.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in PHC string form, and verification of the Django
 * {@code pbkdf2_sha256$...} hashes that imported users bring along. CPU-heavy and blocking:
 * only the hashing worker pool calls it.
 */
public final class PasswordHashing {
  /** OWASP's recommended Argon2id settings: 19 MiB, 2 passes, 1 lane. */
  public static final int MEMORY_KIB = 19 * 1024;
  public static final int ITERATIONS = 2;
  public static final int PARALLELISM = 1;
  /**
   * The most expensive hash accepted from an import or an administrator, and verified at login:
   * a hash above it is refused (400) where it is given, because one anonymous login against it
   * would occupy a hashing worker for seconds or claim gigabytes.
   */
  public static final int MAX_PBKDF2_ITERATIONS = 1_000_000;
  public static final int MAX_ARGON2_MEMORY_KIB = 64 * 1024;
  public static final int MAX_ARGON2_ITERATIONS = 10;
  public static final int MAX_ARGON2_PARALLELISM = 16;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final SecureRandom random = new SecureRandom();

  public record Verification(boolean valid, boolean needsRehash) {
  }

  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] out = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM
        + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
  }

  public Verification verify(String password, String encoded) {
    if (encoded == null) {
      return new Verification(false, false);
    }
    if (encoded.startsWith("$argon2id$")) {
      try {
        return verifyArgon2(password, encoded);
      } catch (IllegalArgumentException malformed) {
        return new Verification(false, false);
      }
    }
    if (encoded.startsWith("pbkdf2_sha256$")) {
      return new Verification(verifyDjangoPbkdf2(password, encoded), true);
    }
    return new Verification(false, false);
  }

  /** True when the text is a hash this class can verify (used to accept pre-hashed imports). */
  public static boolean isSupportedHash(String encoded) {
    return encoded != null && (encoded.matches("\\$argon2id\\$v=19\\$m=\\d+,t=\\d+,p=\\d+\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+")
        || encoded.matches("pbkdf2_sha256\\$\\d+\\$[^$]+\\$[A-Za-z0-9+/=]+"));
  }

  /** Why a supported hash costs more than the ceiling, or null when it does not. */
  public static String tooCostly(String encoded) {
    if (encoded.startsWith("pbkdf2_sha256$")) {
      long iterations = number(encoded.split("\\$", 3)[1]);
      return iterations > MAX_PBKDF2_ITERATIONS
          ? "has " + iterations + " PBKDF2 iterations; at most " + MAX_PBKDF2_ITERATIONS + " are accepted" : null;
    }
    long m = 0;
    long t = 0;
    long p = 0;
    for (String kv : encoded.split("\\$")[3].split(",")) {
      long v = number(kv.substring(2));
      switch (kv.charAt(0)) {
        case 'm' -> m = v;
        case 't' -> t = v;
        default -> p = v;
      }
    }
    if (m > MAX_ARGON2_MEMORY_KIB || t > MAX_ARGON2_ITERATIONS || p > MAX_ARGON2_PARALLELISM) {
      return "costs m=" + m + ",t=" + t + ",p=" + p + "; at most m=" + MAX_ARGON2_MEMORY_KIB + " (64 MiB),t="
          + MAX_ARGON2_ITERATIONS + ",p=" + MAX_ARGON2_PARALLELISM + " are accepted";
    }
    return null;
  }

  /** The digits' value, or Long.MAX_VALUE when there are too many of them for a long. */
  private static long number(String digits) {
    return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
  }

  private Verification verifyArgon2(String password, String encoded) {
    String[] parts = encoded.split("\\$");
    // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash]
    if (parts.length != 6 || !"v=19".equals(parts[2])) {
      return new Verification(false, false);
    }
    int m = 0;
    int t = 0;
    int p = 0;
    for (String kv : parts[3].split(",")) {
      String[] pair = kv.split("=", 2);
      if (pair.length != 2) {
        return new Verification(false, false);
      }
      int v = Integer.parseInt(pair[1]);
      switch (pair[0]) {
        case "m" -> m = v;
        case "t" -> t = v;
        case "p" -> p = v;
        default -> {
          return new Verification(false, false);
        }
      }
    }
    // Refuse parameters no sane hash uses: an imported hash must not make the server burn
    // gigabytes or minutes on one login.
    if (m < 1024 || m > MAX_ARGON2_MEMORY_KIB || t < 1 || t > MAX_ARGON2_ITERATIONS || p < 1
        || p > MAX_ARGON2_PARALLELISM) {
      return new Verification(false, false);
    }
    byte[] salt = B64D.decode(parts[4]);
    byte[] expected = B64D.decode(parts[5]);
    byte[] actual = argon2(password, salt, m, t, p, expected.length);
    boolean valid = MessageDigest.isEqual(expected, actual);
    boolean weaker = m < MEMORY_KIB || t < ITERATIONS;
    return new Verification(valid, valid && weaker);
  }

  private static boolean verifyDjangoPbkdf2(String password, String encoded) {
    String[] parts = encoded.split("\\$", 4);
    if (parts.length != 4) {
      return false;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
        return false;
      }
      byte[] expected = B64D.decode(parts[3]);
      PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), parts[2].getBytes(StandardCharsets.UTF_8),
          iterations, expected.length * 8);
      byte[] actual = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return MessageDigest.isEqual(expected, actual);
    } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(params);
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
