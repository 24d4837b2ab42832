package dev.atrium.apikeys;

import dev.atrium.access.ApiKeyAuth;
import dev.atrium.access.Caller;
import dev.atrium.api.Timestamps;
import dev.atrium.problem.Problem;
import dev.atrium.audit.AuditedChange;
import dev.atrium.auth.PasswordHasher;
import dev.atrium.auth.SessionRepository;
import dev.atrium.auth.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/**
 * Creating, listing and revoking the caller's own API keys. A key lives at most
 * {@code maxTtl} (that long when no expiry is asked for), and creating one needs the password
 * again unless the session signed in within the last {@link #RECENT_SIGN_IN}: a stolen access
 * token alone cannot mint a long-lived credential.
 */
public final class ApiKeyService {
  static final Duration RECENT_SIGN_IN = Duration.ofMinutes(5);

  private final ApiKeyRepository repo;
  private final AuditedChange changes;
  private final ApiKeyAuth auth;
  private final PasswordHasher passwords;
  private final UserRepository users;
  private final SessionRepository sessions;
  private final Duration maxTtl;
  private final SecureRandom random = new SecureRandom();

  public ApiKeyService(ApiKeyRepository repo, AuditedChange changes, ApiKeyAuth auth, PasswordHasher passwords,
                       UserRepository users, SessionRepository sessions, Duration maxTtl) {
    this.repo = repo;
    this.changes = changes;
    this.auth = auth;
    this.passwords = passwords;
    this.users = users;
    this.sessions = sessions;
    this.maxTtl = maxTtl;
  }

  /** A new key and the only copy of its secret. */
  public record Created(ApiKey key, String secret) {
  }

  public Future<Created> create(Caller actor, String name, List<String> permissions, OffsetDateTime expiresAt,
                                String password) {
    OffsetDateTime latest = OffsetDateTime.now().plus(maxTtl);
    if (expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now())) {
      return Future.failedFuture(Problem.field("validation_failed", "/expires_at", "must be in the future"));
    }
    if (expiresAt != null && expiresAt.isAfter(latest.plusMinutes(1))) {
      return Future.failedFuture(Problem.field("api_key_lifetime_too_long", "/expires_at",
          "must be at most " + maxTtl.toDays() + " days ahead"));
    }
    JsonArray missing = new JsonArray();
    for (int i = 0; i < permissions.size(); i++) {
      if (!actor.may(permissions.get(i))) {
        missing.add(Problem.entry("/permissions/" + i, "You do not hold '" + permissions.get(i) + "'"));
      }
    }
    if (!missing.isEmpty()) {
      return Future.failedFuture(Problem.validation("A key can only carry permissions you hold", missing)
          .withCode("permission_not_held"));
    }
    List<String> scopes = new ArrayList<>(new LinkedHashSet<>(permissions));
    OffsetDateTime expires = expiresAt == null ? latest : expiresAt;
    return reauthenticated(actor, password).compose(v -> {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String secret = ApiKeyAuth.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      return changes.run(actor, "api_key.create", "api_key", null, c -> repo.insert(c.tx(), actor.id(), name,
              ApiKeyAuth.digest(secret), secret.substring(0, ApiKeyAuth.PREFIX.length() + 6), scopes, expires)
          .compose(k -> c.audit("api_key.create", "api_key", k.id(), new JsonObject()
              .put("name", name).put("owner_id", actor.userId()).put("permissions", new JsonArray(scopes))
              .put("expires_at", Timestamps.format(expires))).map(new Created(k, secret))));
    });
  }

  /** The password again, or a sign-in of this session within the last few minutes. */
  private Future<Void> reauthenticated(Caller actor, String password) {
    if (password != null) {
      return users.findById(actor.id())
          .compose(u -> passwords.verify(password, u.orElseThrow(() -> Problem.notFound("User")).passwordHash()))
          .compose(check -> check.valid() ? Future.<Void>succeededFuture()
              : Future.failedFuture(Problem.field("invalid_password", "/password", "The password is incorrect")));
    }
    if (actor.sessionId() == null) {
      return Future.failedFuture(Problem.of(403, "reauthentication_required", "Send your password to create a key"));
    }
    return sessions.signedInAt(actor.id(), UUID.fromString(actor.sessionId())).compose(at -> {
      if (at.isPresent() && at.get().isAfter(OffsetDateTime.now().minus(RECENT_SIGN_IN))) {
        return Future.succeededFuture();
      }
      return Future.failedFuture(Problem.of(403, "reauthentication_required",
          "Send your password (or sign in again) to create a key"));
    });
  }

  public Future<List<ApiKey>> list(Caller caller) {
    return repo.list(caller.id());
  }

  /** Revokes the key; every node forgets it before this returns (the owner's access-change announcement). */
  public Future<Void> revoke(Caller actor, UUID keyId) {
    return changes.run(actor, "api_key.revoke", "api_key", keyId, c -> repo.revoke(c.tx(), actor.id(), keyId)
            .compose(found -> {
              ApiKey k = found.orElseThrow(() -> Problem.notFound("API key"));
              c.accessChanged(actor.id());
              return c.audit("api_key.revoke", "api_key", k.id(), new JsonObject().put("name", k.name())
                  .put("owner_id", k.userId().toString()));
            }))
        // Forget it here too: the event-bus notice of the announcement is asynchronous.
        .onSuccess(v -> auth.forgetOwner(actor.userId()));
  }
}
