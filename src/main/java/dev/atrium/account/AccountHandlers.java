package dev.atrium.account;

import dev.atrium.access.Caller;
import dev.atrium.api.Inputs;
import dev.atrium.problem.Problem;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the account-lifecycle operations of the contract: email verification and change, password reset, TOTP. */
final class AccountHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(AccountHandlers.class);

  private final EmailFlows email;
  private final PasswordReset reset;
  private final MfaService mfa;

  AccountHandlers(EmailFlows email, PasswordReset reset, MfaService mfa) {
    this.email = email;
    this.reset = reset;
    this.mfa = mfa;
  }

  Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "requestEmailVerification", this::requestVerification,
        "verifyEmail", this::verifyEmail,
        "requestPasswordReset", this::requestReset,
        "resetPassword", this::resetPassword,
        "requestEmailChange", this::requestEmailChange,
        "confirmEmailChange", this::confirmEmailChange,
        "enrollTotp", this::enrollTotp,
        "confirmTotp", this::confirmTotp,
        "disableTotp", this::disableTotp,
        "resetUserMfa", this::resetUserMfa);
  }

  private void requestVerification(RoutingContext ctx) {
    UUID caller = optionalCaller(ctx);
    String ip = Caller.anonymous(ctx).ip();
    if (caller != null) {
      email.requestVerification(caller, ip, acceptLanguage(ctx))
          .onSuccess(v -> accepted(ctx))
          .onFailure(ctx::fail);
      return;
    }
    String address = Inputs.body(ctx).getString("email");
    if (address == null) {
      ctx.fail(Problem.field("validation_failed", "/email", "is required when not signed in"));
      return;
    }
    // answered before the lookup: neither the answer nor its timing says whether the address exists
    accepted(ctx);
    email.requestVerificationByEmail(address, ip, acceptLanguage(ctx))
        .onFailure(e -> LOG.warn("Verification code for a signed-out request not sent: {}", e.getMessage()));
  }

  private void verifyEmail(RoutingContext ctx) {
    UUID caller = optionalCaller(ctx);
    JsonObject b = Inputs.body(ctx);
    if (caller == null && b.getString("email") == null) {
      ctx.fail(Problem.field("validation_failed", "/email", "is required when not signed in"));
      return;
    }
    email.verify(caller, b.getString("email"), b.getString("code"), Caller.anonymous(ctx).ip())
        .onSuccess(body -> Inputs.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void requestReset(RoutingContext ctx) {
    String address = Inputs.body(ctx).getString("email");
    String ip = Caller.anonymous(ctx).ip();
    // answered before the lookup: the same 202, at the same speed, for every address
    accepted(ctx);
    reset.request(address, ip, acceptLanguage(ctx))
        .onFailure(e -> LOG.warn("Password reset code not sent: {}", e.getMessage()));
  }

  private void resetPassword(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    reset.reset(b.getString("email"), b.getString("code"), b.getString("new_password"), Caller.anonymous(ctx).ip())
        .onSuccess(v -> Inputs.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void requestEmailChange(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    email.requestChange(callerId(ctx), b.getString("new_email"), b.getString("password"), Caller.anonymous(ctx).ip(),
            acceptLanguage(ctx))
        .onSuccess(v -> accepted(ctx))
        .onFailure(ctx::fail);
  }

  private void confirmEmailChange(RoutingContext ctx) {
    email.confirmChange(callerId(ctx), Inputs.body(ctx).getString("code"), Caller.anonymous(ctx).ip())
        .onSuccess(body -> Inputs.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void enrollTotp(RoutingContext ctx) {
    mfa.enroll(callerId(ctx))
        .onSuccess(body -> Inputs.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void confirmTotp(RoutingContext ctx) {
    mfa.confirm(callerId(ctx), Inputs.body(ctx).getString("code"), Caller.anonymous(ctx).ip())
        .onSuccess(body -> Inputs.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void disableTotp(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    mfa.disable(callerId(ctx), b.getString("password"), b.getString("code"), Caller.anonymous(ctx).ip())
        .onSuccess(v -> Inputs.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void resetUserMfa(RoutingContext ctx) {
    mfa.adminReset(Caller.of(ctx), UUID.fromString(Inputs.path(ctx, "id")))
        .onSuccess(v -> Inputs.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private static UUID callerId(RoutingContext ctx) {
    return UUID.fromString(Caller.of(ctx).userId());
  }

  /**
   * For operations that work signed in or not: the caller, or null. Credentials that were sent
   * but did not verify are refused rather than silently treated as signed out.
   */
  private static UUID optionalCaller(RoutingContext ctx) {
    if (ctx.user() == null || ctx.user().principal().getString("sub") == null) {
      if (ctx.request().getHeader("Authorization") != null || ctx.request().getHeader("X-API-Key") != null) {
        throw Problem.of(401, "token_invalid", "The access token is invalid, expired or revoked");
      }
      return null;
    }
    return callerId(ctx);
  }

  private static String acceptLanguage(RoutingContext ctx) {
    return ctx.request().getHeader("Accept-Language");
  }

  private static void accepted(RoutingContext ctx) {
    Inputs.json(ctx, 202, new JsonObject().put("status", "accepted"));
  }
}
