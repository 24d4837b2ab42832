package dev.atrium.files;

import java.util.Locale;

/**
 * Parses an HTTP {@code Range} header against a representation of {@code size} bytes
 * (RFC 9110 §14). Only one byte range is served: a header naming several ranges, an unknown
 * unit or syntax that does not parse is ignored, and the whole file is sent with 200, which
 * RFC 9110 allows ("a server MAY ignore the Range header field"). A single well-formed range
 * that starts beyond the end is {@link Unsatisfiable} (416).
 */
public sealed interface RangeRequest {
  /** Serve the whole representation (no header, or one that is ignored). */
  record Full() implements RangeRequest {
  }

  /** Serve bytes {@code first..last}, both inclusive. */
  record Single(long first, long last) implements RangeRequest {
    public long length() {
      return last - first + 1;
    }

    public String contentRange(long size) {
      return "bytes " + first + "-" + last + "/" + size;
    }
  }

  /** 416 with {@code Content-Range: bytes *}{@code /size}. */
  record Unsatisfiable() implements RangeRequest {
  }

  Full FULL = new Full();
  Unsatisfiable UNSATISFIABLE = new Unsatisfiable();

  static RangeRequest parse(String header, long size) {
    if (header == null) {
      return FULL;
    }
    String h = header.trim();
    int eq = h.indexOf('=');
    if (eq < 0 || !h.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
      return FULL;
    }
    String spec = h.substring(eq + 1).trim();
    if (spec.isEmpty() || spec.indexOf(',') >= 0) {
      return FULL; // several ranges (or an empty list): served whole
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return FULL;
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    if (a.isEmpty()) {
      Long suffix = number(b);
      if (suffix == null) {
        return FULL;
      }
      if (suffix == 0 || size == 0) {
        return UNSATISFIABLE;
      }
      long n = Math.min(suffix, size);
      return new Single(size - n, size - 1);
    }
    Long first = number(a);
    if (first == null) {
      return FULL;
    }
    Long last;
    if (b.isEmpty()) {
      last = Long.MAX_VALUE;
    } else {
      last = number(b);
      if (last == null || last < first) {
        return FULL; // syntactically invalid range-spec
      }
    }
    if (first >= size) {
      return UNSATISFIABLE;
    }
    return new Single(first, Math.min(last, size - 1));
  }

  /** Digits only (no sign, no spaces inside); null when not a number that fits a long. */
  private static Long number(String s) {
    if (s.isEmpty() || s.length() > 19) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return null;
      }
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
