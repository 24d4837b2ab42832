package dev.atrium.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    Set<String> seen = new HashSet<>();
    sealing.ifPresent(s -> seen.add(s.id()));
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        DataKey k = DataKey.parse(part.trim());
        if (seen.add(k.id())) {
          keys.add(k);
        }
      }
    }
    if (!keys.isEmpty() && sealing.isEmpty()) {
      throw new IllegalArgumentException("needs ATRIUM_DATA_KEY: fallbacks only open what an earlier key sealed,"
          + " the current key seals it again");
    }
    return keys;
  }
}
