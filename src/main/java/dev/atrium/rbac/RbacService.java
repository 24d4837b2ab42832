package dev.atrium.rbac;

import dev.atrium.access.AccessState;
import dev.atrium.access.AccessStates;
import dev.atrium.access.Caller;
import dev.atrium.access.DelegationPolicy;
import dev.atrium.api.Page;
import dev.atrium.problem.Problem;
import dev.atrium.audit.AuditEntry;
import dev.atrium.audit.AuditedChange;
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

/**
 * Roles, permissions and grants. Each change and its audit entry commit together; after the
 * commit, every affected user's cached access is dropped on every node ({@link AuditedChange}).
 * What an actor may hand out is decided by {@link DelegationPolicy}.
 */
public final class RbacService {
  private final Pool pool;
  private final RbacRepository repo;
  private final AuditedChange changes;
  private final AccessStates states;

  public RbacService(Pool pool, RbacRepository repo, AuditedChange changes, AccessStates states) {
    this.pool = pool;
    this.repo = repo;
    this.changes = changes;
    this.states = states;
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

  public Future<Permission> createPermission(Caller actor, JsonObject b) {
    String codename = b.getString("codename");
    // A new permission is held by nobody but superusers (through the admin role): nothing to delegate.
    return changes.<Permission>run(actor, "permission.create", "permission", codename, c ->
            repo.insertPermission(c.tx(), codename, b.getString("name"), b.getString("description", ""),
                    b.getString("module"))
                .compose(p -> c.audit("permission.create", "permission", p.id(), p.toJson()).map(p)))
        .recover(RbacService::permissionConflict);
  }

  public Future<Permission> updatePermission(Caller actor, long id, JsonObject patch) {
    return changes.<Permission>run(actor, "permission.update", "permission", id, c -> repo.findPermission(c.tx(), id)
            .compose(found -> {
              Permission before = found.orElseThrow(() -> Problem.notFound("Permission"));
              if (before.builtin() && patch.containsKey("codename") && !before.codename().equals(patch.getString("codename"))) {
                throw Problem.of(409, "builtin_protected", "A built-in permission keeps its codename");
              }
              DelegationPolicy.checkPermissionChange(actor, before.codename());
              return repo.updatePermission(c.tx(), id, patch)
                  .compose(after -> c.audit("permission.update", "permission", id,
                          AuditEntry.diff(before.toJson(), after.toJson()))
                      .compose(v -> repo.usersHoldingPermission(c.tx(), id))
                      .map(users -> {
                        c.accessChanged(users);
                        return after;
                      }));
            }))
        .recover(RbacService::permissionConflict);
  }

  public Future<Void> deletePermission(Caller actor, long id) {
    return changes.run(actor, "permission.delete", "permission", id, c -> repo.findPermission(c.tx(), id)
        .compose(found -> {
          Permission p = found.orElseThrow(() -> Problem.notFound("Permission"));
          if (p.builtin()) {
            throw Problem.of(409, "builtin_protected", "Built-in permissions cannot be deleted");
          }
          DelegationPolicy.checkPermissionChange(actor, p.codename());
          return repo.usersHoldingPermission(c.tx(), id)
              .compose(users -> {
                c.accessChanged(users);
                return repo.deletePermission(c.tx(), id);
              })
              .compose(v -> c.audit("permission.delete", "permission", id, p.toJson()));
        }));
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

  public Future<Role> createRole(Caller actor, JsonObject b) {
    List<String> codenames = strings(b.getJsonArray("permissions", new JsonArray()));
    return changes.<Role>run(actor, "role.create", "role", b.getString("name"), c -> resolvePermissions(c.tx(), codenames)
            .compose(ids -> {
              DelegationPolicy.checkNewRole(actor, codenames);
              return repo.insertRole(c.tx(), b.getString("name"), b.getString("description", ""),
                      b.getBoolean("is_active", true))
                  .compose(roleId -> repo.setRolePermissions(c.tx(), roleId, ids).map(roleId));
            })
            .compose(roleId -> repo.findRole(c.tx(), roleId)).map(r -> r.orElseThrow())
            .compose(role -> c.audit("role.create", "role", role.id(), role.toJson()).map(role)))
        .recover(RbacService::roleConflict);
  }

  public Future<Role> updateRole(Caller actor, long id, JsonObject patch) {
    return changes.<Role>run(actor, "role.update", "role", id, c -> repo.lockRole(c.tx(), id).compose(found -> {
          Role before = found.orElseThrow(() -> Problem.notFound("Role"));
          if (before.builtin() && patch.containsKey("name") && !before.name().equals(patch.getString("name"))) {
            throw Problem.of(409, "builtin_protected", "A built-in role keeps its name");
          }
          Future<Void> perms = Future.succeededFuture();
          List<String> after = patch.containsKey("permissions") ? strings(patch.getJsonArray("permissions"))
              : before.permissions();
          DelegationPolicy.checkRoleChange(actor, before.builtin(), holds(actor, before), before.permissions(), after);
          if (patch.containsKey("permissions")) {
            perms = resolvePermissions(c.tx(), after).compose(ids -> repo.setRolePermissions(c.tx(), id, ids));
          }
          return perms.compose(v -> repo.updateRole(c.tx(), id, patch))
              .compose(v -> repo.findRole(c.tx(), id)).map(r -> r.orElseThrow())
              .compose(updated -> c.audit("role.update", "role", id, AuditEntry.diff(before.toJson(), updated.toJson()))
                  .compose(v -> repo.usersWithRole(c.tx(), id))
                  .map(users -> {
                    c.accessChanged(users);
                    return updated;
                  }));
        }))
        .recover(RbacService::roleConflict);
  }

  public Future<Void> deleteRole(Caller actor, long id) {
    return changes.run(actor, "role.delete", "role", id, c -> repo.lockRole(c.tx(), id).compose(found -> {
      Role role = found.orElseThrow(() -> Problem.notFound("Role"));
      if (role.builtin()) {
        throw Problem.of(409, "builtin_protected", "Built-in roles cannot be deleted");
      }
      DelegationPolicy.checkRoleChange(actor, false, holds(actor, role), role.permissions(), List.of());
      return repo.usersWithRole(c.tx(), id)
          .compose(users -> {
            c.accessChanged(users);
            return repo.deleteRole(c.tx(), id)
                .compose(v -> c.audit("role.delete", "role", id, role.toJson().put("grants_removed", users.size())));
          });
    }));
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
  public Future<Grant> grant(Caller actor, UUID userId, Long roleId, String roleName, OffsetDateTime expiresAt) {
    if (roleId == null && roleName == null) {
      return Future.failedFuture(Problem.field("validation_failed", "/role_id", "Give role_id or role"));
    }
    if (expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now())) {
      return Future.failedFuture(Problem.field("validation_failed", "/expires_at", "must be in the future"));
    }
    return target(userId).compose(target -> changes.<Grant>run(actor, "role.grant", "user", userId, c ->
        (roleId != null ? repo.findRole(c.tx(), roleId) : repo.findRoleByName(c.tx(), roleName))
            .compose(role -> {
              Role r = role.orElseThrow(() -> Problem.field("unknown_role", roleId != null ? "/role_id" : "/role",
                  "No such role"));
              DelegationPolicy.checkGrant(actor, target, r.name(), r.builtin(), r.permissions());
              return repo.grant(c.tx(), userId, r.id(), actor.id(), expiresAt);
            })
            .compose(granted -> {
              Grant g = granted.orElseThrow(() -> Problem.conflict("already_granted", "/role_id",
                  "The user already holds this role"));
              c.accessChanged(userId);
              return c.audit("role.grant", "user", userId, g.snapshot()).map(g);
            })));
  }

  public Future<Void> revoke(Caller actor, UUID userId, long roleId) {
    return target(userId).compose(target -> changes.run(actor, "role.revoke", "user", userId, c ->
        repo.findRole(c.tx(), roleId)
            .compose(role -> {
              Role r = role.orElseThrow(() -> Problem.notFound("Grant"));
              DelegationPolicy.checkGrant(actor, target, r.name(), r.builtin(), r.permissions());
              return repo.revoke(c.tx(), userId, roleId);
            })
            .compose(revoked -> {
              Grant g = revoked.orElseThrow(() -> Problem.notFound("Grant"));
              c.accessChanged(userId);
              return c.audit("role.revoke", "user", userId, g.snapshot());
            })));
  }

  private Future<AccessState> target(UUID userId) {
    return states.get(userId.toString()).map(s -> s.orElseThrow(() -> Problem.notFound("User")));
  }

  /** The actor holds a live grant of the role (its state lists active roles by name). */
  private static boolean holds(Caller actor, Role role) {
    return actor.state() != null && actor.state().roles().contains(role.name());
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
