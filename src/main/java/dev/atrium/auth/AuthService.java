package dev.atrium.auth;

import dev.atrium.access.AccessChanges;
import dev.atrium.access.AccessRepository;
import dev.atrium.access.Caller;
import dev.atrium.access.User;
import dev.atrium.problem.Problem;
import dev.atrium.audit.SecurityEvents;
import dev.atrium.events.Addresses;
import dev.atrium.events.UserLogout;
import dev.atrium.events.UserRegistered;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Account rules: registration, login, logout, password change, sessions (token pairs: {@link SessionTokens}).
 * Revocations are stored in PostgreSQL (sessions' {@code revoked_at}, the user's
 * {@code tokens_valid_after}) in the same transaction as the change that needs them; Redis
 * only carries the news to other nodes. Security events are logged, and audited when a
 * signed-in user acted.
 */
public final class AuthService {
  private final Vertx vertx;
  private final Pool pool;
  private final UserRepository users;
  private final SessionRepository sessions;
  private final PasswordHasher passwords;
  private final TokenService tokens;
  private final LoginThrottle throttle;
  private final AccessChanges accessChanges;
  private final SecurityEvents security;
  private final SessionTokens sessionTokens;
  private final Future<String> dummyHash;
  // set once while the node is wired, before any request: the account lifecycle's checks
  private volatile LoginGate gate = LoginGate.OPEN;

  public AuthService(Vertx vertx, Pool pool, UserRepository users, SessionRepository sessions, PasswordHasher passwords,
                     TokenService tokens, LoginThrottle throttle, AccessChanges accessChanges, SecurityEvents security,
                     Duration refreshTtl) {
    this.vertx = vertx;
    this.pool = pool;
    this.users = users;
    this.sessions = sessions;
    this.passwords = passwords;
    this.tokens = tokens;
    this.throttle = throttle;
    this.accessChanges = accessChanges;
    this.security = security;
    this.sessionTokens = new SessionTokens(vertx, pool, sessions, tokens, accessChanges, refreshTtl);
    // Verified against for unknown emails, so that they cost the same time as a wrong password.
    this.dummyHash = Future.succeededFuture(
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0SKYKXZ8l7b7ZqvLtQdZxYJ0Qm0wlb4CJ5Ta0Sx2Y8M");
  }

  /** {@code language}: the request's Accept-Language, for the first mails. */
  public record Registration(String email, String username, String password, String passwordConfirm,
                             String firstName, String lastName, String language) {
  }

  /** What login asks after a correct password (verified email, second factor). */
  public void gate(LoginGate loginGate) {
    this.gate = loginGate;
  }

  /** Tokens handed out by login and refresh. */
  public record Tokens(User user, String access, long expiresIn, String refresh, Session session) {
  }

  public Future<User> register(Registration r, Caller client) {
    String email = Emails.normalise(r.email());
    JsonArray errors = new JsonArray();
    if (!Emails.valid(email)) {
      errors.add(Problem.entry("/email", "is not a valid email address"));
    }
    if (r.passwordConfirm() != null && !r.passwordConfirm().equals(r.password())) {
      errors.add(Problem.entry("/password_confirm", "does not match password"));
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(Problem.validation("The registration is invalid", errors));
    }
    PasswordPolicy.require(r.password(), "/password", email, r.username());
    return passwords.hash(r.password())
        .compose(hash -> users.insert(new UserRepository.NewUser(email, r.username().trim(), hash,
            nz(r.firstName()), nz(r.lastName()), false, false, false)))
        .recover(UserRepository::explainConflict)
        .onSuccess(u -> vertx.eventBus().publish(Addresses.USER_REGISTERED,
            new UserRegistered(u.id().toString(), u.email(), u.username(), client.ip(), Instant.now(), r.language())
                .toJson()));
  }

  /** Counts the attempt first (atomically, per email and address), then checks the password. */
  public Future<Tokens> login(String rawEmail, String password, Caller client) {
    String email = Emails.normalise(rawEmail);
    return throttle.attempt(email, client.ip())
        .onFailure(t -> {
          if (t instanceof Problem p && p.status() == 429) {
            SecurityEvents.log("login_locked", null, client.ip(), Map.of());
          }
        })
        .compose(v -> users.findByEmail(email))
        .compose(found -> {
          Future<String> hash = found.map(u -> Future.succeededFuture(u.passwordHash())).orElse(dummyHash);
          return hash.compose(h -> passwords.verify(password, h))
              .compose(check -> {
                if (found.isEmpty() || !check.valid()) {
                  SecurityEvents.log("login_failed", found.map(u -> u.id().toString()).orElse(null), client.ip(),
                      Map.of("known_account", found.isPresent()));
                  return Future.failedFuture(Problem.of(401, "invalid_credentials", "Email or password is incorrect"));
                }
                User user = found.get();
                if (!user.active()) {
                  return Future.failedFuture(Problem.of(403, "account_inactive", "This account is deactivated"));
                }
                // a sign-in held back for a second factor stays counted until that step succeeds
                return gate.afterPassword(user)
                    .compose(x -> throttle.succeeded(email, client.ip()))
                    .compose(x -> users.recordLogin(user.id(), client.ip(), check.upgradedHash()))
                    .compose(x -> sessionTokens.start(user, client));
              });
        });
  }

  /** Completes a sign-in held back with mfa_required, once the second factor is right. */
  public Future<Tokens> loginMfa(String mfaToken, String code, String recoveryCode, Caller client) {
    return gate.secondStep(mfaToken, code, recoveryCode, client)
        .compose(users::findById)
        .compose(found -> {
          User user = found.filter(User::active).orElseThrow(() ->
              Problem.of(403, "account_inactive", "This account is deactivated"));
          return throttle.succeeded(user.email(), client.ip())
              .compose(x -> users.recordLogin(user.id(), client.ip(), null))
              .compose(x -> sessionTokens.start(user, client));
        });
  }

  public Future<Tokens> refresh(String presented, Caller client) {
    return sessionTokens.refresh(presented, client);
  }

  /** Ends the session that the refresh token belongs to, if it is the caller's; idempotent. */
  public Future<Void> logout(Caller caller, String refreshToken) {
    if (refreshToken == null) {
      return Future.succeededFuture();
    }
    return sessions.findLiveByToken(TokenService.digest(refreshToken))
        .compose(found -> found.filter(s -> s.userId().equals(caller.id()))
            .map(s -> endSession(caller, s.id()).<Void>mapEmpty())
            .orElse(Future.succeededFuture()));
  }

  private Future<Boolean> endSession(Caller caller, UUID sessionId) {
    return sessions.revoke(caller.id(), sessionId).compose(revoked -> {
      if (!revoked) {
        return Future.succeededFuture(false);
      }
      return accessChanges.sessionRevoked(caller.userId())
          .compose(v -> security.audited(caller, "auth.session_revoke", "session", sessionId, new JsonObject()))
          .onSuccess(v -> vertx.eventBus().publish(Addresses.USER_LOGOUT,
              new UserLogout(caller.userId(), sessionId.toString(), Instant.now()).toJson()))
          .map(true);
    });
  }

  /** Every session ends; every access token and API key issued until now stops working. */
  public Future<Void> logoutAll(Caller caller) {
    UUID uid = caller.id();
    return pool.withTransaction(tx -> SessionRepository.revokeAll(tx, uid, null)
            .compose(n -> AccessRepository.voidCredentials(tx, uid, System.currentTimeMillis())))
        .compose(v -> accessChanges.tokensVoided(caller.userId()))
        .compose(v -> security.audited(caller, "auth.logout_all", "user", uid, new JsonObject()))
        .onSuccess(v -> vertx.eventBus().publish(Addresses.USER_LOGOUT,
            new UserLogout(caller.userId(), null, Instant.now()).toJson()));
  }

  /**
   * Changes the password: every access token and API key is voided and every other session
   * ends, in the transaction that stores the new hash (so a retry after a lost answer finds
   * nothing half done).
   */
  public Future<Void> changePassword(Caller caller, String current, String replacement) {
    UUID uid = caller.id();
    return users.findById(uid)
        .compose(found -> {
          User user = found.orElseThrow(() -> Problem.of(401, "token_invalid", "Account no longer exists"));
          PasswordPolicy.require(replacement, "/new_password", user.email(), user.username());
          return passwords.verify(current, user.passwordHash()).compose(check -> {
            if (!check.valid()) {
              SecurityEvents.log("password_change_refused", caller.userId(), caller.ip(), Map.of());
              return Future.failedFuture(Problem.field("invalid_password", "/current_password",
                  "The current password is incorrect"));
            }
            return passwords.hash(replacement);
          });
        })
        .compose(hash -> pool.withTransaction(tx -> UserRepository.updatePassword(tx, uid, hash)
            .compose(v -> SessionRepository.revokeAll(tx, uid,
                caller.sessionId() == null ? null : UUID.fromString(caller.sessionId())))
            .compose(n -> AccessRepository.voidCredentials(tx, uid, System.currentTimeMillis()))))
        .compose(v -> accessChanges.tokensVoided(caller.userId()))
        .compose(v -> security.audited(caller, "auth.password_change", "user", uid,
            new JsonObject().put("password", new JsonObject().put("changed", true))));
  }

  public Future<List<Session>> sessions(Caller caller) {
    return sessions.listLive(caller.id());
  }

  public Future<Void> revokeSession(Caller caller, String sessionId) {
    return endSession(caller, UUID.fromString(sessionId))
        .compose(done -> done ? Future.succeededFuture() : Future.failedFuture(Problem.notFound("Session")));
  }

  /** Ensures a first superuser exists; returns the generated password when one had to be made up. */
  public Future<Optional<String>> seedAdmin(String email, String configuredPassword) {
    return users.anySuperuser().compose(exists -> {
      if (exists) {
        return Future.succeededFuture(Optional.<String>empty());
      }
      String password = configuredPassword != null ? configuredPassword : tokens.newRefreshToken().substring(0, 20);
      String username = email.substring(0, email.indexOf('@')).replaceAll("[^A-Za-z0-9_.-]", "");
      return passwords.hash(password)
          .compose(hash -> users.insert(new UserRepository.NewUser(email, username.isEmpty() ? "admin" : username,
              hash, "", "", true, true, true)))
          .map(u -> configuredPassword == null ? Optional.of(password) : Optional.<String>empty());
    });
  }

  private static String nz(String s) {
    return s == null ? "" : s.trim();
  }
}
