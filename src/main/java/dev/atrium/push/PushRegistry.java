package dev.atrium.push;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sockets open on this node, by user and for the dashboard. Sockets live on the event loops
 * of the HTTP verticles and the Redis subscription on the push verticle's, so the maps are
 * concurrent; each socket's own state stays on its event loop (see {@link PushSocket#post}).
 */
public final class PushRegistry {
  private final Set<PushSocket> all = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<PushSocket>> byUser = new ConcurrentHashMap<>();
  private final Set<PushSocket> dashboard = ConcurrentHashMap.newKeySet();

  public PushRegistry(MeterRegistry registry) {
    Gauge.builder("atrium.push.sockets.open", all, Set::size).description("WebSocket connections open on this node")
        .register(registry);
  }

  void opened(PushSocket socket) {
    all.add(socket);
  }

  /**
   * Counts the socket as the user's; beyond {@code maxPerUser} sockets on this node the user's
   * oldest is closed with 4409 (the newest is the one the user is looking at: a reloaded tab,
   * a new device). The count is per node: a user's sockets on other nodes are not counted.
   */
  void authenticated(String userId, PushSocket socket, int maxPerUser) {
    Set<PushSocket> mine = byUser.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet());
    mine.add(socket);
    int excess = mine.size() - maxPerUser;
    if (excess > 0) {
      mine.stream().filter(s -> s != socket).sorted(java.util.Comparator.comparingLong(PushSocket::openedAt))
          .limit(excess).forEach(old -> {
            mine.remove(old); // at once, so a burst of new sockets does not close more than needed
            old.post(v -> old.close(Frames.CLOSE_TOO_MANY, "too many sockets for this user"));
          });
    }
  }

  void watchDashboard(PushSocket socket, boolean on) {
    if (on) {
      dashboard.add(socket);
    } else {
      dashboard.remove(socket);
    }
  }

  void closed(PushSocket socket, String userId) {
    all.remove(socket);
    dashboard.remove(socket);
    if (userId != null) {
      byUser.computeIfPresent(userId, (k, set) -> {
        set.remove(socket);
        return set.isEmpty() ? null : set;
      });
    }
  }

  public Set<PushSocket> forUser(String userId) {
    return byUser.getOrDefault(userId, Set.of());
  }

  public Set<PushSocket> dashboardSockets() {
    return dashboard;
  }

  public Set<PushSocket> all() {
    return all;
  }

  public int size() {
    return all.size();
  }
}
