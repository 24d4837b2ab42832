package dev.atrium.account;

import dev.atrium.audit.AuditLog;
import dev.atrium.auth.PasswordPolicy;
import dev.atrium.mail.Language;
import dev.atrium.mail.MailKind;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** "Forgot my password": a code to the address, then a new password that ends every session. */
final class PasswordReset {
  private final AccountRepository repo;
  private final CodeMails codes;
  private final AuthPorts auth;
  private final AuditLog audit;

  PasswordReset(AccountRepository repo, CodeMails codes, AuthPorts auth, AuditLog audit) {
    this.repo = repo;
    this.codes = codes;
    this.auth = auth;
    this.audit = audit;
  }

  /**
   * Mails a code when the address belongs to an active account (and neither the address nor the
   * IP is over its limit). The HTTP answer does not wait for this, so it tells nothing.
   */
  Future<Void> request(String email, String ip, String acceptLanguage) {
    return repo.byEmail(email).compose(found -> {
      if (found.isEmpty() || !found.get().active()) {
        AccountEvents.log("password_reset_requested", null, ip, "unknown_address");
        return Future.succeededFuture();
      }
      AccountRepository.Account a = found.get();
      return codes.send(a.id(), CodePurpose.PASSWORD_RESET, MailKind.PASSWORD_RESET,
              Language.pick(a.language(), acceptLanguage), a.email(), null,
              "/console/account/reset-password?email=" + EmailFlows.enc(a.email()), ip, null)
          .onSuccess(sent -> AccountEvents.log("password_reset_requested", a.id(), ip, sent ? "queued" : "throttled"))
          .mapEmpty();
    });
  }

  /**
   * Sets the new password if the code is right; every session, access token and API key of the
   * account dies with it.
   */
  Future<Void> reset(String email, String code, String newPassword, String ip) {
    return repo.byEmail(email).compose(found -> {
      if (found.isEmpty() || !found.get().active()) {
        return Future.failedFuture(CodeMails.invalid());
      }
      AccountRepository.Account a = found.get();
      PasswordPolicy.require(newPassword, "/new_password", a.email());
      // a wrong code is refused before the (costly) hash, so guesses cannot tie up the hashing pool
      return codes.check(a.id(), CodePurpose.PASSWORD_RESET, code)
          .compose(v -> auth.hashPassword(newPassword))
          .compose(hash -> codes.redeem(a.id(), CodePurpose.PASSWORD_RESET, code, (tx, stored) ->
              repo.setPassword(tx, a.id(), hash)
                  // every session ends and every token and API key dies, in the same transaction
                  .compose(x -> auth.voidCredentials(tx, a.id()))
                  .compose(x -> audit.record(tx, AccountEvents.self(a.id(), ip), "user.password_reset", "user", a.id(),
                      new JsonObject().put("password",
                          new JsonObject().put("changed", true).put("kind", "reset_code"))))))
          .onFailure(e -> AccountEvents.log("password_reset", a.id(), ip, "refused"))
          .compose(v -> auth.credentialsVoided(a.id().toString()))
          .onSuccess(v -> AccountEvents.log("password_reset", a.id(), ip, "changed"));
    });
  }
}
