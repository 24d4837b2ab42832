package dev.atrium.users;

import dev.atrium.apikeys.ApiKeyHandlers;
import dev.atrium.apikeys.ApiKeyRepository;
import dev.atrium.apikeys.ApiKeyService;
import dev.atrium.audit.AuditHandlers;
import dev.atrium.audit.AuditLog;
import dev.atrium.auth.AuthModule;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import dev.atrium.rbac.RbacHandlers;
import dev.atrium.rbac.RbacRepository;
import dev.atrium.rbac.RbacService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Users administration: the admin user routes, roles, permissions and grants, the audit log,
 * and the caller's API keys. Access changes go through the auth module, so every node sees them.
 */
public final class UsersModule implements Module {
  private final Map<String, Handler<RoutingContext>> operations = new HashMap<>();
  private final UsersService users;

  public UsersModule(Platform p, AuthModule auth) {
    AuditLog audit = new AuditLog(p.pool());
    UsersAdminRepository repo = new UsersAdminRepository(p.pool());
    this.users = new UsersService(p.vertx(), repo, new UserRepository(p.pool()), audit, auth.accessStates(),
        auth.accessChanges(), auth.passwords(), p.config().usersListCache());
    RbacService rbac = new RbacService(new RbacRepository(p.pool()), audit, auth.accessChanges());
    ApiKeyService keys = new ApiKeyService(new ApiKeyRepository(p.pool()), auth.accessStates(), auth.accessChanges(),
        audit, auth.apiKeyAuth());
    operations.putAll(new UsersHandlers(users, new UserExport(repo)).operations());
    operations.putAll(new RbacHandlers(rbac).operations());
    operations.putAll(new AuditHandlers(audit).operations());
    operations.putAll(new ApiKeyHandlers(keys).operations());
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return operations;
  }

  /** The import reads JSON or CSV itself: the contract validator handles neither a 32 MB body nor CSV. */
  @Override
  public Set<String> selfCheckedOperations() {
    return Set.of("importUsers");
  }

  @Override
  public Future<Void> stop() {
    return users.close();
  }

  @Override
  public Map<String, Long> bodyLimits() {
    return Map.of("importUsers", UsersHandlers.IMPORT_BODY_LIMIT);
  }
}
