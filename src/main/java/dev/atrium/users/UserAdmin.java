package dev.atrium.users;

import dev.atrium.access.AccessRepository;
import dev.atrium.access.AccessState;
import dev.atrium.access.AccessStates;
import dev.atrium.access.Caller;
import dev.atrium.access.DelegationPolicy;
import dev.atrium.access.User;
import dev.atrium.problem.Problem;
import dev.atrium.audit.AuditEntry;
import dev.atrium.audit.AuditedChange;
import dev.atrium.auth.Emails;
import dev.atrium.auth.SessionRepository;
import dev.atrium.auth.UserRepository;
import dev.atrium.events.Addresses;
import dev.atrium.events.UserRemoved;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The rules of changing one account through the admin routes. Every change commits with its
 * audit entry ({@link AuditedChange}); deactivation, deletion and password resets void the
 * user's credentials in that transaction, and every node hears of it after the commit. Who may
 * change whom is {@link DelegationPolicy}'s call; the last active superuser cannot be removed.
 */
public final class UserAdmin {
  private static final Set<String> CREDENTIALS = Set.of("password", "password_hash", "email");
  private static final Set<String> FLAGS = Set.of("is_active", "is_staff", "is_superuser", "is_verified");

  private final Pool pool;
  private final UsersAdminRepository repo;
  private final UserRepository users;
  private final AuditedChange changes;
  private final AccessStates states;
  private final PasswordInput passwords;
  private final UserListing listing;

  public UserAdmin(Pool pool, UsersAdminRepository repo, UserRepository users, AuditedChange changes,
                   AccessStates states, PasswordInput passwords, UserListing listing) {
    this.pool = pool;
    this.repo = repo;
    this.users = users;
    this.changes = changes;
    this.states = states;
    this.passwords = passwords;
    this.listing = listing;
  }

  public Future<JsonObject> get(UUID id) {
    var user = users.findWithProfile(id);
    var roles = repo.roleNames(pool, id);
    return Future.all(user, roles).map(v -> {
      UserRepository.UserWithProfile u = user.result().orElseThrow(() -> Problem.notFound("User"));
      return describe(u.user(), roles.result()).put("profile", u.profile().toJson());
    });
  }

  public Future<JsonObject> create(Caller actor, JsonObject b) {
    String email = Emails.require(b.getString("email"), "/email");
    String username = b.getString("username", email).trim();
    boolean privileged = b.getBoolean("is_superuser", false) || b.getBoolean("is_staff", false);
    return changes.check(actor, "user.create", "user", email, () -> DelegationPolicy.checkNewAccount(actor, privileged))
        .compose(v -> passwords.hashFor(b, email, username, true))
        .compose(hash -> changes.run(actor, "user.create", "user", email, c -> repo.insert(c.tx(),
                new UsersAdminRepository.ImportRow(email, username, hash, b.getString("first_name", ""),
                    b.getString("last_name", ""), b.getString("phone"), b.getString("department"), b.getString("position"),
                    b.getBoolean("is_active", true), b.getBoolean("is_staff", false), b.getBoolean("is_superuser", false),
                    b.getBoolean("is_verified", false), null))
            .compose(u -> c.audit("user.create", "user", u.id(), u.toJson()
                .put("password_kind", PasswordInput.kind(b))).map(u))))
        .recover(UserRepository::explainConflict)
        .map(u -> describe(u, List.of()))
        .onComplete(ar -> listing.forget());
  }

  public Future<JsonObject> update(Caller actor, UUID id, JsonObject patch) {
    if (patch.containsKey("email")) {
      patch.put("email", Emails.require(patch.getString("email"), "/email"));
    }
    boolean credentials = patch.fieldNames().stream().anyMatch(CREDENTIALS::contains);
    boolean flags = patch.fieldNames().stream().anyMatch(FLAGS::contains);
    boolean privileged = patch.containsKey("is_staff") || patch.containsKey("is_superuser");
    return target(id)
        .compose(target -> changes.check(actor, "user.update", "user", id,
            () -> DelegationPolicy.checkAccountChange(actor, target, credentials || flags, credentials, privileged)))
        .compose(v -> patch.containsKey("password") || patch.containsKey("password_hash")
            ? passwords.hashFor(patch, patch.getString("email"), patch.getString("username"), false)
            : Future.<String>succeededFuture())
        .compose(hash -> changes.run(actor, "user.update", "user", id, c -> applyUpdate(c, actor, id, patch, hash)))
        .recover(UserRepository::explainConflict)
        .onComplete(ar -> listing.forget())
        .compose(v -> get(id));
  }

  private Future<Void> applyUpdate(AuditedChange.Change c, Caller actor, UUID id, JsonObject patch, String hash) {
    // Only a change that can remove a superuser needs to see (and lock) all of them.
    boolean mayRemoveSuperuser = Boolean.FALSE.equals(patch.getBoolean("is_active"))
        || Boolean.FALSE.equals(patch.getBoolean("is_superuser"));
    return (mayRemoveSuperuser ? repo.lockActiveSuperusers(c.tx()) : Future.succeededFuture(List.<UUID>of()))
        .compose(superusers -> repo.lock(c.tx(), id).compose(found -> {
          User before = found.orElseThrow(() -> Problem.notFound("User"));
          boolean deactivating = before.active() && Boolean.FALSE.equals(patch.getBoolean("is_active"));
          boolean demoting = before.superuser() && Boolean.FALSE.equals(patch.getBoolean("is_superuser"));
          if ((before.superuser() || patch.getBoolean("is_superuser", false)) && !actor.superuser()) {
            throw Problem.of(403, "permission_denied", "Only a superuser may change a superuser or grant superuser status");
          }
          if (deactivating && id.equals(actor.id())) {
            throw Problem.of(409, "cannot_deactivate_self", "You cannot deactivate your own account");
          }
          if ((deactivating || demoting) && superusers.size() <= 1 && superusers.contains(id)) {
            throw Problem.of(409, "last_superuser", "This is the last active superuser");
          }
          JsonObject fields = new JsonObject();
          UsersAdminRepository.ADMIN_EDITABLE.forEach(f -> {
            if (patch.containsKey(f)) {
              fields.put(f, patch.getValue(f));
            }
          });
          return repo.update(c.tx(), id, fields, hash).compose(after -> {
            JsonObject diff = AuditEntry.diff(before.toJson(), after.toJson());
            diff.remove("updated_at");
            if (hash != null) {
              diff.put("password", new JsonObject().put("changed", true).put("kind", PasswordInput.kind(patch)));
            }
            boolean voidCredentials = hash != null || deactivating;
            Future<Void> voided = Future.succeededFuture();
            if (voidCredentials) {
              c.tokensVoided(id);
              voided = SessionRepository.revokeAll(c.tx(), id, null)
                  .compose(n -> AccessRepository.voidCredentials(c.tx(), id, System.currentTimeMillis()));
            } else if (diff.fieldNames().stream().anyMatch(FLAGS::contains)) {
              c.accessChanged(id);
            }
            if (deactivating) {
              c.publish(Addresses.USER_DEACTIVATED,
                  new UserRemoved(id.toString(), actor.userId(), false, Instant.now()).toJson());
            }
            return voided.compose(v -> c.audit(deactivating ? "user.deactivate" : "user.update", "user", id, diff));
          });
        }));
  }

  public Future<Void> delete(Caller actor, UUID id) {
    if (id.equals(actor.id())) {
      return Future.failedFuture(Problem.of(409, "cannot_delete_self", "You cannot delete your own account"));
    }
    return target(id)
        .compose(target -> changes.check(actor, "user.delete", "user", id,
            () -> DelegationPolicy.checkAccountChange(actor, target, true, false, false)))
        .compose(v -> changes.run(actor, "user.delete", "user", id, c -> repo.lockActiveSuperusers(c.tx())
            .compose(superusers -> repo.lock(c.tx(), id).compose(found -> {
              User user = found.orElseThrow(() -> Problem.notFound("User"));
              if (user.superuser() && !actor.superuser()) {
                throw Problem.of(403, "permission_denied", "Only a superuser may delete a superuser");
              }
              if (superusers.size() <= 1 && superusers.contains(id)) {
                throw Problem.of(409, "last_superuser", "This is the last active superuser");
              }
              c.tokensVoided(id).publish(Addresses.USER_DELETED,
                  new UserRemoved(id.toString(), actor.userId(), true, Instant.now()).toJson());
              return repo.roleNames(c.tx(), id)
                  .compose(roles -> repo.delete(c.tx(), id).compose(deleted -> c.audit("user.delete", "user", id,
                      user.toJson().put("roles", new JsonArray(roles)))));
            }))))
        .onComplete(ar -> listing.forget());
  }

  private Future<AccessState> target(UUID id) {
    return states.get(id.toString()).map(s -> s.orElseThrow(() -> Problem.notFound("User")));
  }

  static JsonObject describe(User u, List<String> roles) {
    return u.toJson().put("roles", new JsonArray(roles));
  }
}
