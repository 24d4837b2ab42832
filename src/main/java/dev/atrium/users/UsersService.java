package dev.atrium.users;

import dev.atrium.api.Pages;
import dev.atrium.api.Problem;
import dev.atrium.audit.Actor;
import dev.atrium.audit.AuditEntry;
import dev.atrium.audit.AuditLog;
import dev.atrium.auth.AccessChanges;
import dev.atrium.auth.AccessState;
import dev.atrium.auth.AccessStates;
import dev.atrium.auth.PasswordClient;
import dev.atrium.auth.PasswordHashing;
import dev.atrium.auth.PasswordPolicy;
import dev.atrium.events.Addresses;
import dev.atrium.events.UserRemoved;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The rules of user administration. Every change commits together with its audit entry; after
 * the commit, deactivation, deletion and password resets void the user's tokens on every node,
 * and flag changes drop their cached permissions. Only superusers may create, change or remove
 * superusers, and the last active superuser cannot be removed.
 */
public final class UsersService {
  /** Stored for accounts without a usable password: no hash format matches it, so login always fails. */
  public static final String UNUSABLE_PASSWORD = "!unusable";
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]{2,}$");

  private final Vertx vertx;
  private final Pool pool;
  private final UsersAdminRepository repo;
  private final UserRepository users;
  private final AuditLog audit;
  private final AccessStates states;
  private final AccessChanges changes;
  private final PasswordClient passwords;
  private final SecureRandom random = new SecureRandom();
  /**
   * Parses and checks imports (up to 32 MB of JSON or CSV: tens of milliseconds of CPU) off the
   * event loop; at most {@link #MAX_IMPORTS} at once, more are refused with 503.
   */
  private final WorkerExecutor importPool;
  private final AtomicInteger importsRunning = new AtomicInteger();
  static final int MAX_IMPORTS = 4;
  /**
   * Pages of the admin list for a moment (ATRIUM_USERS_LIST_CACHE): an admin screen and scripts
   * re-run the same query, and its count can cost tens of milliseconds on a large table. Any
   * access change seen by this node (grants, deactivations, deletions on any node; logouts)
   * and every change made here empty it; other edits on other nodes show within the lifetime.
   */
  private final Cache<ListKey, Future<Listing>> listCache;

  public UsersService(Vertx vertx, UsersAdminRepository repo, UserRepository users, AuditLog audit, AccessStates states,
                      AccessChanges changes, PasswordClient passwords, Duration listCacheTtl) {
    this.vertx = vertx;
    this.pool = repo.pool();
    this.repo = repo;
    this.users = users;
    this.audit = audit;
    this.states = states;
    this.changes = changes;
    this.passwords = passwords;
    this.importPool = vertx.createSharedWorkerExecutor("atrium-users-import", 2);
    this.listCache = Caffeine.newBuilder().maximumSize(listCacheTtl.isZero() ? 0 : 10_000)
        .expireAfterWrite(listCacheTtl.isZero() ? Duration.ofMillis(1) : listCacheTtl).build();
    vertx.eventBus().consumer(Addresses.ACCESS_CHANGED, m -> listCache.invalidateAll());
  }

  public record ImportResult(int created, List<JsonObject> skipped) {
  }

  /** A page of the list, already encoded (so a cached page is not rebuilt or re-encoded per request). */
  public record Listing(long count, int size, Buffer results) {
  }

  /** A cached page: the filters and the page (both records, so they compare by value). */
  private record ListKey(UserQuery query, Pages pages) {
  }

  public Future<Listing> list(UserQuery query, Pages pages) {
    ListKey key = new ListKey(query, pages);
    // The future itself is cached, so concurrent requests for an expired page share one query.
    Future<Listing> listed = listCache.get(key, k -> repo.list(query, pages.size(), pages.offset())
        .map(l -> {
          JsonArray results = new JsonArray();
          l.users().forEach(u -> results.add(u.toJson()));
          return new Listing(l.count(), results.size(), results.toBuffer());
        }));
    return listed.onFailure(t -> listCache.asMap().remove(key, listed));
  }

  /** Releases the import pool. */
  public Future<Void> close() {
    return importPool.close();
  }

  private <T> Future<T> changed(Future<T> result) {
    return result.onComplete(ar -> listCache.invalidateAll());
  }

  public Future<JsonObject> get(UUID id) {
    var user = users.findWithProfile(id);
    var roles = repo.roleNames(pool, id);
    return Future.all(user, roles).map(v -> {
      UserRepository.UserWithProfile u = user.result().orElseThrow(() -> Problem.notFound("User"));
      return describe(u.user(), roles.result()).put("profile", u.profile().toJson());
    });
  }

  public Future<JsonObject> create(Actor caller, JsonObject b) {
    return changed(createUser(caller, b));
  }

  private Future<JsonObject> createUser(Actor caller, JsonObject b) {
    return withSuperuserFlag(caller).compose(actor -> {
      if (b.getBoolean("is_superuser", false) && !actor.superuser()) {
        throw denied("Only a superuser may create a superuser");
      }
      String email = b.getString("email").trim();
      String username = b.getString("username", email).trim();
      checkEmail(email);
      return passwordHash(b, email, username, true)
          .compose(hash -> pool.withTransaction(tx -> repo.insert(tx, new UsersAdminRepository.ImportRow(email, username,
                  hash, b.getString("first_name", ""), b.getString("last_name", ""), b.getString("phone"),
                  b.getString("department"), b.getString("position"), b.getBoolean("is_active", true),
                  b.getBoolean("is_staff", false), b.getBoolean("is_superuser", false),
                  b.getBoolean("is_verified", false), null))
              .compose(u -> audit.record(tx, actor, "user.create", "user", u.id(), u.toJson()
                  .put("password_kind", passwordKind(b))).map(u))))
          .recover(UserRepository::explainConflict)
          .map(u -> describe(u, List.of()));
    });
  }

  public Future<JsonObject> update(Actor caller, UUID id, JsonObject patch) {
    return changed(updateUser(caller, id, patch));
  }

  private Future<JsonObject> updateUser(Actor caller, UUID id, JsonObject patch) {
    boolean[] voidTokens = new boolean[1];
    boolean[] accessChanged = new boolean[1];
    return withSuperuserFlag(caller).compose(actor -> {
      if (patch.containsKey("email")) {
        checkEmail(patch.getString("email"));
      }
      Future<String> newHash = Future.succeededFuture();
      if (patch.containsKey("password") || patch.containsKey("password_hash")) {
        newHash = passwordHash(patch, patch.getString("email"), patch.getString("username"), false);
      }
      // Only a change that can remove a superuser needs to see (and lock) all of them.
      boolean mayRemoveSuperuser = Boolean.FALSE.equals(patch.getBoolean("is_active"))
          || Boolean.FALSE.equals(patch.getBoolean("is_superuser"));
      return newHash.compose(hash -> pool.withTransaction(tx -> (mayRemoveSuperuser ? repo.lockActiveSuperusers(tx)
              : Future.succeededFuture(List.<UUID>of()))
          .compose(superusers -> repo.lock(tx, id).compose(found -> {
            User before = found.orElseThrow(() -> Problem.notFound("User"));
            boolean deactivating = before.active() && Boolean.FALSE.equals(patch.getBoolean("is_active"));
            boolean demoting = before.superuser() && Boolean.FALSE.equals(patch.getBoolean("is_superuser"));
            if ((before.superuser() || patch.getBoolean("is_superuser", false)) && !actor.superuser()) {
              throw denied("Only a superuser may change a superuser or grant superuser status");
            }
            if (deactivating && id.equals(actor.userId())) {
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
            return repo.update(tx, id, fields, hash).compose(after -> {
              JsonObject diff = AuditEntry.diff(before.toJson(), after.toJson());
              diff.remove("updated_at");
              if (hash != null) {
                diff.put("password", new JsonObject().put("changed", true).put("kind", passwordKind(patch)));
              }
              voidTokens[0] = hash != null || deactivating;
              accessChanged[0] = diff.containsKey("is_active") || diff.containsKey("is_superuser")
                  || diff.containsKey("is_staff");
              Future<Void> sessions = voidTokens[0] ? repo.revokeSessions(tx, id) : Future.succeededFuture();
              String action = deactivating ? "user.deactivate" : "user.update";
              return sessions.compose(v -> audit.record(tx, actor, action, "user", id, diff)).map(after);
            });
          }))))
          .recover(UserRepository::explainConflict);
    }).compose(after -> {
      Future<Void> announced = voidTokens[0] ? changes.voidAllTokens(id.toString())
          : accessChanged[0] ? changes.permissionsChanged(id.toString()) : Future.succeededFuture();
      if (voidTokens[0] && !after.active()) {
        vertx.eventBus().publish(Addresses.USER_DEACTIVATED,
            new UserRemoved(id.toString(), caller.userId().toString(), false, Instant.now()).toJson());
      }
      return announced.compose(v -> get(id));
    });
  }

  public Future<Void> delete(Actor caller, UUID id) {
    return changed(deleteUser(caller, id));
  }

  private Future<Void> deleteUser(Actor caller, UUID id) {
    if (id.equals(caller.userId())) {
      return Future.failedFuture(Problem.of(409, "cannot_delete_self", "You cannot delete your own account"));
    }
    return withSuperuserFlag(caller).compose(actor -> pool.withTransaction(tx -> repo.lockActiveSuperusers(tx)
            .compose(superusers -> repo.lock(tx, id).compose(found -> {
              User user = found.orElseThrow(() -> Problem.notFound("User"));
              if (user.superuser() && !actor.superuser()) {
                throw denied("Only a superuser may delete a superuser");
              }
              if (superusers.size() <= 1 && superusers.contains(id)) {
                throw Problem.of(409, "last_superuser", "This is the last active superuser");
              }
              return repo.roleNames(tx, id)
                  .compose(roles -> repo.delete(tx, id).compose(v -> audit.record(tx, actor, "user.delete", "user", id,
                      user.toJson().put("roles", new JsonArray(roles)))));
            }))))
        .compose(v -> changes.voidAllTokens(id.toString()))
        .onSuccess(v -> vertx.eventBus().publish(Addresses.USER_DELETED,
            new UserRemoved(id.toString(), caller.userId().toString(), true, Instant.now()).toJson()));
  }

  /** All-or-nothing: rows are checked first; existing emails are skipped, never overwritten. */
  public Future<ImportResult> importUsers(Actor caller, Buffer body, String contentType) {
    return changed(importAll(caller, body, contentType));
  }

  private Future<ImportResult> importAll(Actor caller, Buffer body, String contentType) {
    if (importsRunning.incrementAndGet() > MAX_IMPORTS) {
      importsRunning.decrementAndGet();
      return Future.failedFuture(Problem.retryLater(503, "service_busy", "Too many imports in progress", 5));
    }
    return withSuperuserFlag(caller).compose(actor -> importPool
            .executeBlocking(() -> UserImport.parse(body, contentType, actor.superuser()), false)
            .compose(rows -> insertImport(actor, rows, contentType)))
        .onComplete(ar -> importsRunning.decrementAndGet());
  }

  private Future<ImportResult> insertImport(Actor actor, List<UserImport.Row> rows, String contentType) {
    return hashPlainPasswords(rows).compose(ready -> pool.withTransaction(tx -> {
      List<String> emails = ready.stream().map(r -> r.user().email().toLowerCase(Locale.ROOT)).toList();
      List<String> names = ready.stream().map(r -> r.user().username().toLowerCase(Locale.ROOT)).toList();
      return repo.existing(tx, emails, names).compose(existing -> {
        Set<String> takenEmails = existing.get("emails");
        Set<String> takenNames = existing.get("usernames");
        List<UsersAdminRepository.ImportRow> toInsert = new ArrayList<>();
        List<JsonObject> skipped = new ArrayList<>();
        JsonArray errors = new JsonArray();
        for (UserImport.Row r : ready) {
          String email = r.user().email().toLowerCase(Locale.ROOT);
          if (takenEmails.contains(email)) {
            skipped.add(new JsonObject().put("row", r.index()).put("email", r.user().email())
                .put("reason", "email_exists"));
          } else if (takenNames.contains(r.user().username().toLowerCase(Locale.ROOT))) {
            errors.add(Problem.entry("/" + r.index() + "/username", "is taken by another account"));
          } else {
            toInsert.add(r.user());
          }
        }
        if (!errors.isEmpty()) {
          throw Problem.validation("The import has " + errors.size() + " error(s); nothing was imported", errors);
        }
        Future<List<Map.Entry<UUID, String>>> inserted = toInsert.isEmpty() ? Future.succeededFuture(List.of())
            : repo.insertAll(tx, toInsert, actor.userId(), actor.ip());
        return inserted.compose(created -> {
          Set<String> createdEmails = new HashSet<>();
          created.forEach(e -> createdEmails.add(e.getValue().toLowerCase(Locale.ROOT)));
          for (UsersAdminRepository.ImportRow r : toInsert) {
            if (!createdEmails.contains(r.email().toLowerCase(Locale.ROOT))) {
              skipped.add(new JsonObject().put("email", r.email()).put("reason", "email_exists"));
            }
          }
          JsonObject summary = new JsonObject().put("format", contentType == null ? "json" : contentType)
              .put("rows", rows.size()).put("created", created.size()).put("skipped", skipped.size());
          return audit.record(tx, actor, "users.import", "user", null, summary)
              .map(new ImportResult(created.size(), skipped));
        });
      });
    }));
  }

  /** Hashes the few plain-text passwords one after another, so an import never floods the hashing pool. */
  private Future<List<UserImport.Row>> hashPlainPasswords(List<UserImport.Row> rows) {
    List<UserImport.Row> out = new ArrayList<>(rows);
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < out.size(); i++) {
      UserImport.Row r = out.get(i);
      if (r.plainPassword() == null) {
        continue;
      }
      int at = i;
      chain = chain.compose(v -> passwords.hash(r.plainPassword()).map(hash -> {
        UsersAdminRepository.ImportRow u = r.user();
        out.set(at, new UserImport.Row(r.index(), new UsersAdminRepository.ImportRow(u.email(), u.username(), hash,
            u.firstName(), u.lastName(), u.phone(), u.department(), u.position(), u.active(), u.staff(), u.superuser(),
            u.verified(), u.createdAt()), null));
        return null;
      }));
    }
    return chain.map(out);
  }

  private Future<Actor> withSuperuserFlag(Actor actor) {
    return states.get(actor.userId().toString())
        .map(s -> actor.asSuperuser(s.map(AccessState::superuser).orElse(false)));
  }

  /** The hash to store: from {@code password} (checked, then Argon2id) or an existing {@code password_hash}. */
  private Future<String> passwordHash(JsonObject b, String email, String username, boolean creating) {
    String plain = b.getString("password");
    String hash = b.getString("password_hash");
    if (plain != null && hash != null) {
      return Future.failedFuture(Problem.field("validation_failed", "/password_hash",
          "Give either password or password_hash, not both"));
    }
    if (hash != null) {
      if (!PasswordHashing.isSupportedHash(hash)) {
        return Future.failedFuture(Problem.field("validation_failed", "/password_hash",
            "must be a Django pbkdf2_sha256$... or an Argon2id PHC string"));
      }
      String tooCostly = PasswordHashing.tooCostly(hash);
      if (tooCostly != null) {
        return Future.failedFuture(Problem.field("hash_too_costly", "/password_hash", "The hash " + tooCostly));
      }
      return Future.succeededFuture(hash);
    }
    if (plain == null) {
      return Future.succeededFuture(creating ? UNUSABLE_PASSWORD + randomSuffix() : null);
    }
    List<String> weak = PasswordPolicy.problems(plain, email == null ? "" : email, username == null ? "" : username);
    if (!weak.isEmpty()) {
      JsonArray entries = new JsonArray();
      weak.forEach(msg -> entries.add(Problem.entry("/password", "Password " + msg)));
      return Future.failedFuture(Problem.validation("The password is too weak", entries).withCode("weak_password"));
    }
    return passwords.hash(plain);
  }

  private String randomSuffix() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String passwordKind(JsonObject b) {
    if (b.getString("password_hash") != null) {
      return b.getString("password_hash").startsWith("pbkdf2_sha256$") ? "django_pbkdf2" : "argon2id";
    }
    return b.getString("password") != null ? "set" : "none";
  }

  private static void checkEmail(String email) {
    if (email == null || email.length() > 254 || !EMAIL.matcher(email.trim()).matches()) {
      throw Problem.field("validation_failed", "/email", "is not a valid email address");
    }
  }

  static JsonObject describe(User u, List<String> roles) {
    return u.toJson().put("roles", new JsonArray(roles));
  }

  private static Problem denied(String detail) {
    return Problem.of(403, "permission_denied", detail);
  }
}
