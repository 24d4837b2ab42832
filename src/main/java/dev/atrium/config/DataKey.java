package dev.atrium.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;

/**
 * ATRIUM_DATA_KEY: 32 random bytes in base64 ({@code openssl rand -base64 32}) that seal secrets
 * Atrium must store readable, such as TOTP secrets (AES-256-GCM). {@link #id()} names the key in
 * stored rows (a hash, not the key), so a node started with another key notices. Never printed.
 */
public final class DataKey {
  private final byte[] key;
  private final String id;

  private DataKey(byte[] key) {
    this.key = key;
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update("atrium-data-key\0".getBytes(StandardCharsets.US_ASCII));
      this.id = HexFormat.of().formatHex(d.digest(key), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses base64 (standard or URL-safe); the message never echoes the value. */
  static DataKey parse(String text) {
    byte[] bytes;
    try {
      bytes = text.contains("-") || text.contains("_") ? Base64.getUrlDecoder().decode(text)
          : Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected 32 bytes in base64 (openssl rand -base64 32); not base64");
    }
    if (bytes.length != 32) {
      throw new IllegalArgumentException("expected 32 bytes in base64 (openssl rand -base64 32), got "
          + bytes.length + " bytes");
    }
    return new DataKey(bytes);
  }

  /** The AES key. */
  public SecretKeySpec aes() {
    return new SecretKeySpec(key, "AES");
  }

  /** 16 hex digits that name this key in stored rows. */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return "DataKey[" + id + "]";
  }
}
