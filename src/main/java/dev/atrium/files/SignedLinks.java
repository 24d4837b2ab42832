package dev.atrium.files;

import dev.atrium.platform.SecretFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Expiring links that work without an Authorization header ({@code <img src>}, a plain link):
 * {@code ?expires=<epoch seconds>&sig=<HMAC-SHA256(kind:id:expires)>}. The key lives in the
 * data directory that every node mounts, so a link signed by one node verifies on all of them.
 */
public final class SignedLinks {
  public static final String KEY_FILE = "file-links.key";

  /** What a link grants. */
  public enum Kind {
    DOWNLOAD("download"), THUMBNAIL("thumbnail");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** The outcome of checking a presented link. */
  public enum Check { VALID, EXPIRED, INVALID }

  private final byte[] key;
  private final Duration ttl;
  private final Clock clock;

  public SignedLinks(byte[] key, Duration ttl, Clock clock) {
    if (key.length < 32) {
      throw new IllegalArgumentException("signing key must have at least 256 bits");
    }
    this.key = key.clone();
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Reads the key from the data directory, generating it on first start. Blocking: start-up only. */
  public static byte[] loadKey(Path dataDir) throws IOException {
    Path file = dataDir.resolve(KEY_FILE);
    String text = SecretFiles.readOrCreate(file, () -> {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      return Base64.getEncoder().encodeToString(fresh);
    });
    return Base64.getDecoder().decode(text.trim());
  }

  /** {@code ?expires=...&sig=...} for a link valid for the configured time from now. */
  public String query(Kind kind, String fileId) {
    long expires = clock.instant().plus(ttl).getEpochSecond();
    return "?expires=" + expires + "&sig=" + sign(kind, fileId, expires);
  }

  public String sign(Kind kind, String fileId, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((kind.label + ":" + fileId.toLowerCase() + ":" + expires)
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public Check check(Kind kind, String fileId, Long expires, String sig) {
    if (expires == null || sig == null || sig.isEmpty()) {
      return Check.INVALID;
    }
    byte[] expected = sign(kind, fileId, expires).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] presented = sig.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, presented)) {
      return Check.INVALID; // checked first, so an expiry answer never confirms a forged link
    }
    return expires < clock.instant().getEpochSecond() ? Check.EXPIRED : Check.VALID;
  }
}
