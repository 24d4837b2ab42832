package dev.atrium.users;

import dev.atrium.api.Problem;
import dev.atrium.auth.AccessState;
import dev.atrium.auth.AccessStates;
import dev.atrium.db.SqlStates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** A user's view of their own account: read it with roles and permissions, edit own fields and profile. */
public final class AccountService {
  private final UserRepository users;
  private final AccessStates access;

  public AccountService(UserRepository users, AccessStates access) {
    this.users = users;
    this.access = access;
  }

  public Future<JsonObject> me(String userId) {
    var user = users.findWithProfile(UUID.fromString(userId));
    var state = access.get(userId);
    return Future.all(user, state).map(v -> describe(user.result().orElseThrow(() -> Problem.notFound("User")),
        state.result().orElseThrow(() -> Problem.notFound("User"))));
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
    return users.updateSelf(UUID.fromString(userId), userFields, profileFields)
        .recover(t -> SqlStates.isUniqueViolation(t, "users_username_key")
            ? Future.failedFuture(Problem.conflict("username_taken", "/username", "This username is taken"))
            : Future.failedFuture(t))
        .compose(updated -> me(userId));
  }

  public static JsonObject describe(UserRepository.UserWithProfile u, AccessState state) {
    return u.user().toJson()
        .put("profile", u.profile().toJson())
        .put("roles", new JsonArray(state.roles()))
        .put("permissions", new JsonArray(state.permissions().stream().toList()));
  }
}
