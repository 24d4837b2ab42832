package dev.atrium.account;

import dev.atrium.access.Caller;
import dev.atrium.audit.SecurityEvents;
import java.util.Map;
import java.util.UUID;

/**
 * The account flows' security log lines ({@code event=security.<name>}, through the one
 * {@link SecurityEvents} writer) and the caller their audit entries name.
 */
final class AccountEvents {
  private AccountEvents() {
  }

  static void log(String name, UUID userId, String ip, String outcome) {
    SecurityEvents.log(name, userId == null ? null : userId.toString(), ip, Map.of("outcome", outcome));
  }

  /** The account itself acting (signed in, or proving its mailbox with a code), from {@code ip}. */
  static Caller self(UUID userId, String ip) {
    return new Caller(userId.toString(), null, null, null, 0, null, ip, null);
  }
}
