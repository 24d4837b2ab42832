package dev.atrium.analytics;

import dev.atrium.access.Caller;
import dev.atrium.api.Timestamps;
import dev.atrium.problem.Problem;
import dev.atrium.db.Uuids;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The analytics rules: what an activity may look like and who may record or read what. Knows
 * nothing of HTTP; fails with {@link Problem}s.
 */
public final class ActivityService {
  public static final String VIEW_ALL = "analytics.view_all";
  public static final int MAX_EVENTS = 1000;
  static final long DASHBOARD_MAX_AGE_MS = 1000;

  private final ActivityRepository repository;
  private final IngestQueue ingest;
  private final DashboardCounters counters;
  private final Clock clock;
  private final ActivityEvents events;
  private final IngestRate rate;
  private final KnownUsers knownUsers;
  private final AtomicReference<CachedSnapshot> snapshot = new AtomicReference<>();

  public ActivityService(ActivityRepository repository, IngestQueue ingest, DashboardCounters counters,
                         Clock clock, int retentionDays, int ratePerUser) {
    this.repository = repository;
    this.ingest = ingest;
    this.counters = counters;
    this.clock = clock;
    this.events = new ActivityEvents(retentionDays);
    this.rate = new IngestRate(ratePerUser, System::nanoTime);
    this.knownUsers = new KnownUsers(repository);
  }


  /** What track-activity answers: every event's id, in order, and how many were new. */
  public record Tracked(List<UUID> ids, int stored) {
  }

  /**
   * Validates the whole request first (one bad event rejects the batch, naming its index),
   * checks that other users named exist and that the caller may record for them, then waits
   * for the commit.
   */
  public Future<Tracked> track(JsonObject body, Caller origin) {
    List<JsonObject> events;
    String prefix;
    if (body.containsKey("events")) {
      if (body.size() > 1) {
        return Future.failedFuture(Problem.field("validation_failed", "/events",
            "Send either one activity or {events:[...]}, not both"));
      }
      JsonArray list = body.getJsonArray("events");
      if (list.size() > MAX_EVENTS) {
        return Future.failedFuture(Problem.of(413, "too_many_events",
            "At most " + MAX_EVENTS + " events per request, got " + list.size()));
      }
      if (list.isEmpty()) {
        return Future.failedFuture(Problem.field("validation_failed", "/events", "At least one event is required"));
      }
      events = new ArrayList<>(list.size());
      for (Object o : list) {
        events.add((JsonObject) o);
      }
      prefix = "/events/";
    } else {
      if (body.getString("action") == null) {
        return Future.failedFuture(Problem.field("validation_failed", "/action", "action is required"));
      }
      events = List.of(body);
      prefix = null;
    }
    UUID caller = UUID.fromString(origin.userId());
    Instant now = clock.instant();
    List<Activity> rows = new ArrayList<>(events.size());
    Set<UUID> others = new LinkedHashSet<>();
    Map<UUID, Integer> firstIndex = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      String at = prefix == null ? "/" : prefix + i + "/";
      Activity a = this.events.parse(events.get(i), at, caller, origin, now);
      if (!a.userId().equals(caller) && others.add(a.userId())) {
        firstIndex.put(a.userId(), i);
      }
      rows.add(a);
    }
    Future<Void> allowed = others.isEmpty() ? Future.succeededFuture() : mayActFor(origin, others, firstIndex, prefix);
    return allowed
        .compose(v -> {
          // Counted once the request is well formed and allowed: a refused one costs its sender nothing.
          rate.take(caller, rows.size());
          return ingest.submit(rows, false);
        })
        .map(stored -> {
          List<UUID> ids = rows.stream().map(Activity::id).toList();
          return new Tracked(ids, stored);
        });
  }

  private Future<Void> mayActFor(Caller caller, Set<UUID> others, Map<UUID, Integer> index, String prefix) {
    if (!caller.may(VIEW_ALL)) {
      return Future.failedFuture(Problem.of(403, "permission_denied",
          "Recording activities of another user needs the permission '" + VIEW_ALL + "'"));
    }
    return knownUsers.existing(others)
        .compose(found -> {
          for (UUID id : others) {
            if (!found.contains(id)) {
              String field = (prefix == null ? "/" : prefix + index.get(id) + "/") + "user_id";
              return Future.failedFuture(Problem.of(404, "not_found", "User " + id + " not found (at " + field + ")"));
            }
          }
          return Future.succeededFuture();
        });
  }

  /** An access change on any node: a deleted user must not stay known. */
  void accessChanged(String userId) {
    knownUsers.forget(userId);
  }

  /** user-stats: own id, or analytics.view_all; 404 only for callers who may look. */
  public Future<JsonObject> userStats(Caller caller, UUID userId, int days) {
    Future<Void> allowed = caller.userId().equals(userId.toString()) ? Future.succeededFuture()
        : caller.may(VIEW_ALL)
            ? repository.existingUsers(Set.of(userId)).compose(found -> found.contains(userId)
                ? Future.<Void>succeededFuture() : Future.failedFuture(Problem.notFound("User")))
            : Future.failedFuture(Problem.of(403, "permission_denied",
                "Statistics of another user need the permission '" + VIEW_ALL + "'"));
    Instant since = clock.instant().minus(Duration.ofDays(days));
    return allowed.compose(v -> repository.stats(userId, since)).map(s -> {
      JsonObject usage = new JsonObject();
      s.featureUsage().forEach(usage::put);
      return new JsonObject()
          .put("user_id", userId.toString())
          .put("days", days)
          .put("total_activities", s.total())
          .put("login_count", s.logins())
          .put("login_frequency", Math.round(s.logins() * 100.0 / days) / 100.0)
          .put("feature_usage", usage)
          .put("performance_metrics", new JsonObject()
              .put("count", s.perfCount())
              .put("avg_duration_ms", s.perfAvg() == null ? null : Math.round(s.perfAvg() * 100.0) / 100.0)
              .put("p95_duration_ms", s.perfP95() == null ? null : Math.round(s.perfP95() * 100.0) / 100.0))
          .put("last_active_at", Timestamps.format(s.lastActiveAt()));
    });
  }

  /**
   * The dashboard. Reading Redis costs one pipelined round trip, yet under load every request
   * would make one; a snapshot younger than a second is shared instead (so it is never more
   * than about a second stale), and concurrent callers share one read in flight. It is
   * answered as JSON bytes encoded once per snapshot: encoding it for every response was most
   * of the dashboard's work and garbage.
   */
  public Future<Buffer> dashboardJson() {
    return current().json();
  }

  private CachedSnapshot current() {
    long now = clock.millis();
    CachedSnapshot current = snapshot.get();
    if (current != null && now - current.at() < DASHBOARD_MAX_AGE_MS && !current.json().failed()) {
      return current;
    }
    CachedSnapshot fresh = CachedSnapshot.of(now, counters.snapshot());
    if (snapshot.compareAndSet(current, fresh)) {
      return fresh;
    }
    CachedSnapshot winner = snapshot.get();
    return winner == null ? fresh : winner;
  }

  /** A snapshot read now, bypassing the cache; for the periodic event-bus publication. */
  public Future<JsonObject> freshDashboard() {
    Future<JsonObject> value = counters.snapshot();
    snapshot.set(CachedSnapshot.of(clock.millis(), value));
    return value;
  }

  /** A snapshot as the dashboard answers it: encoded once (it fails when the read failed). */
  private record CachedSnapshot(long at, Future<Buffer> json) {
    static CachedSnapshot of(long at, Future<JsonObject> value) {
      return new CachedSnapshot(at, value.map(JsonObject::toBuffer));
    }
  }
}
