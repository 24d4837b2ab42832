package dev.atrium.secrets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.account.Totp;
import dev.atrium.config.AppConfig;
import dev.atrium.config.DataKey;
import dev.atrium.config.DataKeyRing;
import dev.atrium.support.DataKeys;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  static Optional<DataKey> key(int fill) {
    return ring(fill).sealing();
  }

  /** The keys of a node started with ATRIUM_DATA_KEY of that fill, or with none (fill 0). */
  static DataKeyRing ring(int fill) {
    return AppConfig.fromEnv(fill == 0 ? Map.of() : Map.of("ATRIUM_DATA_KEY", DataKeys.filledWith(fill))).dataKeys();
  }

  final SecretBox box = new SecretBox(ring(7));
  final String context = "user_totp:" + UUID.randomUUID();
  final byte[] secret = Totp.newSecret();

  @Test
  @DisplayName("sealed: nonce + ciphertext + tag, never the secret, a fresh nonce each time; opens back in the same context")
  void sealsAndOpens() {
    SecretBox.Stored a = box.seal(context, secret);
    SecretBox.Stored b = box.seal(context, secret);
    assertEquals(12 + secret.length + 16, a.bytes().length);
    assertEquals(key(7).orElseThrow().id(), a.keyId());
    assertFalse(Arrays.equals(a.bytes(), b.bytes()), "a random nonce per seal");
    assertFalse(contains(a.bytes(), secret), "the secret does not appear in the sealed bytes");
    assertArrayEquals(secret, box.open(context, a));
    assertArrayEquals(secret, box.open(context, b));
  }

  @Test
  @DisplayName("a sealed secret does not open in another context, with another key, or with one byte changed")
  void refusesWhatWasNotSealedSo() {
    SecretBox.Stored s = box.seal(context, secret);
    assertThrows(IllegalStateException.class, () -> box.open("user_totp:" + UUID.randomUUID(), s));
    assertThrows(IllegalStateException.class, () -> new SecretBox(ring(8)).open(context, s));
    assertThrows(IllegalStateException.class, () -> new SecretBox(ring(0)).open(context, s));
    SecretBox.Stored forgedId = new SecretBox.Stored(s.bytes(), key(8).orElseThrow().id());
    assertThrows(IllegalStateException.class, () -> new SecretBox(ring(8)).open(context, forgedId));
    byte[] changed = s.bytes().clone();
    changed[20] ^= 1;
    assertThrows(IllegalStateException.class, () -> box.open(context, new SecretBox.Stored(changed, s.keyId())));
  }

  @Test
  @DisplayName("without ATRIUM_DATA_KEY secrets are stored as they are (no key id), and such rows open with or without a key")
  void noKey() {
    SecretBox plain = new SecretBox(ring(0));
    SecretBox.Stored s = plain.seal(context, secret);
    assertNull(s.keyId());
    assertArrayEquals(secret, s.bytes());
    assertArrayEquals(secret, plain.open(context, s));
    assertArrayEquals(secret, box.open(context, s));
  }

  @Test
  @DisplayName("with a fallback key: what it sealed still opens, what is sealed now is sealed with the current key; without it, it does not open")
  void fallbackOpensOnly() {
    SecretBox.Stored old = new SecretBox(ring(8)).seal(context, secret);
    SecretBox rotated = new SecretBox(new DataKeyRing(key(7), List.of(key(8).orElseThrow())));
    assertArrayEquals(secret, rotated.open(context, old));
    assertEquals(key(7).orElseThrow().id(), rotated.seal(context, secret).keyId());
    assertEquals(List.of(key(7).orElseThrow().id(), key(8).orElseThrow().id()), rotated.openingKeyIds());
    assertThrows(IllegalStateException.class, () -> box.open(context, old));
    assertTrue(rotated.sealedWithOtherKey(1, "x").getMessage().contains("ATRIUM_DATA_KEY_FALLBACKS"));
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }
}
