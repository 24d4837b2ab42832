package dev.atrium.auth;

import dev.atrium.api.ClientInfo;
import dev.atrium.api.Problem;
import dev.atrium.events.Addresses;
import dev.atrium.events.UserLogin;
import dev.atrium.events.UserLogout;
import dev.atrium.events.UserRegistered;
import dev.atrium.users.User;
import dev.atrium.users.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Account rules: registration, login, token rotation, logout, password change, sessions. */
public final class AuthService {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}$");

  private final Vertx vertx;
  private final UserRepository users;
  private final SessionRepository sessions;
  private final PasswordClient passwords;
  private final TokenService tokens;
  private final LoginThrottle throttle;
  private final AccessChanges accessChanges;
  private final Duration refreshTtl;
  private final Future<String> dummyHash;

  public AuthService(Vertx vertx, UserRepository users, SessionRepository sessions, PasswordClient passwords,
                     TokenService tokens, LoginThrottle throttle, AccessChanges accessChanges, Duration refreshTtl) {
    this.vertx = vertx;
    this.users = users;
    this.sessions = sessions;
    this.passwords = passwords;
    this.tokens = tokens;
    this.throttle = throttle;
    this.accessChanges = accessChanges;
    this.refreshTtl = refreshTtl;
    // Verified against for unknown emails, so that they cost the same time as a wrong password.
    this.dummyHash = Future.succeededFuture(
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0SKYKXZ8l7b7ZqvLtQdZxYJ0Qm0wlb4CJ5Ta0Sx2Y8M");
  }

  public record Registration(String email, String username, String password, String passwordConfirm,
                             String firstName, String lastName) {
  }

  /** Tokens handed out by login and refresh. */
  public record Tokens(User user, String access, long expiresIn, String refresh, Session session) {
  }

  public Future<User> register(Registration r, ClientInfo client) {
    String email = r.email().trim();
    JsonArray errors = new JsonArray();
    if (!EMAIL.matcher(email).matches() || email.length() > 254) {
      errors.add(Problem.entry("/email", "is not a valid email address"));
    }
    if (r.passwordConfirm() != null && !r.passwordConfirm().equals(r.password())) {
      errors.add(Problem.entry("/password_confirm", "does not match password"));
    }
    if (!errors.isEmpty()) {
      return Future.failedFuture(Problem.validation("The registration is invalid", errors));
    }
    List<String> weak = PasswordPolicy.problems(r.password(), email, r.username());
    if (!weak.isEmpty()) {
      JsonArray entries = new JsonArray();
      weak.forEach(msg -> entries.add(Problem.entry("/password", "Password " + msg)));
      return Future.failedFuture(Problem.validation("The password is too weak", entries).withCode("weak_password"));
    }
    return passwords.hash(r.password())
        .compose(hash -> users.insert(new UserRepository.NewUser(email, r.username().trim(), hash,
            nz(r.firstName()), nz(r.lastName()), false, false, false)))
        .recover(UserRepository::explainConflict)
        .onSuccess(u -> vertx.eventBus().publish(Addresses.USER_REGISTERED,
            new UserRegistered(u.id().toString(), u.email(), u.username(), client.ip(), Instant.now()).toJson()));
  }

  public Future<Tokens> login(String email, String password, ClientInfo client) {
    return throttle.check(email, client.ip())
        .compose(v -> users.findByEmail(email.trim()))
        .compose(found -> {
          Future<String> hash = found.map(u -> Future.succeededFuture(u.passwordHash())).orElse(dummyHash);
          return hash.compose(h -> passwords.verify(password, h))
              .compose(check -> {
                if (found.isEmpty() || !check.valid()) {
                  return throttle.recordFailure(email, client.ip())
                      .transform(ar -> Future.failedFuture(
                          Problem.of(401, "invalid_credentials", "Email or password is incorrect")));
                }
                User user = found.get();
                if (!user.active()) {
                  return Future.failedFuture(Problem.of(403, "account_inactive", "This account is deactivated"));
                }
                return throttle.recordSuccess(email)
                    .compose(x -> users.recordLogin(user.id(), client.ip(), check.upgradedHash()))
                    .compose(x -> startSession(user, client));
              });
        });
  }

  private Future<Tokens> startSession(User user, ClientInfo client) {
    String refresh = tokens.newRefreshToken();
    return sessions.create(user.id(), TokenService.digest(refresh), refreshTtl, client.ip(), client.userAgent())
        .map(session -> {
          TokenService.AccessToken access = tokens.issueAccess(user.id().toString(), session.id().toString());
          vertx.eventBus().publish(Addresses.USER_LOGIN, new UserLogin(user.id().toString(), session.id().toString(),
              client.ip(), client.userAgent(), Instant.now()).toJson());
          return new Tokens(user, access.token(), access.expiresIn(), refresh, session);
        });
  }

  public Future<Tokens> refresh(String presented, ClientInfo client) {
    String next = tokens.newRefreshToken();
    return sessions.rotate(TokenService.digest(presented), TokenService.digest(next), refreshTtl, client.ip(),
            client.userAgent())
        .compose(rotation -> {
          if (rotation instanceof SessionRepository.Rotation.Rotated rotated) {
            Session s = rotated.session();
            TokenService.AccessToken access = tokens.issueAccess(s.userId().toString(), s.id().toString());
            return Future.succeededFuture(new Tokens(null, access.token(), access.expiresIn(), next, s));
          }
          if (rotation instanceof SessionRepository.Rotation.Reused reused) {
            return accessChanges.voidSession(reused.userId().toString(), reused.sessionId().toString())
                .transform(ar -> Future.failedFuture(Problem.of(401, "token_reused",
                    "This refresh token was already used; its session has been revoked")));
          }
          return Future.failedFuture(Problem.of(401, "token_invalid", "Refresh token is invalid or expired"));
        });
  }

  /** Ends the session that the refresh token belongs to, if it is the caller's; idempotent. */
  public Future<Void> logout(String userId, String refreshToken) {
    if (refreshToken == null) {
      return Future.succeededFuture();
    }
    UUID uid = UUID.fromString(userId);
    return sessions.findLiveByToken(TokenService.digest(refreshToken))
        .compose(found -> found.filter(s -> s.userId().equals(uid))
            .map(s -> endSession(uid, s.id()).<Void>mapEmpty())
            .orElse(Future.succeededFuture()));
  }

  public Future<Boolean> endSession(UUID userId, UUID sessionId) {
    return sessions.revoke(userId, sessionId).compose(revoked -> {
      if (!revoked) {
        return Future.succeededFuture(false);
      }
      return accessChanges.voidSession(userId.toString(), sessionId.toString())
          .onSuccess(v -> vertx.eventBus().publish(Addresses.USER_LOGOUT,
              new UserLogout(userId.toString(), sessionId.toString(), Instant.now()).toJson()))
          .map(true);
    });
  }

  public Future<Void> logoutAll(String userId) {
    UUID uid = UUID.fromString(userId);
    return sessions.revokeAll(uid, null)
        .compose(n -> accessChanges.voidAllTokens(userId))
        .onSuccess(v -> vertx.eventBus().publish(Addresses.USER_LOGOUT,
            new UserLogout(userId, null, Instant.now()).toJson()));
  }

  /** Changes the password; every access token is voided and every other session ends. */
  public Future<Void> changePassword(String userId, String sessionId, String current, String replacement) {
    UUID uid = UUID.fromString(userId);
    return users.findById(uid)
        .compose(found -> {
          User user = found.orElseThrow(() -> Problem.of(401, "token_invalid", "Account no longer exists"));
          List<String> weak = PasswordPolicy.problems(replacement, user.email(), user.username());
          if (!weak.isEmpty()) {
            JsonArray entries = new JsonArray();
            weak.forEach(msg -> entries.add(Problem.entry("/new_password", "Password " + msg)));
            return Future.failedFuture(Problem.validation("The new password is too weak", entries).withCode("weak_password"));
          }
          return passwords.verify(current, user.passwordHash()).compose(check -> {
            if (!check.valid()) {
              return Future.failedFuture(Problem.field("invalid_password", "/current_password",
                  "The current password is incorrect"));
            }
            return passwords.hash(replacement);
          });
        })
        .compose(hash -> users.updatePassword(uid, hash))
        .compose(v -> sessions.revokeAll(uid, sessionId == null ? null : UUID.fromString(sessionId)))
        .compose(n -> accessChanges.voidAllTokens(userId));
  }

  public Future<List<Session>> sessions(String userId) {
    return sessions.listLive(UUID.fromString(userId));
  }

  public Future<Void> revokeSession(String userId, String sessionId) {
    return endSession(UUID.fromString(userId), UUID.fromString(sessionId))
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
