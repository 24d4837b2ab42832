package dev.atrium.rbac;

import dev.atrium.api.Problem;
import dev.atrium.audit.Actor;
import dev.atrium.audit.AuditEntry;
import dev.atrium.audit.AuditLog;
import dev.atrium.auth.AccessChanges;
import dev.atrium.db.SqlStates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Roles, permissions and grants. Each change and its audit entry commit together; after the
 * commit, every affected user's cached access is dropped on every node (AccessChanges).
 */
public final class RbacService {
  private static final Logger LOG = LoggerFactory.getLogger(RbacService.class);
  /**
   * Above this many affected users a change is not announced user by user: every node's access
   * cache forgets entries within half a second anyway (AccessStates.MAX_AGE_MS).
   */
  private static final int ANNOUNCE_LIMIT = 2_000;

  private final Pool pool;
  private final RbacRepository repo;
  private final AuditLog audit;
  private final AccessChanges changes;

  public RbacService(RbacRepository repo, AuditLog audit, AccessChanges changes) {
    this.pool = repo.pool();
    this.repo = repo;
    this.audit = audit;
    this.changes = changes;
  }

  public record Page<T>(long count, List<T> items) {
  }

  // ---- permissions

  public Future<Page<Permission>> permissions(String module, int limit, long offset) {
    var count = repo.countPermissions(module);
    var items = repo.listPermissions(module, limit, offset);
    return Future.all(count, items).map(v -> new Page<>(count.result(), items.result()));
  }

  public Future<Permission> permission(long id) {
    return repo.findPermission(pool, id).map(p -> p.orElseThrow(() -> Problem.notFound("Permission")));
  }

  public Future<Permission> createPermission(Actor actor, JsonObject b) {
    return pool.withTransaction(tx -> repo.insertPermission(tx, b.getString("codename"), b.getString("name"),
                b.getString("description", ""), b.getString("module"))
            .compose(p -> audit.record(tx, actor, "permission.create", "permission", p.id(), p.toJson()).map(p)))
        .recover(RbacService::permissionConflict);
  }

  public Future<Permission> updatePermission(Actor actor, long id, JsonObject patch) {
    List<UUID> affected = new ArrayList<>();
    return pool.withTransaction(tx -> repo.findPermission(tx, id).compose(found -> {
          Permission before = found.orElseThrow(() -> Problem.notFound("Permission"));
          if (before.builtin() && patch.containsKey("codename") && !before.codename().equals(patch.getString("codename"))) {
            throw Problem.of(409, "builtin_protected", "A built-in permission keeps its codename");
          }
          return repo.updatePermission(tx, id, patch)
              .compose(after -> audit.record(tx, actor, "permission.update", "permission", id,
                      AuditEntry.diff(before.toJson(), after.toJson()))
                  .compose(v -> repo.usersHoldingPermission(tx, id)).map(users -> {
                    affected.addAll(users);
                    return after;
                  }));
        }))
        .recover(RbacService::permissionConflict)
        .compose(p -> announce(affected).map(p));
  }

  public Future<Void> deletePermission(Actor actor, long id) {
    List<UUID> affected = new ArrayList<>();
    return pool.withTransaction(tx -> repo.findPermission(tx, id).compose(found -> {
          Permission p = found.orElseThrow(() -> Problem.notFound("Permission"));
          if (p.builtin()) {
            throw Problem.of(409, "builtin_protected", "Built-in permissions cannot be deleted");
          }
          return repo.usersHoldingPermission(tx, id)
              .compose(users -> {
                affected.addAll(users);
                return repo.deletePermission(tx, id);
              })
              .compose(v -> audit.record(tx, actor, "permission.delete", "permission", id, p.toJson()));
        }))
        .compose(v -> announce(affected));
  }

  // ---- roles

  public Future<Page<Role>> roles(int limit, long offset) {
    var count = repo.countRoles();
    var items = repo.listRoles(limit, offset);
    return Future.all(count, items).map(v -> new Page<>(count.result(), items.result()));
  }

  public Future<Role> role(long id) {
    return repo.findRole(pool, id).map(r -> r.orElseThrow(() -> Problem.notFound("Role")));
  }

  public Future<Role> createRole(Actor actor, JsonObject b) {
    List<String> codenames = strings(b.getJsonArray("permissions", new JsonArray()));
    return pool.withTransaction(tx -> resolvePermissions(tx, codenames)
            .compose(ids -> repo.insertRole(tx, b.getString("name"), b.getString("description", ""),
                    b.getBoolean("is_active", true))
                .compose(roleId -> repo.setRolePermissions(tx, roleId, ids).map(roleId)))
            .compose(roleId -> repo.findRole(tx, roleId)).map(r -> r.orElseThrow())
            .compose(role -> audit.record(tx, actor, "role.create", "role", role.id(), role.toJson()).map(role)))
        .recover(RbacService::roleConflict);
  }

  public Future<Role> updateRole(Actor actor, long id, JsonObject patch) {
    List<UUID> affected = new ArrayList<>();
    return pool.withTransaction(tx -> repo.lockRole(tx, id).compose(found -> {
          Role before = found.orElseThrow(() -> Problem.notFound("Role"));
          if (before.builtin() && patch.containsKey("name") && !before.name().equals(patch.getString("name"))) {
            throw Problem.of(409, "builtin_protected", "A built-in role keeps its name");
          }
          Future<Void> perms = Future.succeededFuture();
          if (patch.containsKey("permissions")) {
            perms = resolvePermissions(tx, strings(patch.getJsonArray("permissions")))
                .compose(ids -> repo.setRolePermissions(tx, id, ids));
          }
          return perms.compose(v -> repo.updateRole(tx, id, patch))
              .compose(v -> repo.findRole(tx, id)).map(r -> r.orElseThrow())
              .compose(after -> audit.record(tx, actor, "role.update", "role", id,
                      AuditEntry.diff(before.toJson(), after.toJson()))
                  .compose(v -> repo.usersWithRole(tx, id))
                  .map(users -> {
                    affected.addAll(users);
                    return after;
                  }));
        }))
        .recover(RbacService::roleConflict)
        .compose(r -> announce(affected).map(r));
  }

  public Future<Void> deleteRole(Actor actor, long id) {
    List<UUID> affected = new ArrayList<>();
    return pool.withTransaction(tx -> repo.lockRole(tx, id).compose(found -> {
          Role role = found.orElseThrow(() -> Problem.notFound("Role"));
          if (role.builtin()) {
            throw Problem.of(409, "builtin_protected", "Built-in roles cannot be deleted");
          }
          return repo.usersWithRole(tx, id)
              .compose(users -> {
                affected.addAll(users);
                return repo.deleteRole(tx, id);
              })
              .compose(v -> audit.record(tx, actor, "role.delete", "role", id,
                  role.toJson().put("grants_removed", affected.size())));
        }))
        .compose(v -> announce(affected));
  }

  // ---- grants

  public Future<List<Grant>> grants(UUID userId) {
    return repo.userExists(pool, userId).compose(exists -> {
      if (!exists) {
        return Future.failedFuture(Problem.notFound("User"));
      }
      return repo.listGrants(userId);
    });
  }

  /** Grants a role by {@code role_id} or {@code role} (its name), optionally until {@code expires_at}. */
  public Future<Grant> grant(Actor actor, UUID userId, Long roleId, String roleName, OffsetDateTime expiresAt) {
    if (roleId == null && roleName == null) {
      return Future.failedFuture(Problem.field("validation_failed", "/role_id", "Give role_id or role"));
    }
    if (expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now())) {
      return Future.failedFuture(Problem.field("validation_failed", "/expires_at", "must be in the future"));
    }
    return pool.withTransaction(tx -> repo.userExists(tx, userId)
            .compose(exists -> {
              if (!exists) {
                throw Problem.notFound("User");
              }
              return roleId != null ? repo.findRole(tx, roleId) : repo.findRoleByName(tx, roleName);
            })
            .compose(role -> {
              Role r = role.orElseThrow(() -> Problem.field("unknown_role", roleId != null ? "/role_id" : "/role",
                  "No such role"));
              return repo.grant(tx, userId, r.id(), actor.userId(), expiresAt);
            })
            .compose(granted -> {
              Grant g = granted.orElseThrow(() -> Problem.conflict("already_granted", "/role_id",
                  "The user already holds this role"));
              return audit.record(tx, actor, "role.grant", "user", userId, g.snapshot()).map(g);
            }))
        .compose(g -> changes.permissionsChanged(userId.toString()).map(g));
  }

  public Future<Void> revoke(Actor actor, UUID userId, long roleId) {
    return pool.withTransaction(tx -> repo.revoke(tx, userId, roleId).compose(revoked -> {
          Grant g = revoked.orElseThrow(() -> Problem.notFound("Grant"));
          return audit.record(tx, actor, "role.revoke", "user", userId, g.snapshot());
        }))
        .compose(v -> changes.permissionsChanged(userId.toString()));
  }

  // ---- helpers

  private Future<List<Long>> resolvePermissions(io.vertx.sqlclient.SqlClient tx, List<String> codenames) {
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(codenames));
    if (unique.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return repo.permissionIds(tx, unique).map(known -> {
      JsonArray errors = new JsonArray();
      for (int i = 0; i < codenames.size(); i++) {
        if (!known.containsKey(codenames.get(i))) {
          errors.add(Problem.entry("/permissions/" + i, "Unknown permission '" + codenames.get(i) + "'"));
        }
      }
      if (!errors.isEmpty()) {
        throw Problem.validation("The role names unknown permissions", errors).withCode("unknown_permission");
      }
      return unique.stream().map(known::get).toList();
    });
  }

  private Future<Void> announce(List<UUID> users) {
    if (users.size() > ANNOUNCE_LIMIT) {
      LOG.info("Access of {} users changed; caches expire them within a second", users.size());
      return Future.succeededFuture();
    }
    List<Future<Void>> sent = new ArrayList<>();
    for (UUID u : users) {
      sent.add(changes.permissionsChanged(u.toString()));
    }
    return Future.all(sent).mapEmpty();
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(o -> out.add(String.valueOf(o)));
    return out;
  }

  private static <T> Future<T> permissionConflict(Throwable t) {
    if (SqlStates.isUniqueViolation(t, null)) {
      return Future.failedFuture(Problem.conflict("permission_exists", "/codename", "A permission with this codename exists"));
    }
    return Future.failedFuture(t);
  }

  private static <T> Future<T> roleConflict(Throwable t) {
    if (SqlStates.isUniqueViolation(t, null)) {
      return Future.failedFuture(Problem.conflict("role_exists", "/name", "A role with this name exists"));
    }
    return Future.failedFuture(t);
  }

}
