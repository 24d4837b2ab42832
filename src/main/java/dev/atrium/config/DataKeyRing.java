package dev.atrium.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The data keys of a node: ATRIUM_DATA_KEY, which seals, and ATRIUM_DATA_KEY_FALLBACKS, earlier
 * keys that only open (as Django's SECRET_KEY_FALLBACKS), so the key can be rotated: a node
 * started with a new key and the old one as a fallback re-seals what the old one sealed.
 */
public record DataKeyRing(Optional<DataKey> sealing, List<DataKey> fallbacks) {
  public DataKeyRing {
    fallbacks = List.copyOf(fallbacks);
  }

  /**
   * Comma-separated keys, each 32 bytes of base64; a fallback equal to the sealing key is dropped.
   * Fallbacks need a sealing key: they never seal, so without one the secrets they open would be
   * written back in clear.
   */
  static List<DataKey> parseFallbacks(String text, Optional<DataKey> sealing) {
    List<DataKey> keys = new ArrayList<>();
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      DataKey k = DataKey.parse(part.trim());
      if (sealing.map(s -> !s.id().equals(k.id())).orElse(true) && keys.stream().noneMatch(o -> o.id().equals(k.id()))) {
        keys.add(k);
      }
    }
    if (!keys.isEmpty() && sealing.isEmpty()) {
      throw new IllegalArgumentException("needs ATRIUM_DATA_KEY: fallbacks only open what an earlier key sealed,"
          + " the current key seals it again");
    }
    return keys;
  }
}
