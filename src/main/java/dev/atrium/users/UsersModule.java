package dev.atrium.users;

import dev.atrium.access.AccessModule;
import dev.atrium.audit.AuditedChange;
import dev.atrium.auth.AuthModule;
import dev.atrium.auth.UserRepository;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** Users administration: the admin user routes, import and export. */
public final class UsersModule implements Module {
  private final UserListing listing;
  private final UserImports imports;
  private final UsersHandlers handlers;

  public UsersModule(Platform p, AccessModule access, AuthModule auth, AuditedChange changes) {
    UsersAdminRepository repo = new UsersAdminRepository(p.pool());
    PasswordInput passwords = new PasswordInput(auth.passwords());
    this.listing = new UserListing(p.vertx(), new UserListRepository(p.statements()), p.config().usersListCache());
    this.imports = new UserImports(p.vertx(), repo, changes, passwords, listing);
    UserAdmin admin = new UserAdmin(p.pool(), repo, new UserRepository(p.pool()), changes, access.states(), passwords,
        listing);
    this.handlers = new UsersHandlers(listing, admin, imports, new UserExport(p.pool(), repo, p.exports()));
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  @Override
  public Future<Void> start() {
    return listing.start();
  }

  @Override
  public Future<Void> stop() {
    return Future.all(listing.stop().otherwiseEmpty(), imports.close().otherwiseEmpty()).mapEmpty();
  }
}
