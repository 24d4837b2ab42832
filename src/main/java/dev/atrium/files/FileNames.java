package dev.atrium.files;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * Client file names are display names only: never part of a storage path. They are cut to
 * their last path segment, stripped of control and bidi-override characters, and bounded in
 * length; {@link #contentDisposition} renders one safely for a response header (RFC 6266).
 */
public final class FileNames {
  public static final int MAX_LENGTH = 255;
  static final String FALLBACK = "file";

  private FileNames() {
  }

  public static String sanitize(String raw) {
    if (raw == null) {
      return FALLBACK;
    }
    String name = Normalizer.normalize(raw, Normalizer.Form.NFC);
    int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    if (cut >= 0) {
      name = name.substring(cut + 1);
    }
    StringBuilder out = new StringBuilder(Math.min(name.length(), MAX_LENGTH));
    name.codePoints().filter(FileNames::allowed).forEach(out::appendCodePoint);
    String clean = out.toString().strip();
    while (clean.startsWith(".")) {
      clean = clean.substring(1); // no hidden names, no "." or ".."
    }
    clean = clean.strip();
    if (clean.isEmpty()) {
      return FALLBACK;
    }
    return truncate(clean);
  }

  /** Keeps the extension when cutting an over-long name, without splitting a surrogate pair. */
  private static String truncate(String name) {
    if (name.codePointCount(0, name.length()) <= MAX_LENGTH) {
      return name;
    }
    int dot = name.lastIndexOf('.');
    String ext = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
    int keep = MAX_LENGTH - ext.codePointCount(0, ext.length());
    String base = name.substring(0, name.offsetByCodePoints(0, keep));
    return base + ext;
  }

  private static boolean allowed(int cp) {
    if (Character.isISOControl(cp)) {
      return false;
    }
    int type = Character.getType(cp);
    if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || type == Character.SURROGATE) {
      return false; // bidi overrides (U+202E "gnp.exe") and invisible characters included
    }
    return cp != '"' && cp != ':' && cp != '*' && cp != '?' && cp != '<' && cp != '>' && cp != '|';
  }

  /**
   * {@code attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded} — the plain
   * parameter for old clients, with anything outside printable ASCII replaced by '_'.
   */
  public static String contentDisposition(String disposition, String name) {
    StringBuilder ascii = new StringBuilder(name.length());
    boolean plain = true;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' && c != ';') {
        ascii.append(c);
      } else {
        ascii.append('_');
        plain = false;
      }
    }
    String header = disposition + "; filename=\"" + ascii + "\"";
    if (!plain) {
      String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
          .replace("*", "%2A").replace("%7E", "~");
      header += "; filename*=UTF-8''" + encoded;
    }
    return header;
  }
}
