package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FileNamesTest {
  @Test
  @DisplayName("path parts, control and bidi characters and leading dots are removed from display names")
  void sanitize() {
    assertEquals("passwd", FileNames.sanitize("../../etc/passwd"));
    assertEquals("evil.txt", FileNames.sanitize("C:\\Users\\x\\evil.txt"));
    assertEquals("ab.txt", FileNames.sanitize("a\u0000b\r\n.txt"));
    assertEquals("photoexe.png", FileNames.sanitize("photo\u202Eexe.png"));
    assertEquals("htaccess", FileNames.sanitize(".htaccess"));
    assertEquals("file", FileNames.sanitize(".."));
    assertEquals("file", FileNames.sanitize(null));
    assertEquals("file", FileNames.sanitize("   "));
    assertEquals("résumé 2024.pdf", FileNames.sanitize("résumé 2024.pdf"));
  }

  @Test
  @DisplayName("over-long names are cut to 255 characters and keep their extension")
  void longNames() {
    String name = FileNames.sanitize("x".repeat(400) + ".jpeg");
    assertEquals(255, name.length());
    assertTrue(name.endsWith(".jpeg"));
    String emoji = FileNames.sanitize("😀".repeat(300));
    assertEquals(255, emoji.codePointCount(0, emoji.length()));
  }

  @Test
  @DisplayName("Content-Disposition carries an ASCII fallback and an RFC 6266 filename* for other names")
  void disposition() {
    assertEquals("attachment; filename=\"report.pdf\"", FileNames.contentDisposition("attachment", "report.pdf"));
    assertEquals("attachment; filename=\"_t_ 1.txt\"; filename*=UTF-8''%C3%A9t%C3%A9%201.txt",
        FileNames.contentDisposition("attachment", "été 1.txt"));
    assertEquals("inline; filename=\"a_b.txt\"; filename*=UTF-8''a%22b.txt",
        FileNames.contentDisposition("inline", "a\"b.txt"));
  }
}
