package dev.atrium.access;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.LocalDate;

public record Profile(String bio, LocalDate birthDate, String location, String website,
                      JsonObject socialLinks, JsonObject preferences) {

  /** The columns {@link #from} reads, for a query that joins user_profiles as {@code pr}. */
  public static final String COLUMNS = "pr.user_id AS p_user_id, pr.bio, pr.birth_date, pr.location, pr.website,"
      + " pr.social_links, pr.preferences";

  public static final Profile EMPTY = new Profile(null, null, null, null, new JsonObject(), new JsonObject());

  public static Profile from(Row r) {
    if (r.getValue("p_user_id") == null) {
      return EMPTY;
    }
    return new Profile(r.getString("bio"), r.getLocalDate("birth_date"), r.getString("location"),
        r.getString("website"), (JsonObject) r.getValue("social_links"), (JsonObject) r.getValue("preferences"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("bio", bio).put("birth_date", birthDate == null ? null : birthDate.toString())
        .put("location", location).put("website", website)
        .put("social_links", socialLinks).put("preferences", preferences);
  }
}
