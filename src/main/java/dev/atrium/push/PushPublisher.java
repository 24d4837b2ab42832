package dev.atrium.push;

import dev.atrium.api.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands events to Redis, once each. A script gives every event its user's next sequence id,
 * appends the frame to the user's bounded replay stream, and publishes the batch on the push
 * channel. Being one script, these steps are atomic: a user's ids reach every node in
 * increasing order, and a frame is in the stream before any node can deliver it.
 *
 * <p>Events queue here and go out in batches (one script call and one channel message per
 * batch), so a broadcast to many users costs neither a round trip nor a channel message per
 * user. Used from the push verticle's context only.
 */
public final class PushPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(PushPublisher.class);
  static final int BATCH = 256;
  /**
   * Events go out in lanes, a user always in the same lane and each lane one batch at a time, so
   * the events of one user raised on this node keep their order (a file's {@code file.uploaded}
   * is numbered before its {@code file.processed}) while lanes overlap their round trips.
   */
  static final int LANES = 4;
  static final int MAX_QUEUE = 250_000;

  /**
   * Publishes a batch of events. KEYS: per event its counter and its stream (the counter again
   * for the dashboard, which is not kept), then the batch's shared contents. ARGV: channel,
   * stream length, TTL, origin node, event count, content count, the contents' text, then per
   * event its topic, user, frame head up to the id, the rest of its own part, and the index of
   * its shared content (0: none). A shared content (a notification send's title, body, data...)
   * is stored once per batch, not per recipient, and travels once on the channel as a
   * {@code C|key|text} line; the events and the replay stream refer to it by key. One channel
   * message carries the batch, one line per content or event (frames are JSON: no raw newline).
   */
  static final String SCRIPT = """
      local n, m = tonumber(ARGV[5]), tonumber(ARGV[6])
      local lines = {}
      for j = 1, m do
        local key = KEYS[2 * n + j]
        redis.call('SET', key, ARGV[6 + j], 'EX', ARGV[3])
        lines[#lines + 1] = 'C|' .. key .. '|' .. ARGV[6 + j]
      end
      local base = 6 + m
      for i = 1, n do
        local at = base + 5 * (i - 1)
        local topic, user, prefix, rest, ci = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4], tonumber(ARGV[at + 5])
        local seq, stream = KEYS[2 * i - 1], KEYS[2 * i]
        local content = ''
        if ci > 0 then content = KEYS[2 * n + ci] end
        local id = redis.call('INCR', seq)
        local head = prefix .. id .. rest
        if stream ~= seq then
          local added = redis.pcall('XADD', stream, 'MAXLEN', '~', ARGV[2], id .. '-0', 't', topic, 'h', head, 'c', content)
          if type(added) == 'table' and added.err then
            -- the stream is ahead of a counter that was lost: start it again
            redis.call('DEL', stream)
            redis.call('XADD', stream, 'MAXLEN', '~', ARGV[2], id .. '-0', 't', topic, 'h', head, 'c', content)
          end
          redis.call('EXPIRE', stream, ARGV[3])
        end
        lines[#lines + 1] = topic .. '|' .. user .. '|' .. id .. '|' .. ARGV[4] .. '|' .. content .. '|' .. head
      end
      redis.call('PUBLISH', ARGV[1], table.concat(lines, '\\n'))
      return n
      """;

  /** Text shared by every recipient of one send, and its Redis key. */
  public record Shared(String key, String text) {
  }

  /**
   * One queued event. Its frame is {@code prefix + id + rest + shared.text}; the prefix and the
   * shared content are the same instances for every recipient of a send, so a queued broadcast
   * holds one copy of them, not one per recipient.
   */
  private record Pending(Topic topic, String userId, String prefix, String rest, Shared shared) {
    String seqKey(PushKeys keys) {
      return userId.isEmpty() ? keys.dashboardSequence() : keys.sequence(userId);
    }
  }

  private final Redis redis;
  private final PushKeys keys;
  private final PushMetrics metrics;
  private final String nodeId;
  private final String maxLen;
  private final String ttlSeconds;
  private final List<ArrayDeque<Pending>> lanes = new ArrayList<>();
  private final boolean[] busy = new boolean[LANES];
  private int queued;
  private String sha = sha1(SCRIPT);
  private int inFlight;
  /** Waiting for {@link #idle}: completed once nothing is queued or in flight. */
  private final List<Promise<Void>> idleWaiters = new ArrayList<>();

  public PushPublisher(Redis redis, PushKeys keys, PushMetrics metrics, String nodeId, int replayEvents,
                       Duration replayTtl) {
    this.redis = redis;
    this.keys = keys;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.maxLen = Integer.toString(replayEvents);
    this.ttlSeconds = Long.toString(Math.max(1, replayTtl.toSeconds()));
    for (int i = 0; i < LANES; i++) {
      lanes.add(new ArrayDeque<>());
    }
    metrics.publishBacklog(() -> queued + inFlight);
  }

  /** The script's SHA-1, as Redis names it: known without asking, so start-up needs no Redis. */
  private static String sha1(String script) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Future<Void> loadScript() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
        .map(r -> {
          sha = r.toString();
          return null;
        });
  }

  /** Queues an event for one user's topic (notifications, files). */
  public void publish(Topic topic, String userId, String event, JsonObject data) {
    enqueue(new Pending(topic, userId, framePrefix(topic, event, data), "}", null));
  }

  /** Queues a dashboard snapshot: numbered, published, not kept for replay. */
  public void publishDashboard(String event, JsonObject data) {
    enqueue(new Pending(Topic.DASHBOARD, "", framePrefix(Topic.DASHBOARD, event, data), "}", null));
  }

  /**
   * Queues one send's event for each recipient: the frame's head up to the id and the shared
   * content are built once; each recipient adds only its own part ({@code data.id}, {@code read}).
   */
  public void publishShared(Topic topic, String event, Shared shared, List<String> userIds, List<JsonObject> own) {
    String prefix = new JsonObject().put("type", "event").put("topic", topic.wire()).put("event", event)
        .put("ts", Timestamps.format(Instant.now())).encode();
    prefix = prefix.substring(0, prefix.length() - 1) + ",\"id\":";
    for (int i = 0; i < userIds.size(); i++) {
      String mine = own.get(i).encode();
      enqueue(new Pending(topic, userIds.get(i), prefix, ",\"data\":" + mine.substring(0, mine.length() - 1) + ",", shared));
    }
  }

  /** The event frame up to its id: {@code {"type":"event",...,"data":{...},"id":}. */
  static String framePrefix(Topic topic, String event, JsonObject data) {
    String json = new JsonObject().put("type", "event").put("topic", topic.wire()).put("event", event)
        .put("ts", Timestamps.format(Instant.now())).put("data", data).encode();
    return json.substring(0, json.length() - 1) + ",\"id\":";
  }

  private void enqueue(Pending event) {
    if (queued >= MAX_QUEUE) {
      metrics.publishFailed(1);
      LOG.warn("Push queue full ({} events); dropping an event", MAX_QUEUE);
      return;
    }
    int lane = Math.floorMod(event.userId().hashCode(), LANES);
    lanes.get(lane).add(event);
    queued++;
    drain(lane);
  }

  private void drain(int lane) {
    ArrayDeque<Pending> queue = lanes.get(lane);
    if (busy[lane] || queue.isEmpty()) {
      return;
    }
    List<Pending> batch = new ArrayList<>(Math.min(BATCH, queue.size()));
    while (batch.size() < BATCH && !queue.isEmpty()) {
      batch.add(queue.poll());
    }
    queued -= batch.size();
    inFlight += batch.size();
    busy[lane] = true;
    send(batch, true).onComplete(ar -> {
      busy[lane] = false;
      inFlight -= batch.size();
      if (ar.failed()) {
        metrics.publishFailed(batch.size());
        LOG.warn("Could not publish {} push events: {}", batch.size(), ar.cause().getMessage());
      }
      drain(lane);
      if (queued == 0 && inFlight == 0 && !idleWaiters.isEmpty()) {
        List<Promise<Void>> waiting = List.copyOf(idleWaiters);
        idleWaiters.clear();
        waiting.forEach(Promise::tryComplete);
      }
    });
  }

  /**
   * Completes once nothing is queued or in flight (each event sent, or given up after a failed
   * send): what a stopping node still owes Redis.
   */
  Future<Void> idle() {
    if (queued == 0 && inFlight == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> idle = Promise.promise();
    idleWaiters.add(idle);
    return idle.future();
  }

  private Future<Response> send(List<Pending> batch, boolean retry) {
    List<Shared> contents = new ArrayList<>(1);
    for (Pending p : batch) {
      if (p.shared() != null && !contents.contains(p.shared())) {
        contents.add(p.shared());
      }
    }
    Request r = Request.cmd(Command.EVALSHA).arg(sha).arg(batch.size() * 2L + contents.size());
    for (Pending p : batch) {
      String seq = p.seqKey(keys);
      r.arg(seq).arg(p.userId().isEmpty() ? seq : keys.stream(p.userId()));
    }
    contents.forEach(c -> r.arg(c.key()));
    r.arg(keys.channel()).arg(maxLen).arg(ttlSeconds).arg(nodeId).arg(batch.size()).arg(contents.size());
    contents.forEach(c -> r.arg(c.text()));
    for (Pending p : batch) {
      r.arg(p.topic().wire()).arg(p.userId()).arg(p.prefix()).arg(p.rest())
          .arg(p.shared() == null ? 0 : contents.indexOf(p.shared()) + 1);
    }
    return redis.send(r).recover(t -> {
      // Redis restarted and forgot the script: load it again and resend (requests carry the sha).
      if (retry && t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
        return loadScript().compose(v -> send(batch, false));
      }
      return Future.failedFuture(t);
    });
  }
}
