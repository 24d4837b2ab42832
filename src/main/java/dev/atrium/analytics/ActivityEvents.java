package dev.atrium.analytics;

import dev.atrium.access.Caller;
import dev.atrium.problem.Problem;
import dev.atrium.db.Uuids;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One tracked event turned into an {@link Activity}, with the checks the contract cannot
 * express (metadata size and depth, time bounds, storable text). The shape was checked against
 * the contract before.
 */
final class ActivityEvents {
  static final int MAX_METADATA_BYTES = 16 * 1024;
  static final int MAX_METADATA_DEPTH = 8;
  static final Duration MAX_FUTURE = Duration.ofMinutes(5);

  static final List<String> TEXT_FIELDS = List.of("action", "ip", "user_agent");
  private static final String BAD_TEXT = "must not contain NUL characters or unpaired surrogates";

  private final int retentionDays;

  ActivityEvents(int retentionDays) {
    this.retentionDays = retentionDays;
  }

  /** One event, checked beyond what the contract can say; {@code at} is its JSON pointer prefix. */
  Activity parse(JsonObject e, String at, UUID caller, Caller origin, Instant now) {
    String action = e.getString("action");
    if (action == null || action.isBlank()) {
      throw Problem.field("validation_failed", at + "action", "action is required");
    }
    for (String field : TEXT_FIELDS) {
      String text = e.getString(field);
      if (text != null && !cleanText(text)) {
        throw Problem.field("validation_failed", at + field, BAD_TEXT);
      }
    }
    JsonObject metadata = e.getJsonObject("metadata");
    if (metadata != null && !cleanTree(metadata)) {
      throw Problem.field("validation_failed", at + "metadata", "keys and texts " + BAD_TEXT);
    }
    String encoded = null;
    if (metadata != null) {
      encoded = metadata.encode();
      int size = utf8Length(encoded);
      if (size > MAX_METADATA_BYTES) {
        throw Problem.field("metadata_too_large", at + "metadata",
            "metadata is " + size + " bytes encoded; at most " + MAX_METADATA_BYTES + " are allowed");
      }
      if (depth(metadata) > MAX_METADATA_DEPTH) {
        throw Problem.field("metadata_too_deep", at + "metadata",
            "metadata is nested deeper than " + MAX_METADATA_DEPTH + " levels");
      }
    }
    Instant occurredAt = now;
    String when = e.getString("occurred_at");
    if (when != null) {
      try {
        occurredAt = OffsetDateTime.parse(when).toInstant();
      } catch (DateTimeParseException ex) {
        throw Problem.field("validation_failed", at + "occurred_at",
            "occurred_at must be an ISO 8601 date-time with an offset, e.g. 2025-01-31T12:00:00Z");
      }
      if (occurredAt.isAfter(now.plus(MAX_FUTURE))) {
        throw Problem.field("occurred_at_in_future", at + "occurred_at",
            "occurred_at is more than 5 minutes in the future");
      }
      if (occurredAt.isBefore(now.minus(Duration.ofDays(retentionDays)))) {
        throw Problem.field("occurred_at_too_old", at + "occurred_at",
            "occurred_at is older than the retention period of " + retentionDays + " days");
      }
    }
    UUID id = uuid(e.getString("event_id"), at + "event_id");
    UUID user = uuid(e.getString("user_id"), at + "user_id");
    return new Activity(id == null ? Uuids.timeOrdered() : id, id != null, occurredAt, user == null ? caller : user,
        action, Activity.SOURCE_API, encoded, origin.ip(), origin.userAgent(), e.getString("ip"),
        e.getString("user_agent"));
  }

  /**
   * Text PostgreSQL can store: no U+0000 (text and jsonb refuse it) and no lone surrogate (it
   * has no UTF-8 encoding). JSON carries both as escapes, so they are refused here with a 400
   * rather than by the database in the middle of a group insert.
   */
  static boolean cleanText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Every key and string in a JSON tree is {@link #cleanText clean}. Iterative: depth is checked later. */
  static boolean cleanTree(Object root) {
    ArrayList<Object> pending = new ArrayList<>();
    pending.add(root);
    while (!pending.isEmpty()) {
      Object v = pending.remove(pending.size() - 1);
      if (v instanceof String s) {
        if (!cleanText(s)) {
          return false;
        }
      } else if (v instanceof JsonObject || v instanceof Map<?, ?>) {
        Map<?, ?> m = v instanceof JsonObject j ? j.getMap() : (Map<?, ?>) v;
        for (Map.Entry<?, ?> entry : m.entrySet()) {
          if (!cleanText(String.valueOf(entry.getKey()))) {
            return false;
          }
          pending.add(entry.getValue());
        }
      } else if (v instanceof JsonArray a) {
        pending.addAll(a.getList());
      } else if (v instanceof List<?> l) {
        pending.addAll(l);
      }
    }
    return true;
  }

  /** Bytes of {@code s} in UTF-8 (as {@code getBytes(UTF_8)} counts them), without encoding it. */
  static int utf8Length(String s) {
    return ByteBufUtil.utf8Bytes(s);
  }

  private static UUID uuid(String text, String field) {
    if (text == null) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException ex) {
      throw Problem.field("validation_failed", field, "must be a UUID");
    }
  }

  /** Nesting depth of a JSON value: a flat object is 1. Iterative, so hostile input cannot overflow the stack. */
  static int depth(Object root) {
    int max = 0;
    ArrayList<Object> values = new ArrayList<>();
    ArrayList<Integer> levels = new ArrayList<>();
    values.add(root);
    levels.add(1);
    while (!values.isEmpty()) {
      Object v = values.remove(values.size() - 1);
      int level = levels.remove(levels.size() - 1);
      Iterable<?> children = v instanceof JsonObject o ? o.getMap().values()
          : v instanceof Map<?, ?> m ? m.values()
          : v instanceof JsonArray a ? a.getList()
          : v instanceof List<?> l ? l : null;
      if (children == null) {
        continue;
      }
      max = Math.max(max, level);
      for (Object child : children) {
        values.add(child);
        levels.add(level + 1);
      }
    }
    return max;
  }

}
