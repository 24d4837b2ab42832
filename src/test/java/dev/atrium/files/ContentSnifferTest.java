package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ContentSnifferTest {
  static String sniff(byte[] b, String declared, String name) {
    return ContentSniffer.sniff(b, b.length, declared, name);
  }

  static String sniff(String text, String declared, String name) {
    return sniff(text.getBytes(StandardCharsets.UTF_8), declared, name);
  }

  @Test
  @DisplayName("the type comes from the bytes, whatever the client declared")
  void magic() {
    assertEquals("image/png", sniff(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0}, "text/html", "x.html"));
    assertEquals("image/jpeg", sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0}, null, "a"));
    assertEquals("image/gif", sniff("GIF89a....", "image/png", "a.png"));
    assertEquals("application/pdf", sniff("%PDF-1.7\n", "image/png", "a.png"));
    assertEquals("application/octet-stream", sniff(new byte[] {0, 1, 2, 3, (byte) 0xFE}, "image/png", "a.png"));
    assertEquals("application/octet-stream", sniff(new byte[0], "text/plain", "empty.txt"));
  }

  @Test
  @DisplayName("HTML, SVG and XML are recognised under any declared type and are never inline-safe")
  void markup() {
    assertEquals("text/html", sniff("  <!DOCTYPE html><html>", "image/png", "cat.png"));
    assertEquals("image/svg+xml", sniff("<?xml version=\"1.0\"?><svg xmlns=\"...\">", "image/png", "a.png"));
    assertEquals("application/xml", sniff("<?xml version=\"1.0\"?><note/>", "text/plain", "a.txt"));
    assertEquals("text/javascript", sniff("alert(1)", "application/javascript", "a.js"));
    for (String t : new String[] {"text/html", "image/svg+xml", "application/xml", "text/javascript"}) {
      assertFalse(ContentSniffer.inlineSafe(t), t);
    }
    assertTrue(ContentSniffer.inlineSafe("image/png"));
  }

  @Test
  @DisplayName("plain text keeps a declared text kind such as CSV or JSON")
  void text() {
    assertEquals("text/plain", sniff("hello world", "application/x-whatever", "a.bin"));
    assertEquals("text/csv", sniff("a,b\n1,2\n", "text/csv", "a.csv"));
    assertEquals("application/json", sniff("{\"a\":1}", null, "data.json"));
    assertEquals("text/plain", sniff("héllo wörld", null, null));
  }
}
