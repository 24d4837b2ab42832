package dev.atrium.apikeys;

import dev.atrium.access.AccessModule;
import dev.atrium.audit.AuditedChange;
import dev.atrium.auth.AuthModule;
import dev.atrium.auth.UserRepository;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** The caller's API keys (their authentication is the access package's). */
public final class ApiKeysModule implements Module {
  private final ApiKeyHandlers handlers;

  public ApiKeysModule(Platform p, AccessModule access, AuthModule auth, AuditedChange changes) {
    this.handlers = new ApiKeyHandlers(new ApiKeyService(new ApiKeyRepository(p.pool()), changes, access.apiKeyAuth(),
        auth.passwords(), new UserRepository(p.pool()), auth.sessions(), p.config().access().apiKeyMaxTtl()));
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }
}
