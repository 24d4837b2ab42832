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
 * Hands events to Redis, once each: one script per event takes the user's next sequence id,
 * appends the frame to the user's bounded replay stream and publishes it on the push channel.
 * Being one script, the three steps are atomic, so a user's ids reach every node in increasing
 * order and a frame is in the stream before any node can deliver it.
 *
 * <p>Events queue here and go out in pipelined batches with a few batches in flight, so a
 * broadcast to many users neither exhausts the Redis pool nor sends one round trip per user.
 * Used from the push verticle's context only.
 */
public final class PushPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(PushPublisher.class);
  static final int BATCH = 256;
  static final int IN_FLIGHT = 4;
  static final int MAX_QUEUE = 250_000;

  static final String SCRIPT = """
      local id = redis.call('INCR', KEYS[1])
      local frame = ARGV[4] .. ',"id":' .. id .. '}'
      if #KEYS > 1 then
        local added = redis.pcall('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], id .. '-0', 't', ARGV[2], 'f', frame)
        if type(added) == 'table' and added.err then
          -- the stream is ahead of a counter that was lost: start it again
          redis.call('DEL', KEYS[2])
          redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], id .. '-0', 't', ARGV[2], 'f', frame)
        end
        redis.call('EXPIRE', KEYS[2], ARGV[6])
      end
      redis.call('PUBLISH', ARGV[1], ARGV[2] .. '|' .. ARGV[3] .. '|' .. id .. '|' .. ARGV[7] .. '|' .. frame)
      return id
      """;

  private final Redis redis;
  private final PushKeys keys;
  private final PushMetrics metrics;
  private final String nodeId;
  private final String maxLen;
  private final String ttlSeconds;
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private String sha;
  private int inFlight;

  public PushPublisher(Redis redis, PushKeys keys, PushMetrics metrics, String nodeId, int replayEvents,
                       Duration replayTtl) {
    this.redis = redis;
    this.keys = keys;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.maxLen = Integer.toString(replayEvents);
    this.ttlSeconds = Long.toString(Math.max(1, replayTtl.toSeconds()));
  }

  public Future<Void> loadScript() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
        .map(r -> {
          sha = r.toString();
          return null;
        });
  }

  /** Queues an event for one user's topic (notifications, files). */
  public void publish(Topic topic, String userId, String event, JsonObject data) {
    String prefix = framePrefix(topic, event, data);
    enqueue(Request.cmd(Command.EVALSHA).arg(sha).arg(2).arg(keys.sequence(userId)).arg(keys.stream(userId))
        .arg(keys.channel()).arg(topic.wire()).arg(userId).arg(prefix).arg(maxLen).arg(ttlSeconds).arg(nodeId));
  }

  /** Queues a dashboard snapshot: numbered, published, not kept for replay. */
  public void publishDashboard(String event, JsonObject data) {
    String prefix = framePrefix(Topic.DASHBOARD, event, data);
    enqueue(Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(keys.dashboardSequence())
        .arg(keys.channel()).arg(Topic.DASHBOARD.wire()).arg("").arg(prefix).arg("0").arg("0").arg(nodeId));
  }

  /** The event frame without its closing brace; the script appends the id. */
  static String framePrefix(Topic topic, String event, JsonObject data) {
    String json = new JsonObject().put("type", "event").put("topic", topic.wire()).put("event", event)
        .put("ts", Instant.now().toString()).put("data", data).encode();
    return json.substring(0, json.length() - 1);
  }

  private void enqueue(Request request) {
    if (queue.size() >= MAX_QUEUE) {
      metrics.publishFailed(1);
      LOG.warn("Push queue full ({} events); dropping an event", MAX_QUEUE);
      return;
    }
    queue.add(request);
    drain();
  }

  private void drain() {
    while (inFlight < IN_FLIGHT && !queue.isEmpty()) {
      List<Request> batch = new ArrayList<>(Math.min(BATCH, queue.size()));
      while (batch.size() < BATCH && !queue.isEmpty()) {
        batch.add(queue.poll());
      }
      inFlight++;
      send(batch, true).onComplete(ar -> {
        inFlight--;
        if (ar.failed()) {
          metrics.publishFailed(batch.size());
          LOG.warn("Could not publish {} push events: {}", batch.size(), ar.cause().getMessage());
        }
        drain();
      });
    }
  }

  private Future<List<Response>> send(List<Request> batch, boolean retry) {
    return redis.batch(batch).recover(t -> {
      // Redis restarted and forgot the script: load it again and resend (requests carry the sha).
      if (retry && t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
        return loadScript().compose(v -> send(batch, false));
      }
      return Future.failedFuture(t);
    });
  }
}
