package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SignedLinksTest {
  static final String ID = "2f1c0d3e-8a4b-4c8e-9d7a-0b1c2d3e4f50";
  final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  final SignedLinks links = new SignedLinks(() -> List.of(new byte[32]), Duration.ofMinutes(15), clock);

  @Test
  @DisplayName("a link is valid for its file and kind until it expires; any change to it is invalid")
  void check() {
    long exp = clock.instant().getEpochSecond() + 900;
    String q = links.query(SignedLinks.Kind.DOWNLOAD, ID);
    assertTrue(q.startsWith("?expires=" + exp + "&sig="), q);
    String sig = links.sign(SignedLinks.Kind.DOWNLOAD, ID, exp);
    assertEquals(SignedLinks.Check.VALID, links.check(SignedLinks.Kind.DOWNLOAD, ID, exp, sig));
    assertEquals(SignedLinks.Check.INVALID, links.check(SignedLinks.Kind.THUMBNAIL, ID, exp, sig));
    assertEquals(SignedLinks.Check.INVALID, links.check(SignedLinks.Kind.DOWNLOAD, ID, exp + 1, sig));
    assertEquals(SignedLinks.Check.INVALID, links.check(SignedLinks.Kind.DOWNLOAD,
        "00000000-0000-0000-0000-000000000000", exp, sig));
    assertEquals(SignedLinks.Check.INVALID, links.check(SignedLinks.Kind.DOWNLOAD, ID, exp, sig.substring(1)));
    assertEquals(SignedLinks.Check.INVALID, links.check(SignedLinks.Kind.DOWNLOAD, ID, null, sig));
    long past = clock.instant().getEpochSecond() - 1;
    assertEquals(SignedLinks.Check.EXPIRED, links.check(SignedLinks.Kind.DOWNLOAD, ID, past,
        links.sign(SignedLinks.Kind.DOWNLOAD, ID, past)));
  }

  @Test
  @DisplayName("after a rotation, links signed with the previous key still verify; a retired key's links do not")
  void rotation() {
    byte[] old = new byte[32];
    byte[] fresh = new byte[32];
    Arrays.fill(fresh, (byte) 7);
    long exp = clock.instant().getEpochSecond() + 900;
    String oldSig = links.sign(SignedLinks.Kind.DOWNLOAD, ID, exp);
    SignedLinks rotated = new SignedLinks(() -> List.of(fresh, old), Duration.ofMinutes(15), clock);
    assertEquals(SignedLinks.Check.VALID, rotated.check(SignedLinks.Kind.DOWNLOAD, ID, exp, oldSig));
    String newSig = rotated.sign(SignedLinks.Kind.DOWNLOAD, ID, exp);
    assertTrue(!newSig.equals(oldSig), "new links are signed with the new key");
    SignedLinks retired = new SignedLinks(() -> List.of(fresh), Duration.ofMinutes(15), clock);
    assertEquals(SignedLinks.Check.INVALID, retired.check(SignedLinks.Kind.DOWNLOAD, ID, exp, oldSig));
    assertEquals(SignedLinks.Check.VALID, retired.check(SignedLinks.Kind.DOWNLOAD, ID, exp, newSig));
  }
}
