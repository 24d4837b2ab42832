package dev.atrium.db;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered UUIDs (RFC 9562 version 7) for rows written at high rate: new keys land at the
 * right edge of the B-tree instead of on random pages, and making one takes no lock (unlike
 * {@link UUID#randomUUID()}, which draws from a shared SecureRandom). Not for secrets.
 */
public final class Uuids {
  private Uuids() {
  }

  public static UUID timeOrdered() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (System.currentTimeMillis() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
