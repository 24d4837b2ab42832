package dev.atrium.rbac;

import dev.atrium.access.Caller;
import dev.atrium.api.Inputs;
import dev.atrium.api.PageRequest;
import dev.atrium.problem.Problem;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;

/** Binds the contract's roles, permissions and grants operations to {@link RbacService}. */
public final class RbacHandlers {
  private final RbacService rbac;

  public RbacHandlers(RbacService rbac) {
    this.rbac = rbac;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.ofEntries(
        Map.entry("listPermissions", this::listPermissions),
        Map.entry("createPermission", this::createPermission),
        Map.entry("getPermission", this::getPermission),
        Map.entry("updatePermission", this::updatePermission),
        Map.entry("deletePermission", this::deletePermission),
        Map.entry("listRoles", this::listRoles),
        Map.entry("createRole", this::createRole),
        Map.entry("getRole", this::getRole),
        Map.entry("updateRole", this::updateRole),
        Map.entry("deleteRole", this::deleteRole),
        Map.entry("listUserRoles", this::listUserRoles),
        Map.entry("grantUserRole", this::grantUserRole),
        Map.entry("revokeUserRole", this::revokeUserRole));
  }

  private void listPermissions(RoutingContext ctx) {
    PageRequest pages = PageRequest.of(ctx);
    rbac.permissions(Inputs.query(ctx, "module"), pages.size(), pages.offset())
        .onSuccess(page -> pages.end(ctx, page, Permission::toJson))
        .onFailure(ctx::fail);
  }

  private void createPermission(RoutingContext ctx) {
    rbac.createPermission(Caller.of(ctx), Inputs.body(ctx))
        .onSuccess(p -> created(ctx, "/api/permissions/" + p.id(), p.toJson()))
        .onFailure(ctx::fail);
  }

  private void getPermission(RoutingContext ctx) {
    rbac.permission(longId(ctx, "id")).onSuccess(p -> Inputs.json(ctx, 200, p.toJson())).onFailure(ctx::fail);
  }

  private void updatePermission(RoutingContext ctx) {
    rbac.updatePermission(Caller.of(ctx), longId(ctx, "id"), Inputs.body(ctx))
        .onSuccess(p -> Inputs.json(ctx, 200, p.toJson())).onFailure(ctx::fail);
  }

  private void deletePermission(RoutingContext ctx) {
    rbac.deletePermission(Caller.of(ctx), longId(ctx, "id")).onSuccess(v -> Inputs.noContent(ctx)).onFailure(ctx::fail);
  }

  private void listRoles(RoutingContext ctx) {
    PageRequest pages = PageRequest.of(ctx);
    rbac.roles(pages.size(), pages.offset())
        .onSuccess(page -> pages.end(ctx, page, Role::toJson))
        .onFailure(ctx::fail);
  }

  private void createRole(RoutingContext ctx) {
    rbac.createRole(Caller.of(ctx), Inputs.body(ctx))
        .onSuccess(r -> created(ctx, "/api/roles/" + r.id(), r.toJson()))
        .onFailure(ctx::fail);
  }

  private void getRole(RoutingContext ctx) {
    rbac.role(longId(ctx, "id")).onSuccess(r -> Inputs.json(ctx, 200, r.toJson())).onFailure(ctx::fail);
  }

  private void updateRole(RoutingContext ctx) {
    rbac.updateRole(Caller.of(ctx), longId(ctx, "id"), Inputs.body(ctx))
        .onSuccess(r -> Inputs.json(ctx, 200, r.toJson())).onFailure(ctx::fail);
  }

  private void deleteRole(RoutingContext ctx) {
    rbac.deleteRole(Caller.of(ctx), longId(ctx, "id")).onSuccess(v -> Inputs.noContent(ctx)).onFailure(ctx::fail);
  }

  private void listUserRoles(RoutingContext ctx) {
    rbac.grants(UUID.fromString(Inputs.path(ctx, "id")))
        .onSuccess(list -> Inputs.json(ctx, 200, PageRequest.unpaged(list, Grant::toJson)))
        .onFailure(ctx::fail);
  }

  private void grantUserRole(RoutingContext ctx) {
    JsonObject b = Inputs.body(ctx);
    String userId = Inputs.path(ctx, "id");
    OffsetDateTime expires;
    try {
      expires = b.getString("expires_at") == null ? null : OffsetDateTime.parse(b.getString("expires_at"));
    } catch (DateTimeParseException e) {
      ctx.fail(Problem.field("validation_failed", "/expires_at",
          "must be an ISO 8601 time with offset"));
      return;
    }
    Number roleId = (Number) b.getValue("role_id");
    rbac.grant(Caller.of(ctx), UUID.fromString(userId), roleId == null ? null : roleId.longValue(),
            b.getString("role"), expires)
        .onSuccess(g -> created(ctx, "/api/users/" + userId + "/roles/" + g.roleId(), g.toJson()))
        .onFailure(ctx::fail);
  }

  private void revokeUserRole(RoutingContext ctx) {
    rbac.revoke(Caller.of(ctx), UUID.fromString(Inputs.path(ctx, "id")), longId(ctx, "role_id"))
        .onSuccess(v -> Inputs.noContent(ctx)).onFailure(ctx::fail);
  }

  private static long longId(RoutingContext ctx, String name) {
    return Inputs.pathLong(ctx, name); // the contract types these ids as integers
  }

  private static void created(RoutingContext ctx, String location, JsonObject body) {
    ctx.response().putHeader("Location", location);
    Inputs.json(ctx, 201, body);
  }
}
