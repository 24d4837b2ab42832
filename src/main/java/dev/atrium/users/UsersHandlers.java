package dev.atrium.users;

import dev.atrium.access.Caller;
import dev.atrium.access.User;
import dev.atrium.api.Inputs;
import dev.atrium.api.PageRequest;
import dev.atrium.problem.Problem;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

/** Binds the contract's users operations to {@link UserListing}, {@link UserAdmin}, {@link UserImports} and {@link UserExport}. */
public final class UsersHandlers {

  private final UserListing listing;
  private final UserAdmin users;
  private final UserImports imports;
  private final UserExport export;

  public UsersHandlers(UserListing listing, UserAdmin users, UserImports imports, UserExport export) {
    this.listing = listing;
    this.users = users;
    this.imports = imports;
    this.export = export;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "listUsers", this::list,
        "createUser", this::create,
        "getUser", this::get,
        "updateUser", this::update,
        "deleteUser", this::delete,
        "importUsers", this::importUsers,
        "exportUsers", this::exportUsers);
  }

  private void list(RoutingContext ctx) {
    PageRequest pages = PageRequest.of(ctx);
    UserQuery query = new UserQuery(Inputs.query(ctx, "search"), bool(ctx, "is_active"), bool(ctx, "is_verified"),
        bool(ctx, "is_staff"), Inputs.query(ctx, "role"), Inputs.queryTime(ctx, "created_after"),
        Inputs.queryTime(ctx, "created_before"), Inputs.query(ctx, "ordering"));
    listing.list(query, pages)
        .onSuccess(listed -> pages.end(ctx, listed.count(), listed.countExact(), listed.users(), User::writeJson))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    users.create(Caller.of(ctx), Inputs.body(ctx))
        .onSuccess(u -> {
          ctx.response().putHeader("Location", "/api/users/" + u.getString("id"));
          Inputs.json(ctx, 201, u);
        })
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    users.get(id(ctx)).onSuccess(u -> Inputs.json(ctx, 200, u)).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    users.update(Caller.of(ctx), id(ctx), Inputs.body(ctx))
        .onSuccess(u -> Inputs.json(ctx, 200, u)).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    users.delete(Caller.of(ctx), id(ctx)).onSuccess(v -> Inputs.noContent(ctx)).onFailure(ctx::fail);
  }

  /** JSON array or CSV in the body; validated by the import itself (the contract cannot check CSV). */
  private void importUsers(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String lower = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
    if (!lower.startsWith("application/json") && !lower.startsWith("text/csv")) {
      throw Problem.of(415, "unsupported_media_type", "Send the users as application/json (an array) or text/csv");
    }
    imports.importUsers(Caller.of(ctx), ctx.body().buffer() == null ? io.vertx.core.buffer.Buffer.buffer()
            : ctx.body().buffer(), lower.startsWith("text/csv") ? "text/csv" : "application/json")
        .onSuccess(r -> {
          JsonArray skipped = new JsonArray();
          r.skipped().forEach(skipped::add);
          Inputs.json(ctx, 200, new JsonObject().put("created", r.created()).put("skipped_count", skipped.size())
              .put("skipped", skipped));
        })
        .onFailure(ctx::fail);
  }

  private void exportUsers(RoutingContext ctx) {
    String format = Inputs.query(ctx, "format");
    UserExport.Format f = "csv".equals(format) ? UserExport.Format.CSV : UserExport.Format.JSON;
    String name = "users-" + LocalDate.now(ZoneOffset.UTC) + (f == UserExport.Format.CSV ? ".csv" : ".json");
    var resp = ctx.response();
    export.write(resp, f, name).onFailure(t -> {
      if (!resp.headWritten() && !resp.closed()) {
        ctx.fail(t);
      }
    });
  }

  private static UUID id(RoutingContext ctx) {
    return UUID.fromString(Inputs.path(ctx, "id"));
  }

  private static Boolean bool(RoutingContext ctx, String name) {
    String v = Inputs.query(ctx, name);
    return v == null ? null : Boolean.valueOf(v);
  }
}
