package dev.atrium.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {
  @Test
  @DisplayName("short, numeric, common and personal passwords are refused; a passphrase is fine")
  void rules() {
    assertTrue(PasswordPolicy.problems("short").contains("must be at least 8 characters long"));
    assertTrue(PasswordPolicy.problems("1234567890").contains("must not be entirely numeric"));
    assertTrue(PasswordPolicy.problems("password123").contains("is too common"));
    assertTrue(PasswordPolicy.problems("gracehopper99", "grace.hopper@navy.mil", "grace")
        .contains("is too similar to your email or username"));
    assertTrue(PasswordPolicy.problems("x".repeat(129)).contains("must be at most 128 characters long"));
    assertEquals(0, PasswordPolicy.problems("correct horse battery staple", "ada@example.com", "ada").size());
  }
}
