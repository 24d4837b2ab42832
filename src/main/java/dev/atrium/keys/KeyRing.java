package dev.atrium.keys;

import java.time.Instant;
import java.util.List;

/**
 * The keys of one purpose as last read from the database, newest first: the one that signs
 * (the newest already active) and every one that still verifies.
 */
record KeyRing(List<KeyRepository.StoredKey> keys) {
  KeyRepository.StoredKey signing(Instant now) {
    for (KeyRepository.StoredKey k : keys) {
      if (!k.activatesAt().toInstant().isAfter(now)) {
        return k;
      }
    }
    return keys.get(keys.size() - 1);
  }
}
