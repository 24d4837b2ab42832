package dev.atrium.analytics;

import dev.atrium.api.Timestamps;
import dev.atrium.db.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard's counters in Redis, shared by every node, so that reading the dashboard
 * costs the same whatever the size of the activities table:
 * <ul>
 *   <li>{@code analytics:m:<epoch-minute>} activities in that minute (kept 2 h);</li>
 *   <li>{@code analytics:u:<epoch-minute>} a HyperLogLog of the users active in it (kept 10 min);
 *       active_users_5m is the PFCOUNT union of the last five;</li>
 *   <li>{@code analytics:d:<date>:<what>} today's logins, registrations, uploads and activities
 *       (UTC days, kept 3 days);</li>
 *   <li>{@code analytics:top:<date>} a sorted set of today's actions by count, trimmed to the
 *       {@link #TOP_KEPT} most frequent after every update.</li>
 * </ul>
 * Counts go up after the activities are committed: what every flush of 100 ms adds, in one
 * pipelined batch.
 * Redis holds nothing that cannot be lost: a failed update is logged and skipped.
 */
public final class DashboardCounters {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardCounters.class);
  static final int MINUTES = 60;
  static final int ACTIVE_WINDOW = 5;
  static final int TOP = 10;
  /** Members the day's action ranking keeps: clients choose action strings, so the set is trimmed. */
  static final int TOP_KEPT = 1000;

  /** How long committed activities wait to be added to Redis with the others of the interval. */
  static final long WRITE_DELAY_MS = 100;
  /** Activities after which the pending counts are written at once (bounds the memory they hold). */
  static final int MAX_PENDING = 10_000;

  private final Vertx vertx;
  private final Redis redis;
  private final RedisKeys keys;
  private final Clock clock;
  private CounterTally pending; // guarded by this
  private boolean writeScheduled; // guarded by this
  /** When this node last sent an EXPIRE for a key (epoch second). */
  private final Map<String, Long> expirySetAt = new ConcurrentHashMap<>();

  public DashboardCounters(Vertx vertx, Redis redis, RedisKeys keys, Clock clock) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  /**
   * Adds an EXPIRE for the key unless this node set one within the last minute. Every key's
   * lifetime is hours or days, so refreshing it once a minute is enough, and it halves the
   * commands of a busy node's flushes; a key that Redis lost and re-created is given its TTL
   * again within a minute.
   */
  private void expire(List<Request> batch, String key, int seconds, Instant now) {
    long second = now.getEpochSecond();
    Long last = expirySetAt.get(key);
    if (last != null && second - last < 60) {
      return;
    }
    if (expirySetAt.size() > 1000) {
      expirySetAt.clear(); // old minute keys are never asked for again
    }
    expirySetAt.put(key, second);
    batch.add(Request.cmd(Command.EXPIRE).arg(key).arg(seconds));
  }

  /**
   * Adds committed activities to the counters. They reach Redis within {@link #WRITE_DELAY_MS}
   * together with every other flush of that interval: one batch per flush was about 7 % of a
   * track-activity request's CPU, for counts that the dashboard shows a second late anyway.
   */
  public void record(List<Activity> activities) {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    CounterTally full = null;
    CounterTally otherDay = null;
    synchronized (this) {
      if (pending != null && !pending.day().equals(today)) {
        otherDay = pending;
        pending = null;
      }
      if (pending == null) {
        pending = new CounterTally(today);
      }
      pending.add(activities, now);
      if (pending.activities() >= MAX_PENDING) {
        full = pending;
        pending = null;
      } else if (!writeScheduled) {
        writeScheduled = true;
        vertx.setTimer(WRITE_DELAY_MS, id -> writePending());
      }
    }
    if (otherDay != null) {
      write(otherDay, now);
    }
    if (full != null) {
      write(full, now);
    }
  }

  /** Writes what is pending now (a node that stops keeps its last counts). */
  public Future<Void> flush() {
    CounterTally tally;
    synchronized (this) {
      tally = pending;
      pending = null;
    }
    return tally == null ? Future.succeededFuture() : write(tally, clock.instant());
  }

  private void writePending() {
    synchronized (this) {
      writeScheduled = false;
    }
    flush();
  }

  /** One pipelined batch; Redis holds nothing that cannot be lost, so a failure is logged and skipped. */
  private Future<Void> write(CounterTally tally, Instant now) {
    LocalDate day = tally.day();
    List<Request> batch = new ArrayList<>();
    tally.perMinute.forEach((minute, n) -> {
      String key = minuteKey(minute);
      batch.add(Request.cmd(Command.INCRBY).arg(key).arg(n));
      expire(batch, key, 2 * 3600, now);
    });
    tally.usersPerMinute.forEach((minute, users) -> {
      String key = usersKey(minute);
      Request pfadd = Request.cmd(Command.PFADD).arg(key);
      users.forEach(pfadd::arg);
      batch.add(pfadd);
      expire(batch, key, 10 * 60, now);
    });
    tally.totals.forEach((what, n) -> {
      String key = dayKey(day, what);
      batch.add(Request.cmd(Command.INCRBY).arg(key).arg(n));
      expire(batch, key, 3 * 86_400, now);
    });
    if (!tally.actions.isEmpty()) {
      String key = topKey(day);
      tally.actions.forEach((action, n) -> batch.add(Request.cmd(Command.ZINCRBY).arg(key).arg(n).arg(action)));
      // Keep the 1,000 most frequent: a flood of distinct strings can no longer grow the set
      // without bound. An action pushed out loses its count; the top 10 shown are unaffected
      // unless 990 others each outnumber it.
      batch.add(Request.cmd(Command.ZREMRANGEBYRANK).arg(key).arg(0).arg(-TOP_KEPT - 1));
      expire(batch, key, 3 * 86_400, now);
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    return redis.batch(batch)
        .onFailure(t -> LOG.warn("Dashboard counters not updated for {} activities: {}", tally.activities(),
            t.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** The dashboard, read from the counters in one pipelined round trip. */
  public Future<JsonObject> snapshot() {
    Instant now = clock.instant();
    long nowMinute = now.getEpochSecond() / 60;
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Request minutes = Request.cmd(Command.MGET);
    for (long m = nowMinute - MINUTES + 1; m <= nowMinute; m++) {
      minutes.arg(minuteKey(m));
    }
    Request active = Request.cmd(Command.PFCOUNT);
    for (long m = nowMinute - ACTIVE_WINDOW + 1; m <= nowMinute; m++) {
      active.arg(usersKey(m));
    }
    Request days = Request.cmd(Command.MGET).arg(dayKey(today, "logins")).arg(dayKey(today, "registrations"))
        .arg(dayKey(today, "uploads")).arg(dayKey(today, "activities"));
    Request top = Request.cmd(Command.ZRANGE).arg(topKey(today)).arg(0).arg(TOP - 1).arg("REV").arg("WITHSCORES");
    return redis.batch(List.of(minutes, active, days, top)).map(r -> {
      JsonArray perMinute = new JsonArray();
      JsonArray labels = new JsonArray();
      JsonArray data = new JsonArray();
      Response counts = r.get(0);
      for (int i = 0; i < MINUTES; i++) {
        long m = nowMinute - MINUTES + 1 + i;
        long n = asLong(counts.get(i));
        Instant at = Instant.ofEpochSecond(m * 60);
        perMinute.add(new JsonObject().put("minute", Timestamps.format(at)).put("count", n));
        labels.add(at.toString().substring(11, 16));
        data.add(n);
      }
      Response d = r.get(2);
      JsonObject chart = new JsonObject().put("labels", labels).put("datasets", new JsonArray()
          .add(new JsonObject().put("label", "Activities per minute").put("data", data)));
      return new JsonObject()
          .put("generated_at", Timestamps.format(now.truncatedTo(ChronoUnit.MILLIS)))
          .put("active_users_5m", asLong(r.get(1)))
          .put("activities_per_minute", perMinute)
          .put("logins_today", asLong(d.get(0)))
          .put("registrations_today", asLong(d.get(1)))
          .put("uploads_today", asLong(d.get(2)))
          .put("activities_today", asLong(d.get(3)))
          .put("top_actions", topActions(r.get(3)))
          .put("chart_data", chart)
          .put("chartData", chart);
    });
  }

  /** ZRANGE WITHSCORES: pairs [member, score] under RESP3, a flat member, score list under RESP2. */
  private static JsonArray topActions(Response r) {
    JsonArray out = new JsonArray();
    if (r == null) {
      return out;
    }
    if (r.size() > 0 && r.get(0).isArray()) {
      for (Response pair : r) {
        out.add(new JsonObject().put("action", pair.get(0).toString()).put("count", pair.get(1).toDouble().longValue()));
      }
    } else {
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.add(new JsonObject().put("action", r.get(i).toString())
            .put("count", Double.valueOf(r.get(i + 1).toString()).longValue()));
      }
    }
    return out;
  }

  private static long asLong(Response r) {
    return r == null ? 0 : Long.parseLong(r.toString());
  }

  private String minuteKey(long minute) {
    return keys.key("analytics", "m", Long.toString(minute));
  }

  private String usersKey(long minute) {
    return keys.key("analytics", "u", Long.toString(minute));
  }

  private String dayKey(LocalDate day, String what) {
    return keys.key("analytics", "d", day.toString(), what);
  }

  private String topKey(LocalDate day) {
    return keys.key("analytics", "top", day.toString());
  }
}
