package dev.atrium.account;

import dev.atrium.problem.Problem;
import dev.atrium.mail.Language;
import dev.atrium.mail.MailKind;
import dev.atrium.mail.Mailer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The 6-digit codes every account flow mails: issued (replacing the previous one) and queued in
 * one transaction; redeemed in one transaction with the change they allow. A code lives 15
 * minutes and survives 5 wrong guesses; a wrong guess is counted even though the request fails.
 */
final class CodeMails {
  static final Duration TTL = Duration.ofMinutes(15);
  static final int MAX_ATTEMPTS = 5;

  private final Pool pool;
  private final AccountRepository repo;
  private final SendThrottle throttle;
  private final Mailer mailer;

  CodeMails(Pool pool, AccountRepository repo, SendThrottle throttle, Mailer mailer) {
    this.pool = pool;
    this.repo = repo;
    this.throttle = throttle;
    this.mailer = mailer;
  }

  /** A mail that goes out in the same transaction as the code, such as the notice to an old address. */
  record Extra(MailKind kind, String to, Map<String, String> values) {
  }

  /**
   * Sends a new code to {@code to} unless the address or the IP is over its limit; answers
   * whether it was queued. {@code linkPath} is the console page that asks for the code.
   */
  Future<Boolean> send(UUID userId, CodePurpose purpose, MailKind kind, Language lang, String to, String newEmail,
                       String linkPath, String ip, Extra extra) {
    return throttle.allow(to, ip).compose(allowed -> {
      if (!allowed) {
        return Future.succeededFuture(false);
      }
      String code = Secrets.sixDigits();
      Map<String, String> values = Map.of("code", code, "link", mailer.link(linkPath),
          "minutes", Long.toString(TTL.toMinutes()));
      return pool.withTransaction(tx -> repo.issueCode(tx, userId, purpose, hash(userId, purpose, code),
                  newEmail, TTL)
              .compose(v -> mailer.queue(tx, kind, lang, to, values))
              .compose(v -> extra == null ? Future.succeededFuture()
                  : mailer.queue(tx, extra.kind(), lang, extra.to(), extra.values())))
          .onSuccess(v -> mailer.wake())
          .map(true);
    });
  }

  /**
   * Checks the code in a transaction; when it matches, consumes it and runs {@code effect} in the
   * same transaction. A wrong code is counted and answered 400 {@code code_invalid}, as are an
   * expired, used-up or missing one (the answer never says which).
   */
  <T> Future<T> redeem(UUID userId, CodePurpose purpose, String code,
                       BiFunction<SqlClient, AccountRepository.StoredCode, Future<T>> effect) {
    return attempt(userId, purpose, code, effect);
  }

  /**
   * Checks the code like {@link #redeem} (a wrong one counts) without consuming it: lets a flow
   * skip costly work, such as hashing a new password, for a code that cannot succeed.
   */
  Future<Void> check(UUID userId, CodePurpose purpose, String code) {
    return attempt(userId, purpose, code, null);
  }

  private <T> Future<T> attempt(UUID userId, CodePurpose purpose, String code,
                                BiFunction<SqlClient, AccountRepository.StoredCode, Future<T>> effect) {
    record Outcome<T>(boolean ok, T value) {
    }
    return pool.<Outcome<T>>withTransaction(tx -> repo.lockCode(tx, userId, purpose, MAX_ATTEMPTS)
            .compose(found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(new Outcome<>(false, null));
              }
              if (!MessageDigest.isEqual(found.get().hash(), hash(userId, purpose, code == null ? "" : code))) {
                return repo.countWrongCode(tx, userId, purpose).map(v -> new Outcome<>(false, null));
              }
              if (effect == null) {
                return Future.succeededFuture(new Outcome<>(true, null));
              }
              return repo.consumeCode(tx, userId, purpose)
                  .compose(v -> effect.apply(tx, found.get()))
                  .map(value -> new Outcome<>(true, value));
            }))
        .compose(outcome -> outcome.ok() ? Future.succeededFuture(outcome.value())
            : Future.failedFuture(invalid()));
  }

  /** Retry-After, in seconds, for a request refused because of the send limits. */
  long retryAfterSeconds() {
    return throttle.window().toSeconds();
  }

  /** An absolute link to a console page. */
  String link(String path) {
    return mailer.link(path);
  }

  static Problem invalid() {
    return Problem.field("code_invalid", "/code", "The code is wrong, expired or used up; ask for a new one");
  }

  private static byte[] hash(UUID userId, CodePurpose purpose, String code) {
    return Secrets.hash(userId.toString(), purpose.column, code);
  }
}
