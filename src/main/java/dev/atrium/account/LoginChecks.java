package dev.atrium.account;

import dev.atrium.access.Caller;
import dev.atrium.access.User;
import dev.atrium.problem.Problem;
import dev.atrium.auth.LoginGate;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * After a correct password: an unverified address is refused when ATRIUM_REQUIRE_VERIFIED_EMAIL
 * is on (a new code can be asked for at /api/auth/email/verify/request), and an account with
 * TOTP on gets an mfa_token instead of tokens.
 */
public final class LoginChecks implements LoginGate {
  private final MfaService mfa;
  private final boolean requireVerifiedEmail;

  LoginChecks(MfaService mfa, boolean requireVerifiedEmail) {
    this.mfa = mfa;
    this.requireVerifiedEmail = requireVerifiedEmail;
  }

  @Override
  public Future<Void> afterPassword(User user) {
    if (requireVerifiedEmail && !user.verified()) {
      return Future.failedFuture(Problem.of(403, "email_not_verified",
          "Verify your email address first; POST /api/auth/email/verify/request sends a new code"));
    }
    if (user.mfaEnabled()) {
      return mfa.challenge(user.id(), user.email()).compose(token -> Future.failedFuture(
          Problem.of(401, "mfa_required", "Enter the code of your authenticator app at POST /api/auth/login/mfa")
              .with("mfa_token", token)));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<UUID> secondStep(String mfaToken, String code, String recoveryCode, Caller client) {
    return mfa.secondStep(mfaToken, code, recoveryCode, client.ip());
  }
}
