package dev.atrium.files;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
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

  public void update(Buffer chunk) {
    // the digest reads the chunk's own memory: no per-chunk copy of the upload
    var nio = ((BufferInternal) chunk).getByteBuf().nioBuffer();
    if (jdk != null) {
      jdk.update(nio);
    } else if (nio.hasArray()) {
      resumable.update(nio.array(), nio.arrayOffset() + nio.position(), nio.remaining());
    } else {
      byte[] copy = new byte[nio.remaining()];
      nio.get(copy);
      resumable.update(copy, 0, copy.length);
    }
    if (headLength < head.length) {
      int n = Math.min(chunk.length(), head.length - headLength);
      chunk.getBytes(0, n, head, headLength);
      headLength += n;
    }
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
