package dev.atrium.auth;

import dev.atrium.secrets.SecretBox;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The successor of a spent refresh token, sealed so that only the holder of the spent token can
 * read it back: a client that lost the answer to its refresh and retries gets the same successor
 * (see {@link SessionRepository#rotate}). The key is an HMAC of the spent token itself, and the
 * database holds only that token's SHA-256, so neither a dump of it nor a node's data key opens
 * the seal.
 */
final class SuccessorSeal {
  private static final String CONTEXT = "refresh_successor";
  private static final byte[] LABEL = "atrium refresh successor\0".getBytes(StandardCharsets.US_ASCII);

  private SuccessorSeal() {
  }

  static byte[] seal(String spent, String successor) {
    return SecretBox.sealWith(keyOf(spent), CONTEXT, successor.getBytes(StandardCharsets.US_ASCII));
  }

  /** The successor; empty when the seal does not open with {@code spent} (another token, changed bytes). */
  static Optional<String> open(String spent, byte[] sealed) {
    try {
      return Optional.of(new String(SecretBox.openWith(keyOf(spent), CONTEXT, sealed), StandardCharsets.US_ASCII));
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }

  private static SecretKeySpec keyOf(String spent) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(spent.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return new SecretKeySpec(mac.doFinal(LABEL), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }
}
