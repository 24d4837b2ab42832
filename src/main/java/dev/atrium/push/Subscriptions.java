package dev.atrium.push;

import io.vertx.core.AsyncResult;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A socket's topics and the replay merge. Per per-user topic the socket remembers the last
 * sequence id it wrote; a subscription with {@code since} holds live events, reads the replay
 * stream, writes what it finds, then the held events whose id is larger: no gap, no duplicate.
 * At most one replay per socket is in flight; later ones wait (at most one per topic, a newer
 * subscribe replacing an older one), so a client repeating {@code subscribe} cannot queue work.
 * Event-loop only.
 */
final class Subscriptions {
  /** Live events held while a replay is read; more than this means the reader cannot keep up. */
  static final int MAX_REPLAY_BUFFER = 10_000;

  private static final class Subscription {
    long lastId;
    List<PushMessage> held;
  }

  private record Pending(Topic topic, Subscription sub, long since, boolean acknowledge) {
  }

  private final ReplayStore replay;
  private final Outbound out;
  private final Consumer<Runnable> onLoop;
  private final Runnable tooSlow;
  private final Map<Topic, Subscription> topics = new EnumMap<>(Topic.class);
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private boolean replaying;

  Subscriptions(ReplayStore replay, Outbound out, Consumer<Runnable> onLoop, Runnable tooSlow) {
    this.replay = replay;
    this.out = out;
    this.onLoop = onLoop;
    this.tooSlow = tooSlow;
  }

  boolean has(Topic topic) {
    return topics.containsKey(topic);
  }

  /** Subscribes to a per-user topic, replaying from {@code since} when given. */
  void subscribe(String userId, Topic topic, Long since) {
    Subscription sub = new Subscription();
    topics.put(topic, sub);
    if (since == null) {
      out.reply(Frames.subscribed(topic));
      return;
    }
    sub.held = new ArrayList<>();
    queue(userId, new Pending(topic, sub, since, true));
  }

  /** The dashboard: no ids, no replay. */
  void subscribeDashboard() {
    topics.put(Topic.DASHBOARD, new Subscription());
  }

  void unsubscribe(Topic topic) {
    topics.remove(topic);
  }

  /** Events may have been missed (the node's channel subscription was re-established): replay them. */
  void resync(String userId) {
    topics.forEach((topic, sub) -> {
      if (topic.perUser() && sub.held == null) {
        sub.held = new ArrayList<>();
        queue(userId, new Pending(topic, sub, sub.lastId, false));
      }
    });
  }

  void deliver(PushMessage m) {
    Subscription sub = topics.get(m.topic());
    if (sub == null) {
      return;
    }
    if (m.topic().perUser()) {
      if (sub.held != null) {
        if (sub.held.size() >= MAX_REPLAY_BUFFER) {
          tooSlow.run();
          return;
        }
        sub.held.add(m);
        return;
      }
      if (m.id() <= sub.lastId) {
        return; // written by the replay already
      }
      sub.lastId = m.id();
    }
    out.event(m.topic(), m.head(), m.sharedTail());
  }

  private void queue(String userId, Pending p) {
    waiting.removeIf(w -> w.topic() == p.topic()); // replaced by the newer subscription
    waiting.add(p);
    next(userId);
  }

  private void next(String userId) {
    if (replaying || waiting.isEmpty()) {
      return;
    }
    Pending p = waiting.poll();
    replaying = true;
    // back to this socket's event loop: the replay may complete on another one
    replay.after(userId, p.since()).onComplete(ar -> onLoop.accept(() -> {
      replaying = false;
      replayed(p, ar);
      next(userId);
    }));
  }

  private void replayed(Pending p, AsyncResult<ReplayStore.Replay> ar) {
    Subscription sub = p.sub();
    if (topics.get(p.topic()) != sub) {
      return; // unsubscribed or replaced meanwhile
    }
    long last = p.since();
    JsonObject ack = Frames.subscribed(p.topic()).put("since", p.since());
    if (ar.succeeded()) {
      ReplayStore.Replay r = ar.result();
      if (r.reset()) {
        last = 0; // ids restarted; anything newer than 0 is new to this client
      }
      List<ReplayStore.Entry> mine = r.entries().stream().filter(e -> e.topic() == p.topic()).toList();
      if (p.acknowledge()) {
        out.reply(ack.put("replayed", mine.size()).put("complete", r.complete()).put("last_id", r.current()));
      }
      // A replay is bounded by the stream length; written like a reply (reading pauses if it fills the queue).
      for (ReplayStore.Entry e : mine) {
        out.replayed(p.topic(), e.frame());
        last = Math.max(last, e.id());
      }
    } else if (p.acknowledge()) {
      out.reply(ack.put("replayed", 0).put("complete", false));
    }
    List<PushMessage> held = sub.held;
    sub.held = null;
    sub.lastId = last;
    held.forEach(this::deliver);
  }
}
