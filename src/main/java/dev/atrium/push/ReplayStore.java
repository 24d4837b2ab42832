package dev.atrium.push;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a user's replay stream. Entries have the stream id {@code <seq>-0}, so "everything after
 * sequence id N" is the range starting at {@code N+1}.
 */
public final class ReplayStore {
  private final Redis redis;
  private final PushKeys keys;
  private final int maxEvents;
  private final Limiter limiter = new Limiter(8);

  public ReplayStore(Redis redis, PushKeys keys, int maxEvents) {
    this.redis = redis;
    this.keys = keys;
    this.maxEvents = maxEvents;
  }

  /** One stored event: its sequence id, topic and finished frame. */
  public record Entry(long id, Topic topic, String frame) {
  }

  /**
   * What a user missed after {@code since}. {@code complete} is false when some of it is no
   * longer kept (trimmed or expired); {@code reset} when the counter is behind {@code since}
   * (Redis lost it), so ids start again and the client must resync from the REST API.
   */
  public record Replay(List<Entry> entries, long current, boolean complete, boolean reset) {
  }

  /** The replay; the future may complete on any thread. */
  public Future<Replay> after(String userId, long since) {
    return limiter.submit(() -> read(userId, since));
  }

  private Future<Replay> read(String userId, long since) {
    // One connection, one pipeline: the range and the counter are read back to back.
    return redis.batch(List.of(
            Request.cmd(Command.XRANGE).arg(keys.stream(userId)).arg((since + 1) + "-0").arg("+")
                .arg("COUNT").arg(maxEvents * 2L),
            Request.cmd(Command.GET).arg(keys.sequence(userId))))
        .map(responses -> {
          List<Entry> entries = new ArrayList<>();
          Response range = responses.get(0);
          if (range != null) {
            for (Response item : range) {
              Entry e = entry(item);
              if (e != null) {
                entries.add(e);
              }
            }
          }
          Response seq = responses.get(1);
          long current = seq == null ? 0 : Long.parseLong(seq.toString());
          boolean reset = since > current;
          long first = entries.isEmpty() ? current + 1 : entries.get(0).id();
          boolean complete = !reset && first == since + 1;
          return new Replay(entries, current, complete, reset);
        });
  }

  private static Entry entry(Response item) {
    String streamId = item.get(0).toString();
    Response fields = item.get(1);
    Topic topic = null;
    String frame = null;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = fields.get(i).toString();
      if (name.equals("t")) {
        topic = Topic.of(fields.get(i + 1).toString());
      } else if (name.equals("f")) {
        frame = fields.get(i + 1).toString();
      }
    }
    int dash = streamId.indexOf('-');
    if (topic == null || frame == null || dash < 0) {
      return null;
    }
    return new Entry(Long.parseLong(streamId.substring(0, dash)), topic, frame);
  }
}
