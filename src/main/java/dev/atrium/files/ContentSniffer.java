package dev.atrium.files;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Decides a file's content type from its first bytes, not from what the client declared: the
 * declared type is only used to name a kind of text the bytes cannot tell apart (CSV, JSON,
 * Markdown). Markup that a browser would run (HTML, SVG, XML) is recognised so it is never
 * served inline.
 */
public final class ContentSniffer {
  /** How many leading bytes {@link #sniff} looks at. */
  public static final int HEAD = 512;

  /** Types that a browser may render inline without running script. */
  private static final Set<String> INLINE_SAFE = Set.of("image/png", "image/jpeg", "image/gif", "image/bmp",
      "image/webp", "application/pdf", "text/plain", "audio/mpeg", "audio/ogg", "audio/wav", "video/mp4",
      "video/webm");
  /** Images the thumbnail step can read. */
  private static final Set<String> THUMBNAILABLE = Set.of("image/png", "image/jpeg", "image/gif", "image/bmp");
  private static final Set<String> NAMED_TEXT = Set.of("text/csv", "application/json", "text/markdown",
      "text/tab-separated-values");

  private ContentSniffer() {
  }

  public static String sniff(byte[] head, int length, String declared, String filename) {
    int n = Math.min(length, head.length);
    if (starts(head, n, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return "image/png";
    }
    if (starts(head, n, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (startsAscii(head, n, "GIF87a") || startsAscii(head, n, "GIF89a")) {
      return "image/gif";
    }
    if (startsAscii(head, n, "BM") && n >= 14) {
      return "image/bmp";
    }
    if (startsAscii(head, n, "RIFF") && n >= 12) {
      String kind = new String(head, 8, 4, StandardCharsets.US_ASCII);
      if (kind.equals("WEBP")) {
        return "image/webp";
      }
      if (kind.equals("WAVE")) {
        return "audio/wav";
      }
    }
    if (startsAscii(head, n, "%PDF-")) {
      return "application/pdf";
    }
    if (starts(head, n, 0x1F, 0x8B)) {
      return "application/gzip";
    }
    if (starts(head, n, 'P', 'K', 0x03, 0x04) || starts(head, n, 'P', 'K', 0x05, 0x06)) {
      return "application/zip";
    }
    if (startsAscii(head, n, "ID3") || starts(head, n, 0xFF, 0xFB)) {
      return "audio/mpeg";
    }
    if (startsAscii(head, n, "OggS")) {
      return "audio/ogg";
    }
    if (n >= 12 && new String(head, 4, 4, StandardCharsets.US_ASCII).equals("ftyp")) {
      return "video/mp4";
    }
    if (starts(head, n, 0x1A, 0x45, 0xDF, 0xA3)) {
      return "video/webm";
    }
    if (starts(head, n, 0x7F, 'E', 'L', 'F') || startsAscii(head, n, "MZ")) {
      return "application/octet-stream";
    }
    if (n == 0 || !isText(head, n)) {
      return "application/octet-stream";
    }
    String text = new String(head, 0, n, StandardCharsets.UTF_8).stripLeading()
        .replace("\uFEFF", "").toLowerCase(Locale.ROOT);
    if (text.startsWith("<!doctype html") || text.startsWith("<html") || text.startsWith("<head")
        || text.startsWith("<body") || text.startsWith("<script") || text.startsWith("<iframe")) {
      return "text/html";
    }
    if (text.startsWith("<svg") || text.contains("<svg")) {
      return "image/svg+xml";
    }
    if (text.startsWith("<?xml")) {
      return "application/xml";
    }
    String base = declared == null ? "" : declared.split(";")[0].trim().toLowerCase(Locale.ROOT);
    String lowerName = filename == null ? "" : filename.toLowerCase(Locale.ROOT);
    if (base.equals("text/javascript") || base.equals("application/javascript") || lowerName.endsWith(".js")
        || lowerName.endsWith(".mjs")) {
      return "text/javascript";
    }
    if (NAMED_TEXT.contains(base)) {
      return base;
    }
    if (lowerName.endsWith(".csv")) {
      return "text/csv";
    }
    if (lowerName.endsWith(".json")) {
      return "application/json";
    }
    if (lowerName.endsWith(".html") || lowerName.endsWith(".htm")) {
      return "text/html";
    }
    return "text/plain";
  }

  /** Whether a response may say {@code inline}: never for HTML, SVG, XML or JavaScript. */
  public static boolean inlineSafe(String contentType) {
    return INLINE_SAFE.contains(contentType);
  }

  public static boolean thumbnailable(String contentType) {
    return THUMBNAILABLE.contains(contentType);
  }

  /** The header value: text types carry their charset. */
  public static String headerValue(String contentType) {
    return contentType.startsWith("text/") || contentType.equals("application/json")
        ? contentType + "; charset=utf-8" : contentType;
  }

  private static boolean isText(byte[] head, int n) {
    for (int i = 0; i < n; i++) {
      int b = head[i] & 0xFF;
      if (b == 0 || b < 0x09 || b > 0x0D && b < 0x20 && b != 0x1B) {
        return false;
      }
    }
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    // the last character may be cut by the HEAD boundary: allow up to 3 trailing bytes to fail
    for (int cut = 0; cut <= Math.min(3, n); cut++) {
      try {
        decoder.reset().decode(ByteBuffer.wrap(head, 0, n - cut));
        return true;
      } catch (CharacterCodingException e) {
        // try a shorter prefix
      }
    }
    return false;
  }

  private static boolean starts(byte[] head, int n, int... magic) {
    if (n < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((head[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsAscii(byte[] head, int n, String magic) {
    return starts(head, n, magic.chars().toArray());
  }
}
