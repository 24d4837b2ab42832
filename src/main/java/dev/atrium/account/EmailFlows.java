package dev.atrium.account;

import dev.atrium.problem.Problem;
import dev.atrium.audit.AuditLog;
import dev.atrium.auth.Emails;
import dev.atrium.db.SqlStates;
import dev.atrium.mail.Language;
import dev.atrium.mail.MailKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Email verification and email change. */
final class EmailFlows {
  private final AccountRepository repo;
  private final CodeMails codes;
  private final AuthPorts auth;
  private final AuditLog audit;

  EmailFlows(AccountRepository repo, CodeMails codes, AuthPorts auth, AuditLog audit) {
    this.repo = repo;
    this.codes = codes;
    this.auth = auth;
    this.audit = audit;
  }

  /** Signed in: sends a new verification code to the caller's address. */
  Future<Void> requestVerification(UUID userId, String ip, String acceptLanguage) {
    return repo.byId(userId).compose(found -> {
      AccountRepository.Account a = found.orElseThrow(EmailFlows::gone);
      if (a.verified()) {
        return Future.failedFuture(Problem.of(409, "email_already_verified", "This email address is already verified"));
      }
      return sendVerification(a, ip, acceptLanguage).compose(sent -> sent ? Future.succeededFuture()
          : Future.failedFuture(Problem.retryLater(429, "rate_limited",
              "Too many codes were asked for; try again later", codes.retryAfterSeconds())));
    });
  }

  /**
   * Not signed in (a login refused with email_not_verified): sends a code when the address
   * belongs to an unverified account. The answer is the same whatever the address.
   */
  Future<Void> requestVerificationByEmail(String email, String ip, String acceptLanguage) {
    return repo.byEmail(email).compose(found -> found.filter(a -> a.active() && !a.verified())
        .map(a -> sendVerification(a, ip, acceptLanguage).<Void>mapEmpty())
        .orElse(Future.succeededFuture()));
  }

  /** The first code, right after registration. */
  Future<Boolean> sendAfterRegistration(UUID userId, String ip, String acceptLanguage) {
    return repo.byId(userId).compose(found -> found.filter(a -> !a.verified())
        .map(a -> sendVerification(a, ip, acceptLanguage))
        .orElse(Future.succeededFuture(false)));
  }

  private Future<Boolean> sendVerification(AccountRepository.Account a, String ip, String acceptLanguage) {
    Language lang = Language.pick(a.language(), acceptLanguage);
    return codes.send(a.id(), CodePurpose.VERIFY_EMAIL, MailKind.VERIFY_EMAIL, lang,
            a.email(), null, "/console/account/verify-email?email=" + enc(a.email()), ip, null)
        .onSuccess(sent -> AccountEvents.log("verification_code_sent", a.id(), ip, sent ? "queued" : "throttled"));
  }

  /** Verifies the caller's address (signed in: {@code userId}; otherwise by {@code email}). */
  Future<JsonObject> verify(UUID userId, String email, String code, String ip) {
    Future<Optional<AccountRepository.Account>> account = userId != null ? repo.byId(userId) : repo.byEmail(email);
    return account.compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(CodeMails.invalid());
      }
      AccountRepository.Account a = found.get();
      return codes.redeem(a.id(), CodePurpose.VERIFY_EMAIL, code, (tx, stored) -> repo.markVerified(tx, a.id())
              .compose(v -> audit.record(tx, AccountEvents.self(a.id(), ip), "user.email_verified", "user", a.id(),
                  new JsonObject().put("is_verified", change(false, true)))))
          .onFailure(e -> AccountEvents.log("email_verification", a.id(), ip, "wrong_code"))
          .compose(v -> auth.accountChanged(a.id().toString()))
          .onSuccess(v -> AccountEvents.log("email_verification", a.id(), ip, "verified"))
          .map(v -> new JsonObject().put("email", a.email()).put("is_verified", true));
    });
  }

  /** Checks the password, then mails a code to the new address and a notice to the old one. */
  Future<Void> requestChange(UUID userId, String newEmail, String password, String ip, String acceptLanguage) {
    String target = Emails.normalise(newEmail);
    if (!Emails.valid(target)) {
      return Future.failedFuture(Problem.field("validation_failed", "/new_email", "is not a valid email address"));
    }
    return repo.byId(userId).compose(found -> {
      AccountRepository.Account a = found.orElseThrow(EmailFlows::gone);
      if (a.email().equalsIgnoreCase(target)) {
        return Future.failedFuture(Problem.field("validation_failed", "/new_email", "is already your email address"));
      }
      return auth.verifyPassword(password, a.passwordHash())
          .compose(ok -> {
            if (!ok) {
              AccountEvents.log("email_change_requested", a.id(), ip, "wrong_password");
              return Future.failedFuture(Problem.field("invalid_password", "/password", "The password is incorrect"));
            }
            return repo.emailInUse(target);
          })
          .compose(taken -> {
            if (taken) {
              return Future.failedFuture(Problem.conflict("email_taken", "/new_email",
                  "An account with this email already exists"));
            }
            Language lang = Language.pick(a.language(), acceptLanguage);
            CodeMails.Extra notice = new CodeMails.Extra(MailKind.EMAIL_CHANGE_NOTICE, a.email(),
                Map.of("new_email", target, "link", codes.link("/console/account/security")));
            return codes.send(a.id(), CodePurpose.EMAIL_CHANGE, MailKind.EMAIL_CHANGE, lang, target, target,
                "/console/account/confirm-email", ip, notice);
          })
          .compose(sent -> {
            AccountEvents.log("email_change_requested", a.id(), ip, sent ? "queued" : "throttled");
            return sent ? Future.succeededFuture() : Future.failedFuture(Problem.retryLater(429, "rate_limited",
                "Too many codes were asked for; try again later", codes.retryAfterSeconds()));
          });
    });
  }

  /** The code from the new address: the email changes and counts as verified. */
  Future<JsonObject> confirmChange(UUID userId, String code, String ip) {
    return repo.byId(userId).compose(found -> {
      AccountRepository.Account a = found.orElseThrow(EmailFlows::gone);
      return codes.redeem(a.id(), CodePurpose.EMAIL_CHANGE, code, (tx, stored) ->
              repo.setEmail(tx, a.id(), stored.newEmail())
              .compose(v -> audit.record(tx, AccountEvents.self(a.id(), ip), "user.email_changed", "user", a.id(),
                  new JsonObject().put("email", change(a.email(), stored.newEmail()))
                      .put("is_verified", change(a.verified(), true))))
              .map(stored.newEmail()))
          .recover(e -> SqlStates.isUniqueViolation(e, "users_email_key")
              ? Future.failedFuture(Problem.conflict("email_taken", "/new_email",
                  "An account with this email already exists"))
              : Future.failedFuture(e))
          .onFailure(e -> AccountEvents.log("email_changed", a.id(), ip, "refused"))
          .compose(email -> auth.accountChanged(a.id().toString()).map(email))
          .onSuccess(email -> AccountEvents.log("email_changed", a.id(), ip, "changed"))
          .map(email -> new JsonObject().put("email", email).put("is_verified", true));
    });
  }

  private static Problem gone() {
    return Problem.of(401, "token_invalid", "Account no longer exists");
  }

  static JsonObject change(Object before, Object after) {
    return new JsonObject().put("before", before).put("after", after);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
