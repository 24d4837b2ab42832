package dev.atrium.files;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Expiring links that work without an Authorization header ({@code <img src>}, a plain link):
 * {@code ?expires=<epoch seconds>&sig=<HMAC-SHA256(kind:id:expires)>}. The keys live in
 * PostgreSQL ({@code dev.atrium.keys.SigningKeys}), so a link signed by one node verifies on all of
 * them; links are signed with the current key and checked against every key not yet retired, so
 * a rotation does not break links handed out just before it.
 */
public final class SignedLinks {
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

  private final Supplier<List<byte[]>> keys;
  private final Duration ttl;
  private final Clock clock;

  /** {@code keys}: the signing key first, then the older ones that still verify. */
  public SignedLinks(Supplier<List<byte[]>> keys, Duration ttl, Clock clock) {
    this.keys = keys;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** {@code ?expires=...&sig=...} for a link valid for the configured time from now. */
  public String query(Kind kind, String fileId) {
    long expires = clock.instant().plus(ttl).getEpochSecond();
    return "?expires=" + expires + "&sig=" + sign(kind, fileId, expires);
  }

  public String sign(Kind kind, String fileId, long expires) {
    return sign(keys.get().get(0), kind, fileId, expires);
  }

  static String sign(byte[] key, Kind kind, String fileId, long expires) {
    if (key.length < 32) {
      throw new IllegalArgumentException("signing key must have at least 256 bits");
    }
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
    byte[] presented = sig.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    boolean matches = false;
    for (byte[] key : keys.get()) {
      byte[] expected = sign(key, kind, fileId, expires).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      matches |= MessageDigest.isEqual(expected, presented);
    }
    if (!matches) {
      return Check.INVALID; // checked first, so an expiry answer never confirms a forged link
    }
    return expires < clock.instant().getEpochSecond() ? Check.EXPIRED : Check.VALID;
  }
}
