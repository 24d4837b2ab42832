package dev.atrium.analytics;

import dev.atrium.db.Uuids;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * One activity to store. {@code clientKeyed} marks an id the client chose (its {@code event_id}):
 * only those can be resent, so only those are checked against earlier submissions.
 * {@code metadata} is already encoded JSON (or null): it was encoded once to check its size,
 * and the insert sends that text as it is. {@code ip} and {@code userAgent} are what the node
 * observed on the connection; {@code clientIp} and {@code clientUserAgent} what the client
 * reported in the event (kept apart: a client's claim never replaces an observation).
 */
public record Activity(
    UUID id,
    boolean clientKeyed,
    Instant occurredAt,
    UUID userId,
    String action,
    String source,
    String metadata,
    String ip,
    String userAgent,
    String clientIp,
    String clientUserAgent) {

  public static final String SOURCE_API = "api";
  public static final String SOURCE_SERVER = "server";

  /** Actions the server records from its own events; dashboards count these, not client claims. */
  public static final String LOGIN = "login";
  public static final String LOGOUT = "logout";
  public static final String REGISTER = "register";
  public static final String FILE_UPLOAD = "file_upload";
  public static final String NOTIFICATION = "notification";

  public static Activity server(UUID userId, String action, Instant at, JsonObject metadata, String ip,
                                String userAgent) {
    return new Activity(Uuids.timeOrdered(), false, at, userId, action, SOURCE_SERVER,
        metadata == null ? null : metadata.encode(), ip, userAgent, null, null);
  }

  /** Identifies a client-keyed activity: event ids are unique per user. */
  public record Key(UUID userId, UUID id) {
  }

  public Key key() {
    return new Key(userId, id);
  }

  public boolean serverRecorded(String serverAction) {
    return SOURCE_SERVER.equals(source) && serverAction.equals(action);
  }
}
