package dev.atrium.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Outgoing mail and the account-lifecycle switches. {@code smtp} empty: mails are written to the
 * log instead of sent (development); every flow still works. {@code publicUrl}: the origin that
 * links in mails point to (ATRIUM_PUBLIC_URL, else {@link #LOCAL_URL}).
 * {@code maxAttempts}/{@code retryBase}: a mail is tried up to that many times, waiting
 * {@code retryBase × 2^(attempt-1)} (at most 10 minutes) between tries.
 * {@code codeLimits}: how many code mails one address gets and one client IP asks for.
 */
public record MailSettings(Optional<Smtp> smtp, String from, String publicUrl, boolean requireVerifiedEmail,
                           int maxAttempts, Duration retryBase, CodeLimits codeLimits) {
  /** Where mails link to when ATRIUM_PUBLIC_URL is unset: a node on a developer's machine. */
  public static final String LOCAL_URL = "http://localhost:8080";

  /**
   * Where to send: {@code ssl} for smtps:// (TLS from the first byte); smtp:// upgrades with
   * STARTTLS when offered. {@code trustAll}: accept any server certificate and host name, for a
   * test server's self-signed certificate only (ATRIUM_SMTP_TRUST_ALL; never in production).
   */
  public record Smtp(String host, int port, boolean ssl, String username, String password, boolean trustAll) {
    /** The same server, with or without certificate checks. */
    public Smtp trustingAll(boolean trust) {
      return new Smtp(host, port, ssl, username, password, trust);
    }

    @Override
    public String toString() { // never print the password
      return (ssl ? "smtps://" : "smtp://") + host + ":" + port + (trustAll ? " (certificate not checked)" : "");
    }
  }

  /**
   * Code mails (verification, reset, email change) allowed per address and per client IP within
   * {@code window}; beyond, the request is refused (429) or, for a reset, silently not mailed.
   */
  public record CodeLimits(int perAddress, int perIp, Duration window) {
  }

  static Duration codeWindow(String text) {
    Duration d = ValueParsers.duration(text);
    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("must be between 1s and 1d, got '" + text + "'");
    }
    return d;
  }

  /** Parses {@code smtp://host:25} or {@code smtps://user:pass@host:465}; the message never echoes a password. */
  static Smtp parseSmtp(String text) {
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected smtp://[user:pass@]host[:port] or smtps://...");
    }
    boolean ssl = "smtps".equals(uri.getScheme());
    if (!ssl && !"smtp".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("expected smtp://[user:pass@]host[:port] or smtps://...");
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
    }
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 465 : 25;
    return new Smtp(uri.getHost(), port, ssl, user, password, false);
  }

  static String publicUrl(String text) {
    String url = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    if (!url.matches("https?://[^/\\s]+(/[^\\s]*)?")) {
      throw new IllegalArgumentException("expected an origin such as https://atrium.example.com, got '" + text + "'");
    }
    return url;
  }

  static String address(String text) {
    if (!text.matches("[^@\\s<>]+@[^@\\s<>]+|[^<>]*<[^@\\s<>]+@[^@\\s<>]+>")) {
      throw new IllegalArgumentException(
          "expected an address such as Atrium <no-reply@example.com>, got '" + text + "'");
    }
    return text;
  }
}
