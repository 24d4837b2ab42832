package dev.atrium.config;

import java.time.Duration;

/**
 * Lifetimes and limits of credentials. {@code sessionMaxAge}: a session's absolute lifetime,
 * however often it is refreshed; {@code apiKeyMaxTtl}: the longest an API key may live (and the
 * lifetime of one created without {@code expires_at}); {@code loginMaxFailuresPerAccount}: failed
 * logins for one email across every client address within the window; {@code refreshReuseGrace}:
 * how long after a refresh its spent token, presented again, still returns the same successor
 * (zero: never; a reuse then always revokes the session); {@code maxSessionsPerUser}: live
 * sessions a user may hold, a sign-in beyond them revoking the least recently used.
 */
public record AccessSettings(Duration sessionMaxAge, Duration apiKeyMaxTtl, int loginMaxFailuresPerAccount,
                             Duration refreshReuseGrace, int maxSessionsPerUser) {
}
