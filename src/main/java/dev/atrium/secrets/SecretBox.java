package dev.atrium.secrets;

import dev.atrium.config.DataKey;
import dev.atrium.config.DataKeyRing;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals the secrets stored in PostgreSQL (TOTP secrets, signing keys) with AES-256-GCM under
 * ATRIUM_DATA_KEY: a random 96-bit nonce, then the ciphertext and its 128-bit tag. The secret's
 * context (whose it is: {@code user_totp:<user id>}, {@code signing_key:<purpose>:<kid>}) is
 * authenticated with it, so a sealed secret copied to another row does not open. Without a key
 * secrets are stored as they are ({@code keyId} null), as before the key existed. Secrets sealed
 * with a fallback key (ATRIUM_DATA_KEY_FALLBACKS) still open; start-up seals them again under
 * the current key.
 */
public final class SecretBox {
  private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Optional<DataKey> key;
  /** Every key that opens, by id: the sealing key and the fallbacks. */
  private final Map<String, DataKey> openers = new LinkedHashMap<>();

  public SecretBox(DataKeyRing keys) {
    this.key = keys.sealing();
    key.ifPresent(k -> openers.put(k.id(), k));
    keys.fallbacks().forEach(k -> openers.put(k.id(), k));
  }

  /** A secret as stored: the bytes and the id of the key that sealed them (null: not sealed). */
  public record Stored(byte[] bytes, String keyId) {
  }

  /** The id of the key new secrets are sealed with; empty without a key. */
  public Optional<String> keyId() {
    return key.map(DataKey::id);
  }

  /** The ids of every key that opens (the sealing key first); a row sealed with another does not open. */
  public List<String> openingKeyIds() {
    return List.copyOf(openers.keySet());
  }

  /**
   * The start-up step of every table of sealed secrets. Refuses to start when {@code foreign}
   * counts rows sealed with a data key this node lacks (or with one, while none is set): it could
   * not open them. Otherwise runs {@code reseal}, which seals again under the current key the
   * rows in clear or under a fallback, and logs how many it sealed.
   */
  public Future<Void> takeOver(String what, Supplier<Future<Long>> foreign, Supplier<Future<Long>> reseal) {
    return foreign.get()
        .compose(n -> n > 0 ? Future.<Long>failedFuture(sealedWithOtherKey(n, what)) : reseal.get())
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("Sealed {} {} under ATRIUM_DATA_KEY {} (stored in clear or under a fallback key)", n, what,
                keyId().orElseThrow());
          }
        })
        .mapEmpty();
  }

  /** Why a node refuses to start: {@code count} stored {@code what} are sealed with a data key it lacks. */
  IllegalStateException sealedWithOtherKey(long count, String what) {
    return new IllegalStateException(count + " " + what + " are sealed with another data key than ATRIUM_DATA_KEY "
        + keyId().orElse("(unset)") + (openers.size() > 1 ? " and ATRIUM_DATA_KEY_FALLBACKS" : "")
        + ": start with the key that sealed them (when rotating, give it in ATRIUM_DATA_KEY_FALLBACKS)");
  }

  public Stored seal(String context, byte[] secret) {
    if (key.isEmpty()) {
      return new Stored(secret, null);
    }
    return new Stored(sealWith(key.get().aes(), context, secret), key.get().id());
  }

  /**
   * Seals {@code secret} under {@code key} (AES-256-GCM): a random nonce, then the ciphertext and
   * its tag, with {@code context} authenticated alongside.
   */
  public static byte[] sealWith(SecretKeySpec key, String context, byte[] secret) {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    byte[] sealed = cipher(key, Cipher.ENCRYPT_MODE, context, nonce).doFinalSafely(secret);
    byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
    System.arraycopy(sealed, 0, out, NONCE, sealed.length);
    return out;
  }

  /**
   * Opens what {@link #sealWith} sealed. An IllegalStateException when the key, the context or
   * the bytes differ from the sealing ones.
   */
  public static byte[] openWith(SecretKeySpec key, String context, byte[] sealed) {
    if (sealed.length < NONCE) {
      throw new IllegalStateException("a sealed secret does not open: too short");
    }
    return cipher(key, Cipher.DECRYPT_MODE, context, Arrays.copyOf(sealed, NONCE))
        .doFinalSafely(Arrays.copyOfRange(sealed, NONCE, sealed.length));
  }

  /**
   * The secret back, with the key that sealed it (the current one or a fallback). Fails for a row
   * sealed under a key this node does not have, or tampered with (start-up refuses keys that do
   * not match the stored rows, so this is not an everyday failure).
   */
  public byte[] open(String context, Stored stored) {
    if (stored.keyId() == null) {
      return stored.bytes();
    }
    DataKey opener = openers.get(stored.keyId());
    if (opener == null) {
      throw new IllegalStateException("a secret of " + context + " is sealed with data key " + stored.keyId()
          + ", not with ATRIUM_DATA_KEY " + keyId().orElse("(unset)") + " or a fallback");
    }
    return openWith(opener.aes(), context, stored.bytes());
  }

  private static Op cipher(SecretKeySpec with, int mode, String context, byte[] nonce) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, with, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return new Op(c);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** One initialised cipher; a failed tag check (another context, changed bytes) is an IllegalStateException. */
  private record Op(Cipher cipher) {
    byte[] doFinalSafely(byte[] input) {
      try {
        return cipher.doFinal(input);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("a sealed secret does not open: " + e.getClass().getSimpleName());
      }
    }
  }
}
