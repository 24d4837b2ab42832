package dev.atrium.users;

import dev.atrium.access.Caller;
import dev.atrium.limits.InFlight;
import dev.atrium.problem.Problem;
import dev.atrium.audit.AuditedChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Bulk imports, all or nothing: rows are parsed and checked first (off the event loop),
 * existing emails are skipped, never overwritten, and the rest commit in one transaction with
 * one audit entry.
 */
public final class UserImports {
  static final int MAX_IMPORTS = 4;

  private final UsersAdminRepository repo;
  private final AuditedChange changes;
  private final PasswordInput passwords;
  private final UserListing listing;
  /**
   * Parses and checks imports (up to 32 MB of JSON or CSV: tens of milliseconds of CPU) off the
   * event loop; at most {@link #MAX_IMPORTS} at once, more are refused with 503.
   */
  private final WorkerExecutor pool;
  private final InFlight running = new InFlight(MAX_IMPORTS);

  public UserImports(Vertx vertx, UsersAdminRepository repo, AuditedChange changes, PasswordInput passwords,
                     UserListing listing) {
    this.repo = repo;
    this.changes = changes;
    this.passwords = passwords;
    this.listing = listing;
    this.pool = vertx.createSharedWorkerExecutor("atrium-users-import", 2);
  }

  public record ImportResult(int created, List<JsonObject> skipped) {
  }

  public Future<Void> close() {
    return pool.close();
  }

  public Future<ImportResult> importUsers(Caller actor, Buffer body, String contentType) {
    return running.run(() -> pool.executeBlocking(() -> UserImport.parse(body, contentType, actor.superuser()), false)
            .compose(rows -> insert(actor, rows, contentType))
            .onComplete(ar -> listing.forget()))
        .orElseGet(() -> Future.failedFuture(Problem.retryLater(503, "service_busy", "Too many imports in progress", 5)));
  }

  private Future<ImportResult> insert(Caller actor, List<UserImport.Row> rows, String contentType) {
    return hashPlainPasswords(rows).compose(ready -> changes.run(actor, "users.import", "user", null, c -> {
      List<String> emails = ready.stream().map(r -> r.user().email().toLowerCase(Locale.ROOT)).toList();
      List<String> names = ready.stream().map(r -> r.user().username().toLowerCase(Locale.ROOT)).toList();
      return repo.existing(c.tx(), emails, names).compose(existing -> {
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
            : repo.insertAll(c.tx(), toInsert, actor.id(), actor.ip());
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
          return c.audit("users.import", "user", null, summary).map(new ImportResult(created.size(), skipped));
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
}
