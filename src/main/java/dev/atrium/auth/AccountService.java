package dev.atrium.auth;

import dev.atrium.access.AccessChanges;
import dev.atrium.access.AccessState;
import dev.atrium.access.AccessStates;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.UUID;

/** A user's view of their own account: read it with roles and permissions, edit own fields and profile. */
public final class AccountService {
  private final Pool pool;
  private final AccessStates access;
  private final AccessChanges changes;

  public AccountService(Pool pool, AccessStates access, AccessChanges changes) {
    this.pool = pool;
    this.access = access;
    this.changes = changes;
  }

  /** Served from the caller's cached access state: no query on the hot path. */
  public Future<JsonObject> me(String userId) {
    return access.get(userId).map(state -> describe(state.orElseThrow(() -> Problem.notFound("User"))));
  }

  /** Applies the validated PATCH body: account fields at the top level, profile fields under {@code profile}. */
  public Future<JsonObject> update(String userId, JsonObject patch) {
    JsonObject userFields = new JsonObject();
    for (String field : patch.fieldNames()) {
      if (UserRepository.SELF_EDITABLE.containsKey(field)) {
        userFields.put(field, patch.getValue(field));
      }
    }
    JsonObject profile = patch.getJsonObject("profile", new JsonObject());
    JsonObject profileFields = new JsonObject();
    for (String field : UserRepository.PROFILE_FIELDS) {
      if (profile.containsKey(field)) {
        profileFields.put(field, profile.getValue(field));
      }
    }
    UUID id = UUID.fromString(userId);
    return pool.withTransaction(tx -> UserRepository.updateSelf(tx, id, userFields, profileFields))
        .recover(UserRepository::explainConflict)
        .compose(updated -> changes.permissionsChanged(userId)) // every node drops its cached view
        .compose(v -> me(userId));
  }

  public static JsonObject describe(AccessState state) {
    return state.user().toJson()
        .put("profile", state.profile().toJson())
        .put("roles", new JsonArray(state.roles()))
        .put("permissions", new JsonArray(state.permissions().stream().toList()));
  }
}
