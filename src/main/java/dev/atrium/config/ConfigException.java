package dev.atrium.config;

import java.util.regex.Pattern;

/**
 * A configuration value that cannot be used; the message names the variable and what is wrong.
 * It goes to the console and the logs, so the password of any URL it quotes is masked: the
 * value is the operator's, and a mistyped {@code ATRIUM_DB_URL} must not print its password.
 */
public final class ConfigException extends RuntimeException {
  /**
   * {@code scheme://user:} and everything up to the line's last {@code @}: a password that is not
   * URL-encoded may itself hold {@code @}, {@code /} or spaces, which is often why the URL failed.
   */
  private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@\\s:']*:).*@");

  public ConfigException(String variable, String problem) {
    super(variable + ": " + URL_PASSWORD.matcher(problem).replaceAll("$1***@"));
  }
}
