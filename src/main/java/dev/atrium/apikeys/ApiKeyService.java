package dev.atrium.apikeys;

import dev.atrium.api.Problem;
import dev.atrium.audit.Actor;
import dev.atrium.audit.AuditLog;
import dev.atrium.auth.AccessChanges;
import dev.atrium.auth.AccessState;
import dev.atrium.auth.AccessStates;
import dev.atrium.auth.TokenService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** Creating, listing and revoking the caller's own API keys. */
public final class ApiKeyService {
  private final ApiKeyRepository repo;
  private final AccessStates states;
  private final AccessChanges changes;
  private final AuditLog audit;
  private final ApiKeyAuth auth;
  private final SecureRandom random = new SecureRandom();

  public ApiKeyService(ApiKeyRepository repo, AccessStates states, AccessChanges changes, AuditLog audit,
                       ApiKeyAuth auth) {
    this.repo = repo;
    this.auth = auth;
    this.states = states;
    this.changes = changes;
    this.audit = audit;
  }

  /** A new key and the only copy of its secret. */
  public record Created(ApiKey key, String secret) {
  }

  public Future<Created> create(Actor actor, String name, List<String> permissions, OffsetDateTime expiresAt) {
    if (expiresAt != null && !expiresAt.isAfter(OffsetDateTime.now())) {
      return Future.failedFuture(Problem.field("validation_failed", "/expires_at", "must be in the future"));
    }
    List<String> scopes = new ArrayList<>(new LinkedHashSet<>(permissions));
    return states.get(actor.userId().toString()).compose(state -> {
      AccessState s = state.orElseThrow(() -> Problem.of(401, "token_invalid", "Account no longer exists"));
      JsonArray missing = new JsonArray();
      for (int i = 0; i < permissions.size(); i++) {
        if (!s.has(permissions.get(i))) {
          missing.add(Problem.entry("/permissions/" + i, "You do not hold '" + permissions.get(i) + "'"));
        }
      }
      if (!missing.isEmpty()) {
        return Future.failedFuture(Problem.validation("A key can only carry permissions you hold", missing)
            .withCode("permission_not_held"));
      }
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String secret = ApiKeyAuth.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      return repo.pool().withTransaction(tx -> repo.insert(tx, actor.userId(), name, TokenService.digest(secret),
              secret.substring(0, ApiKeyAuth.PREFIX.length() + 6), scopes, expiresAt)
          .compose(k -> audit.record(tx, actor, "api_key.create", "api_key", k.id(), new JsonObject()
              .put("name", name).put("owner_id", actor.userId().toString()).put("permissions", new JsonArray(scopes))
              .put("expires_at", expiresAt == null ? null : expiresAt.toString())).map(new Created(k, secret))));
    });
  }

  public Future<List<ApiKey>> list(UUID userId) {
    return repo.list(userId);
  }

  /** Revokes the key; every node forgets it before this returns (the owner's access-change announcement). */
  public Future<Void> revoke(Actor actor, UUID keyId) {
    return repo.pool().withTransaction(tx -> repo.revoke(tx, actor.userId(), keyId).compose(found -> {
          ApiKey k = found.orElseThrow(() -> Problem.notFound("API key"));
          return audit.record(tx, actor, "api_key.revoke", "api_key", k.id(), new JsonObject().put("name", k.name())
              .put("owner_id", k.userId().toString()));
        }))
        // Forget it here before answering (the event-bus notice is asynchronous), then tell every node.
        .onSuccess(v -> auth.forgetOwner(actor.userId().toString()))
        .compose(v -> changes.permissionsChanged(actor.userId().toString()));
  }
}
