package dev.atrium.users;

import com.github.benmanes.caffeine.cache.Cache;
import dev.atrium.access.User;
import dev.atrium.api.PageRequest;
import dev.atrium.events.Addresses;
import dev.atrium.platform.Caches;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * Pages of the admin list. Read from the database by default; with ATRIUM_USERS_LIST_CACHE set,
 * kept for a moment (an admin screen and scripts re-run the same query). Any access change
 * seen by this node (grants, deactivations, deletions on any node; logouts) and every change
 * made here empty it; other edits on other nodes show within the lifetime.
 */
public final class UserListing {
  private final Vertx vertx;
  private final UserListRepository repo;
  private final Cache<ListKey, Future<Listing>> cache;
  /** ATRIUM_USERS_LIST_CACHE=0 (the default): every page is read from the database. */
  private final boolean off;
  private MessageConsumer<JsonObject> consumer;

  public UserListing(Vertx vertx, UserListRepository repo, Duration ttl) {
    this.vertx = vertx;
    this.repo = repo;
    this.off = ttl.isZero();
    this.cache = Caches.builder().maximumSize(ttl.isZero() ? 0 : 10_000)
        .expireAfterWrite(ttl.isZero() ? Duration.ofMillis(1) : ttl).build();
  }

  /** A page of the list and the count of every match (exact, or an estimate beyond the cap). */
  public record Listing(long count, boolean countExact, List<User> users) {
  }

  /** A cached page: the filters and the page (both records, so they compare by value). */
  private record ListKey(UserQuery query, PageRequest pages) {
  }

  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(Addresses.ACCESS_CHANGED, m -> forget());
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  public Future<Listing> list(UserQuery query, PageRequest pages) {
    if (off) {
      return load(query, pages);
    }
    ListKey key = new ListKey(query, pages);
    // The future itself is cached, so concurrent requests for an expired page share one query.
    Future<Listing> listed = cache.get(key, k -> load(query, pages));
    return listed.onFailure(t -> cache.asMap().remove(key, listed));
  }

  private Future<Listing> load(UserQuery query, PageRequest pages) {
    return repo.list(query, pages.size(), pages.offset())
        .map(l -> new Listing(l.count(), l.exact(), l.users()));
  }

  /** Every cached page is dropped (a change was made on this node). */
  public void forget() {
    cache.invalidateAll();
  }
}
