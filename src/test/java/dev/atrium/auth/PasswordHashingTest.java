package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PasswordHashingTest {
  private final PasswordHashing hashing = new PasswordHashing();

  @Test
  @DisplayName("Argon2id hashes are salted PHC strings with OWASP parameters that verify only the right password")
  void argon2() {
    String a = hashing.hash("correct horse");
    String b = hashing.hash("correct horse");
    assertTrue(a.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), a);
    assertNotEquals(a, b);
    assertTrue(hashing.verify("correct horse", a).valid());
    assertFalse(hashing.verify("correct horse", a).needsRehash());
    assertFalse(hashing.verify("Correct horse", a).valid());
    assertTrue(PasswordHashing.isSupportedHash(a));
  }

  @Test
  @DisplayName("a valid Argon2id hash with weaker parameters verifies and asks to be rehashed")
  void weakerArgon2() {
    byte[] salt = "saltsaltsaltsalt".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] out = new byte[32];
    var gen = new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
    gen.init(new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
        org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id).withVersion(0x13).withSalt(salt)
        .withMemoryAsKB(8192).withIterations(1).withParallelism(1).build());
    gen.generateBytes("old password".getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
    var b64 = java.util.Base64.getEncoder().withoutPadding();
    String weak = "$argon2id$v=19$m=8192,t=1,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);
    assertTrue(hashing.verify("old password", weak).valid());
    assertTrue(hashing.verify("old password", weak).needsRehash());
    assertFalse(hashing.verify("new password", weak).valid());
  }

  @Test
  @DisplayName("Django pbkdf2_sha256 hashes verify (computed independently) and always ask for an upgrade")
  void django() {
    // python: base64.b64encode(hashlib.pbkdf2_hmac('sha256', b'django-secret-1', b'Zx8salt', 260000))
    String django = "pbkdf2_sha256$260000$Zx8salt$WMkS19MI4CY8SEIZrh0wfCOUmoIV8bXbxD9RMPt2jEc=";
    PasswordHashing.Verification ok = hashing.verify("django-secret-1", django);
    assertTrue(ok.valid());
    assertTrue(ok.needsRehash());
    assertFalse(hashing.verify("django-secret-2", django).valid());
    assertTrue(PasswordHashing.isSupportedHash(django));
  }

  @Test
  @DisplayName("unknown or broken hash formats never verify")
  void garbage() {
    assertFalse(hashing.verify("x", null).valid());
    assertFalse(hashing.verify("x", "md5$abc$def").valid());
    assertFalse(hashing.verify("x", "pbkdf2_sha256$notanumber$salt$hash").valid());
    assertFalse(hashing.verify("x", "$argon2id$v=19$m=1,t=1$x$y").valid());
    assertFalse(hashing.verify("x", "$argon2id$v=19$m=19456,t=2,p=1$!!$??").valid());
    assertFalse(hashing.verify("x", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$c2FsdA").valid());
  }
}
