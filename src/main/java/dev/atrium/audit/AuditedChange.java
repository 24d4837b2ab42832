package dev.atrium.audit;

import dev.atrium.access.AccessChanges;
import dev.atrium.access.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way an admin change is made: run it in one transaction together with its audit
 * entries, then, only after the commit, announce whose access changed (every node drops its
 * cached state) and publish its events. Services decide what to change; repositories take the
 * {@link SqlConnection} of {@link Change#tx()}. A refusal by the delegation policy is audited
 * as such ({@link SecurityEvents#refusal}).
 */
public final class AuditedChange {
  private static final Logger LOG = LoggerFactory.getLogger(AuditedChange.class);
  /**
   * Above this many affected users a change is not announced user by user: every node's access
   * cache forgets entries within half a second anyway.
   */
  static final int ANNOUNCE_LIMIT = 2_000;

  private final Vertx vertx;
  private final Pool pool;
  private final AuditLog audit;
  private final SecurityEvents security;
  private final AccessChanges changes;

  public AuditedChange(Vertx vertx, Pool pool, AuditLog audit, SecurityEvents security, AccessChanges changes) {
    this.vertx = vertx;
    this.pool = pool;
    this.audit = audit;
    this.security = security;
    this.changes = changes;
  }

  /** One change in progress: its connection, and what to do after it commits. */
  public final class Change {
    private final SqlConnection tx;
    private final Caller actor;
    private final Set<UUID> accessChanged = new LinkedHashSet<>();
    private final Set<UUID> tokensVoided = new LinkedHashSet<>();
    private final List<Map.Entry<String, JsonObject>> events = new ArrayList<>();

    private Change(SqlConnection tx, Caller actor) {
      this.tx = tx;
      this.actor = actor;
    }

    public SqlConnection tx() {
      return tx;
    }

    /** Writes an audit entry in this change's transaction. */
    public Future<Void> audit(String action, String targetType, Object targetId, JsonObject details) {
      return audit.record(tx, actor, action, targetType, targetId, details);
    }

    /** After the commit, every node drops these users' cached access. */
    public Change accessChanged(java.util.Collection<UUID> users) {
      accessChanged.addAll(users);
      return this;
    }

    public Change accessChanged(UUID user) {
      accessChanged.add(user);
      return this;
    }

    /** After the commit, announce that this user's credentials were voided (stored in this transaction). */
    public Change tokensVoided(UUID user) {
      tokensVoided.add(user);
      return this;
    }

    /** After the commit, publish this event on the event bus. */
    public Change publish(String address, JsonObject body) {
      events.add(Map.entry(address, body));
      return this;
    }
  }

  /**
   * Applies a rule of the delegation policy before any work starts (a password is hashed, a
   * transaction opened): a refusal is audited like one found inside {@link #run}.
   */
  public Future<Void> check(Caller actor, String action, String targetType, Object targetId, Runnable rule) {
    try {
      rule.run();
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return security.refusal(actor, action, targetType, targetId, e);
    }
  }

  /**
   * Runs {@code work} in a transaction as {@code actor}; {@code action}, {@code targetType} and
   * {@code targetId} name the change in the audit entry of a refusal.
   */
  public <T> Future<T> run(Caller actor, String action, String targetType, Object targetId,
                           Function<Change, Future<T>> work) {
    List<Change> made = new ArrayList<>(1);
    return pool.withTransaction(tx -> {
          Change change = new Change(tx, actor);
          made.add(change);
          return work.apply(change);
        })
        .recover(t -> security.refusal(actor, action, targetType, targetId, t))
        .compose(result -> afterCommit(made.get(0)).map(result));
  }

  private Future<Void> afterCommit(Change change) {
    List<Future<Void>> sent = new ArrayList<>();
    for (UUID u : change.tokensVoided) {
      sent.add(changes.tokensVoided(u.toString()));
    }
    Set<UUID> others = new LinkedHashSet<>(change.accessChanged);
    others.removeAll(change.tokensVoided);
    if (others.size() > ANNOUNCE_LIMIT) {
      LOG.info("Access of {} users changed; caches expire them within a second", others.size());
    } else {
      for (UUID u : others) {
        sent.add(changes.permissionsChanged(u.toString()));
      }
    }
    change.events.forEach(e -> vertx.eventBus().publish(e.getKey(), e.getValue()));
    return Future.all(sent).mapEmpty();
  }
}
