package dev.atrium.files;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Parses tus {@code Upload-Metadata}: comma-separated {@code key base64value} pairs (the value may be absent). */
final class TusMetadata {
  private TusMetadata() {
  }

  /**
   * The decoded pairs; null when the header is malformed. A key given twice is malformed too
   * (tus: keys MUST be unique): which copy names the file would depend on who reads it.
   */
  static Map<String, String> parse(String header) {
    Map<String, String> out = new HashMap<>();
    if (header == null || header.isBlank()) {
      return out;
    }
    if (header.length() > 4096) {
      return null;
    }
    for (String pair : header.split(",")) {
      String[] kv = pair.trim().split(" ");
      if (kv.length == 0 || kv.length > 2 || kv[0].isEmpty()) {
        return null;
      }
      if (out.containsKey(kv[0])) {
        return null;
      }
      try {
        out.put(kv[0], kv.length == 1 ? "" : new String(Base64.getDecoder().decode(kv[1]), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    return out;
  }
}
