package dev.atrium.auth;

import dev.atrium.access.Caller;
import dev.atrium.access.User;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * What login asks after a correct password on an active account, implemented by the account
 * lifecycle: it may hold the sign-in back (403 {@code email_not_verified}, 401
 * {@code mfa_required} with an {@code mfa_token}) and completes the second step.
 */
public interface LoginGate {
  /** Lets every correct password through (no account lifecycle wired). */
  LoginGate OPEN = new LoginGate() {
    @Override
    public Future<Void> afterPassword(User user) {
      return Future.succeededFuture();
    }

    @Override
    public Future<UUID> secondStep(String mfaToken, String code, String recoveryCode, Caller client) {
      return Future.failedFuture(dev.atrium.problem.Problem.of(401, "mfa_token_invalid", "No sign-in step is pending"));
    }
  };

  Future<Void> afterPassword(User user);

  /** Checks the second factor of a held-back sign-in; answers the user to sign in. */
  Future<UUID> secondStep(String mfaToken, String code, String recoveryCode, Caller client);
}
