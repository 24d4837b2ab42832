package dev.atrium.push;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        .compose(responses -> {
          List<Stored> stored = new ArrayList<>();
          Response range = responses.get(0);
          if (range != null) {
            for (Response item : range) {
              Stored e = stored(item);
              if (e != null) {
                stored.add(e);
              }
            }
          }
          Response seq = responses.get(1);
          long current = seq == null ? 0 : Long.parseLong(seq.toString());
          return withContents(stored).map(entries -> {
            boolean reset = since > current;
            long first = stored.isEmpty() ? current + 1 : stored.get(0).id();
            // an entry whose shared content expired is left out: the replay is then incomplete
            boolean complete = !reset && first == since + 1 && entries.size() == stored.size();
            return new Replay(entries, current, complete, reset);
          });
        });
  }

  /** A stream entry as stored: its own head, and the key of the content it shares (empty: none). */
  private record Stored(long id, Topic topic, String head, String content) {
  }

  /** Completes the entries with their shared contents, read once per distinct content. */
  private Future<List<Entry>> withContents(List<Stored> stored) {
    List<String> wanted = stored.stream().map(Stored::content).filter(c -> !c.isEmpty()).distinct().toList();
    Future<Map<String, String>> contents = Future.succeededFuture(Map.of());
    if (!wanted.isEmpty()) {
      Request mget = Request.cmd(Command.MGET);
      wanted.forEach(mget::arg);
      contents = redis.send(mget).map(r -> {
        Map<String, String> byKey = new HashMap<>();
        for (int i = 0; i < wanted.size(); i++) {
          if (r.get(i) != null) {
            byKey.put(wanted.get(i), r.get(i).toString());
          }
        }
        return byKey;
      });
    }
    return contents.map(byKey -> {
      List<Entry> entries = new ArrayList<>(stored.size());
      for (Stored e : stored) {
        String tail = e.content().isEmpty() ? "" : byKey.get(e.content());
        if (tail != null) {
          entries.add(new Entry(e.id(), e.topic(), e.head() + tail));
        }
      }
      return entries;
    });
  }

  private static Stored stored(Response item) {
    String streamId = item.get(0).toString();
    Response fields = item.get(1);
    Topic topic = null;
    String head = null;
    String content = "";
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      switch (fields.get(i).toString()) {
        case "t" -> topic = Topic.of(fields.get(i + 1).toString());
        case "h", "f" -> head = fields.get(i + 1).toString(); // "f": a whole frame, written before contents were shared
        case "c" -> content = fields.get(i + 1).toString();
        default -> {
        }
      }
    }
    int dash = streamId.indexOf('-');
    if (topic == null || head == null || dash < 0) {
      return null;
    }
    return new Stored(Long.parseLong(streamId.substring(0, dash)), topic, head, content);
  }
}
