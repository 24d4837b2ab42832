package dev.atrium.files;

import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The SHA-256 of an upload and its first bytes (for content sniffing), fed chunk by chunk. The
 * JDK's digest (hardware-accelerated) serves single-request uploads; a resumable upload uses
 * BouncyCastle's, whose state can be saved and restored ({@link #state()}), so an upload
 * continued on another node still yields the hash of the whole file.
 */
public final class UploadDigest {
  private final MessageDigest jdk;
  private final SHA256Digest resumable;
  private final byte[] head = new byte[ContentSniffer.HEAD];
  private int headLength;
  private byte[] scratch = new byte[0];

  public UploadDigest() {
    try {
      this.jdk = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    this.resumable = null;
  }

  /** A resumable digest, continuing from a saved state (empty: a new one). */
  public UploadDigest(byte[] state) {
    this.jdk = null;
    this.resumable = state == null || state.length == 0 ? new SHA256Digest() : new SHA256Digest(state);
  }

  /**
   * Feeds a chunk and returns its bytes (in a scratch array, good until the next call) so that a
   * caller hashing the same chunk again need not copy it again. Vert.x's public Buffer API gives
   * no view of a buffer's memory, so each chunk is copied once; the array is reused, sized to
   * the largest chunk so far (bounded by the server's chunk size), so the copy allocates nothing
   * in steady state and costs a memcpy, small beside SHA-256 itself.
   */
  public byte[] update(Buffer chunk) {
    int length = chunk.length();
    if (scratch.length < length) {
      scratch = new byte[length];
    }
    chunk.getBytes(0, length, scratch, 0);
    if (jdk != null) {
      jdk.update(scratch, 0, length);
    } else {
      resumable.update(scratch, 0, length);
    }
    if (headLength < head.length) {
      int n = Math.min(length, head.length - headLength);
      System.arraycopy(scratch, 0, head, headLength, n);
      headLength += n;
    }
    return scratch;
  }

  public byte[] state() {
    return resumable.getEncodedState();
  }

  public byte[] digest() {
    if (jdk != null) {
      return jdk.digest();
    }
    byte[] out = new byte[32];
    resumable.doFinal(out, 0);
    return out;
  }

  public String hex() {
    return HexFormat.of().formatHex(digest());
  }

  public byte[] head() {
    return head;
  }

  public int headLength() {
    return headLength;
  }
}
