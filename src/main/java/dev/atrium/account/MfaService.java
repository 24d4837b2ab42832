package dev.atrium.account;

import dev.atrium.access.Caller;
import dev.atrium.access.DelegationPolicy;
import dev.atrium.problem.Problem;
import dev.atrium.audit.AuditLog;
import dev.atrium.audit.SecurityEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** TOTP two-factor sign-in: enrolment, recovery codes, the second login step, turning it off. */
final class MfaService {
  static final String ISSUER = "Atrium";
  static final int RECOVERY_CODES = 10;

  private final Vertx vertx;
  private final Pool pool;
  private final AccountRepository accounts;
  private final MfaRepository mfa;
  private final MfaTokens tokens;
  private final AuthPorts auth;
  private final AuditLog audit;
  private final SecurityEvents security;

  MfaService(Vertx vertx, Pool pool, AccountRepository accounts, MfaRepository mfa, MfaTokens tokens,
             AuthPorts auth, AuditLog audit, SecurityEvents security) {
    this.security = security;
    this.vertx = vertx;
    this.pool = pool;
    this.accounts = accounts;
    this.mfa = mfa;
    this.tokens = tokens;
    this.auth = auth;
    this.audit = audit;
  }

  /** A new secret (replacing an unconfirmed one) with its otpauth:// URI and QR code. */
  Future<JsonObject> enroll(UUID userId) {
    byte[] secret = Totp.newSecret();
    return account(userId).compose(a -> {
      if (a.mfaEnabled()) {
        return Future.failedFuture(alreadyOn());
      }
      return mfa.startEnrolment(userId, secret).compose(started -> {
        if (!started) {
          return Future.failedFuture(alreadyOn());
        }
        String uri = Totp.uri(ISSUER, a.email(), secret);
        // PNG encoding is CPU work: the default worker pool, not the event loop
        return vertx.executeBlocking(() -> QrCodes.pngDataUrl(uri), false)
            .map(png -> new JsonObject().put("secret", Base32.encode(secret)).put("otpauth_uri", uri)
                .put("qr_png", png));
      });
    });
  }

  /** The first code from the app turns TOTP on and yields the recovery codes, shown this once. */
  Future<JsonObject> confirm(UUID userId, String code, String ip) {
    List<String> recovery = new ArrayList<>();
    List<byte[]> hashes = new ArrayList<>();
    for (int i = 0; i < RECOVERY_CODES; i++) {
      String c = Secrets.recoveryCode();
      recovery.add(c);
      hashes.add(recoveryHash(userId, c));
    }
    return pool.withTransaction(tx -> mfa.lock(tx, userId).compose(found -> {
          if (found.isEmpty()) {
            return Future.failedFuture(Problem.of(409, "mfa_not_enrolled",
                "Start with POST /api/auth/mfa/totp/enroll"));
          }
          if (found.get().confirmed()) {
            return Future.failedFuture(alreadyOn());
          }
          long step = Totp.match(found.get().secret(), code, now(), found.get().lastStep());
          if (step < 0) {
            return Future.failedFuture(codeInvalid());
          }
          return mfa.enable(tx, userId, step, hashes)
              .compose(v -> audit.record(tx, AccountEvents.self(userId, ip), "user.mfa_enabled", "user", userId,
                  new JsonObject().put("mfa_enabled", EmailFlows.change(false, true))));
        }))
        .compose(v -> auth.accountChanged(userId.toString()))
        .onSuccess(v -> AccountEvents.log("mfa_enabled", userId, ip, "enabled"))
        .map(v -> new JsonObject().put("recovery_codes", new JsonArray(recovery)));
  }

  /** Turns TOTP off; needs the password and a current code. */
  Future<Void> disable(UUID userId, String password, String code, String ip) {
    return account(userId)
        .compose(a -> auth.verifyPassword(password, a.passwordHash()))
        .compose(ok -> {
          if (!ok) {
            AccountEvents.log("mfa_disabled", userId, ip, "wrong_password");
            return Future.failedFuture(Problem.field("invalid_password", "/password", "The password is incorrect"));
          }
          return pool.withTransaction(tx -> mfa.lock(tx, userId).compose(found -> {
            if (found.isEmpty() || !found.get().confirmed()) {
              return Future.failedFuture(Problem.of(409, "mfa_not_enabled", "Two-factor sign-in is not on"));
            }
            long step = Totp.match(found.get().secret(), code, now(), found.get().lastStep());
            if (step < 0) {
              return Future.failedFuture(codeInvalid());
            }
            return mfa.disable(tx, userId)
                .compose(x -> audit.record(tx, AccountEvents.self(userId, ip), "user.mfa_disabled", "user", userId,
                    new JsonObject().put("mfa_enabled", EmailFlows.change(true, false))));
          }));
        })
        .compose(v -> auth.accountChanged(userId.toString()))
        .onSuccess(v -> AccountEvents.log("mfa_disabled", userId, ip, "disabled"));
  }

  /**
   * An administrator turns a user's TOTP off (a lost phone and lost recovery codes), under the
   * delegation rules: not on oneself, not on a stronger account. A refusal is audited.
   */
  Future<Void> adminReset(Caller actor, UUID targetId) {
    return auth.accessState(targetId.toString())
        .compose(target -> {
          if (target.isEmpty()) {
            return Future.failedFuture(Problem.notFound("User"));
          }
          DelegationPolicy.checkAccountChange(actor, target.get(), true, true, false);
          return reset(actor, targetId);
        })
        .recover(e -> security.refusal(actor, "user.mfa_reset", "user", targetId, e));
  }

  private Future<Void> reset(Caller actor, UUID targetId) {
    return pool.withTransaction(tx -> mfa.disable(tx, targetId).compose(wasOn -> {
          if (!wasOn) {
            return Future.failedFuture(Problem.of(409, "mfa_not_enabled",
                "Two-factor sign-in is not on for this user"));
          }
          return audit.record(tx, actor, "user.mfa_reset", "user", targetId,
              new JsonObject().put("mfa_enabled", EmailFlows.change(true, false)));
        }))
        .compose(v -> auth.accountChanged(targetId.toString()))
        .onSuccess(v -> AccountEvents.log("mfa_reset", targetId, actor.ip(), "reset by " + actor.userId()));
  }

  /** After a correct password on an account with TOTP on: the token for the second step. */
  Future<String> challenge(UUID userId, String email) {
    return tokens.create(userId, email);
  }

  /**
   * The second sign-in step: a current TOTP code (each accepted once) or an unused recovery code.
   * Every try counts in the login throttle (the sign-in that succeeds gives it back). Answers the user to sign in.
   */
  Future<UUID> secondStep(String mfaToken, String code, String recoveryCode, String ip) {
    return tokens.attempt(mfaToken).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(Problem.of(401, "mfa_token_invalid",
            "The sign-in step expired or was already used; log in again"));
      }
      MfaTokens.Challenge c = found.get();
      return auth.countLoginAttempt(c.email(), ip)
          .compose(v -> pool.withTransaction(tx -> mfa.lock(tx, c.userId()).compose(totp -> {
            if (totp.isEmpty() || !totp.get().confirmed()) {
              return Future.succeededFuture(Optional.<String>empty());
            }
            if (recoveryCode != null) {
              return mfa.useRecoveryCode(tx, c.userId(), recoveryHash(c.userId(), recoveryCode))
                  .compose(used -> !used ? Future.succeededFuture(Optional.<String>empty())
                      : audit.record(tx, AccountEvents.self(c.userId(), ip), "user.mfa_recovery_code_used", "user",
                          c.userId(), new JsonObject()).map(x -> Optional.of("recovery_code")));
            }
            long step = Totp.match(totp.get().secret(), code, now(), totp.get().lastStep());
            return step < 0 ? Future.succeededFuture(Optional.<String>empty())
                : mfa.useStep(tx, c.userId(), step).map(x -> Optional.of("totp"));
          })))
          .compose(method -> {
            if (method.isEmpty()) {
              AccountEvents.log("mfa_login", c.userId(), ip, "wrong_code");
              // the attempt was counted before the check: a wrong code stays a failure
              return Future.failedFuture(Problem.of(401, "mfa_code_invalid", "The code is wrong or was already used"));
            }
            return tokens.spend(mfaToken).compose(spent -> {
              if (!spent) {
                return Future.failedFuture(Problem.of(401, "mfa_token_invalid",
                    "The sign-in step expired or was already used; log in again"));
              }
              AccountEvents.log("mfa_login", c.userId(), ip, method.get());
              return Future.succeededFuture(c.userId());
            });
          });
    });
  }

  private Future<AccountRepository.Account> account(UUID userId) {
    return accounts.byId(userId).map(found ->
        found.orElseThrow(() -> Problem.of(401, "token_invalid", "Account no longer exists")));
  }

  private static byte[] recoveryHash(UUID userId, String code) {
    return Secrets.hash(userId.toString(), "recovery", Secrets.normaliseRecovery(code));
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static Problem alreadyOn() {
    return Problem.of(409, "mfa_already_enabled", "Two-factor sign-in is already on; turn it off first");
  }

  private static Problem codeInvalid() {
    return Problem.field("mfa_code_invalid", "/code", "The code is wrong or was already used");
  }
}
