package dev.atrium.push;

import io.vertx.core.Future;
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
   * for the dashboard, which is not kept). ARGV: channel, stream length, stream TTL, origin node,
   * then per event its topic, user and frame prefix. One channel message carries the batch, one
   * event per line (frames are JSON, so they hold no raw newline).
   */
  static final String SCRIPT = """
      local lines = {}
      local n = (#ARGV - 4) / 3
      for i = 1, n do
        local topic, user, prefix = ARGV[4 + 3 * i - 2], ARGV[4 + 3 * i - 1], ARGV[4 + 3 * i]
        local seq, stream = KEYS[2 * i - 1], KEYS[2 * i]
        local id = redis.call('INCR', seq)
        local frame = prefix .. ',"id":' .. id .. '}'
        if stream ~= seq then
          local added = redis.pcall('XADD', stream, 'MAXLEN', '~', ARGV[2], id .. '-0', 't', topic, 'f', frame)
          if type(added) == 'table' and added.err then
            -- the stream is ahead of a counter that was lost: start it again
            redis.call('DEL', stream)
            redis.call('XADD', stream, 'MAXLEN', '~', ARGV[2], id .. '-0', 't', topic, 'f', frame)
          end
          redis.call('EXPIRE', stream, ARGV[3])
        end
        lines[i] = topic .. '|' .. user .. '|' .. id .. '|' .. ARGV[4] .. '|' .. frame
      end
      redis.call('PUBLISH', ARGV[1], table.concat(lines, '\\n'))
      return n
      """;

  /** One queued event: its two keys and three arguments for {@link #SCRIPT}. */
  private record Pending(String seqKey, String streamKey, String topic, String userId, String prefix) {
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
    String prefix = framePrefix(topic, event, data);
    enqueue(new Pending(keys.sequence(userId), keys.stream(userId), topic.wire(), userId, prefix));
  }

  /** Queues a dashboard snapshot: numbered, published, not kept for replay. */
  public void publishDashboard(String event, JsonObject data) {
    String prefix = framePrefix(Topic.DASHBOARD, event, data);
    String seq = keys.dashboardSequence();
    enqueue(new Pending(seq, seq, Topic.DASHBOARD.wire(), "", prefix));
  }

  /** The event frame without its closing brace; the script appends the id. */
  static String framePrefix(Topic topic, String event, JsonObject data) {
    String json = new JsonObject().put("type", "event").put("topic", topic.wire()).put("event", event)
        .put("ts", Instant.now().toString()).put("data", data).encode();
    return json.substring(0, json.length() - 1);
  }

  private void enqueue(Pending event) {
    if (queued >= MAX_QUEUE) {
      metrics.publishFailed(1);
      LOG.warn("Push queue full ({} events); dropping an event", MAX_QUEUE);
      return;
    }
    int lane = Math.floorMod(event.seqKey().hashCode(), LANES);
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
    busy[lane] = true;
    send(batch, true).onComplete(ar -> {
      busy[lane] = false;
      if (ar.failed()) {
        metrics.publishFailed(batch.size());
        LOG.warn("Could not publish {} push events: {}", batch.size(), ar.cause().getMessage());
      }
      drain(lane);
    });
  }

  private Future<Response> send(List<Pending> batch, boolean retry) {
    Request r = Request.cmd(Command.EVALSHA).arg(sha).arg(batch.size() * 2L);
    for (Pending p : batch) {
      r.arg(p.seqKey()).arg(p.streamKey());
    }
    r.arg(keys.channel()).arg(maxLen).arg(ttlSeconds).arg(nodeId);
    for (Pending p : batch) {
      r.arg(p.topic()).arg(p.userId()).arg(p.prefix());
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
