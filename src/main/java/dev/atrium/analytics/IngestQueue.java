package dev.atrium.analytics;

import dev.atrium.problem.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.pgclient.PgException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for activities. Requests on any event loop {@link #submit} their rows; one
 * flusher (on the analytics verticle's context) takes whole submissions up to {@code batchRows}
 * rows and stores them with ONE insert statement and one commit, with at most
 * {@code flushers} inserts in flight. While an insert runs, new submissions gather, so the
 * busier the node, the larger each insert: one activity never costs one transaction.
 *
 * <p>A submission's future completes only after its rows are committed. Memory is bounded:
 * rows accepted but not yet committed never exceed {@code capacity}; beyond it a submission is
 * refused at once (503 + Retry-After) instead of waiting in an unbounded queue.
 */
public final class IngestQueue {
  private static final Logger LOG = LoggerFactory.getLogger(IngestQueue.class);

  /** Rows accepted and the caller's context, so completion runs where the request lives. */
  private record Submission(List<Activity> rows, Promise<Integer> promise, Context caller) {
  }

  private final Vertx vertx;
  private final ActivityRepository repository;
  private final Consumer<List<Activity>> onCommitted;
  private final int capacity;
  private final int batchRows;
  private final int flushers;
  private final ConcurrentLinkedQueue<Submission> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicBoolean wakeScheduled = new AtomicBoolean();
  private final Counter stored;
  private final Counter duplicates;
  private final Counter refused;
  private final DistributionSummary flushSize;
  private final Timer flushTime;
  private volatile Context flushContext;
  // Written only on flushContext; volatile because submit reads it: while every flusher is
  // busy a submission needs no wake-up, the next commit drains the queue anyway.
  private volatile int inFlight;
  private Promise<Void> drained; // set by stop(), touched only on flushContext

  public IngestQueue(Vertx vertx, ActivityRepository repository, Consumer<List<Activity>> onCommitted, int capacity,
                     int batchRows, int flushers, MeterRegistry registry) {
    this.vertx = vertx;
    this.repository = repository;
    this.onCommitted = onCommitted;
    this.capacity = capacity;
    this.batchRows = batchRows;
    this.flushers = flushers;
    MeterRegistry r = registry != null ? registry : new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    this.stored = Counter.builder("atrium_activities_stored_total").description("Activities committed").register(r);
    this.duplicates = Counter.builder("atrium_activities_duplicate_total")
        .description("Activities skipped because their event_id was already stored").register(r);
    this.refused = Counter.builder("atrium_activities_refused_total")
        .description("Activities refused with 503 because the ingest queue was full").register(r);
    this.flushSize = DistributionSummary.builder("atrium_ingest_flush_rows")
        .description("Rows per group-commit insert").register(r);
    this.flushTime = Timer.builder("atrium_ingest_flush")
        .description("Time from a group-commit insert's start to its commit (the wait every activity request adds)").register(r);
    Gauge.builder("atrium_ingest_pending_rows", pending, AtomicInteger::get)
        .description("Activities accepted but not yet committed").register(r);
  }

  /** Binds the flusher to a context (the analytics verticle's); submissions before this fail. */
  void start(Context context) {
    this.flushContext = context;
  }

  /**
   * Queues the rows; the future completes with how many were stored (a resent event_id is
   * not) once they are committed, or fails with 503 when the queue is full or the store fails.
   * {@code headroom} lets the server's own events use up to twice the capacity, so that a
   * client flood does not make the server lose its record of logins.
   */
  public Future<Integer> submit(List<Activity> rows, boolean headroom) {
    Context flusher = flushContext;
    if (flusher == null) {
      return Future.failedFuture(busy("Activity ingestion is not running"));
    }
    int n = rows.size();
    int limit = headroom ? capacity * 2 : capacity;
    if (pending.addAndGet(n) > limit) {
      pending.addAndGet(-n);
      refused.increment(n);
      return Future.failedFuture(busy("Too many activities waiting to be stored; retry shortly"));
    }
    Promise<Integer> promise = Promise.promise();
    queue.add(new Submission(rows, promise, vertx.getOrCreateContext()));
    // Read after the add: a flush completing meanwhile lowers inFlight before it drains, so
    // either this sees a free flusher and wakes it, or that drain sees the submission.
    if (inFlight < flushers && wakeScheduled.compareAndSet(false, true)) {
      flusher.runOnContext(v -> {
        wakeScheduled.set(false);
        drain();
      });
    }
    return promise.future();
  }

  public int pending() {
    return pending.get();
  }

  /** Completes when everything accepted so far is committed (or failed); for a clean stop. */
  Future<Void> stop() {
    Context flusher = flushContext;
    if (flusher == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    flusher.runOnContext(v -> {
      drained = done;
      drain();
    });
    return done.future();
  }

  private void drain() {
    while (inFlight < flushers && !queue.isEmpty()) {
      List<Submission> batch = new ArrayList<>();
      int rows = 0;
      Submission next;
      while ((next = queue.peek()) != null && (batch.isEmpty() || rows + next.rows().size() <= batchRows)) {
        queue.poll();
        batch.add(next);
        rows += next.rows().size();
      }
      inFlight++;
      flush(batch).onComplete(ar -> {
        inFlight--;
        drain();
      });
    }
    if (drained != null && inFlight == 0 && queue.isEmpty()) {
      drained.tryComplete();
    }
  }

  /**
   * Writes a batch. If the insert fails and the batch holds several submissions, each is retried
   * alone, so one request whose rows the database refuses cannot fail the others.
   */
  private Future<Void> flush(List<Submission> batch) {
    List<Activity> rows = rowsOf(batch);
    flushSize.record(rows.size());
    long started = System.nanoTime();
    return repository.insert(rows)
        .map(stored -> {
          flushTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          complete(batch, rows, stored);
          return (Void) null;
        })
        .recover(t -> {
          if (batch.size() == 1) {
            fail(batch.get(0), t);
            return Future.succeededFuture();
          }
          LOG.warn("Group insert of {} activities failed ({}); retrying each request alone", rows.size(),
              t.getMessage());
          Future<Void> each = Future.succeededFuture();
          for (Submission s : batch) {
            each = each.compose(v -> flush(List.of(s)));
          }
          return each;
        });
  }

  /**
   * The rows of a batch, with a client event id that occurs twice in it for the same user kept
   * once (the insert statement could otherwise store both copies).
   */
  private static List<Activity> rowsOf(List<Submission> batch) {
    List<Activity> rows = new ArrayList<>();
    Set<Activity.Key> keyed = null;
    for (Submission s : batch) {
      for (Activity a : s.rows()) {
        if (a.clientKeyed()) {
          if (keyed == null) {
            keyed = new HashSet<>();
          }
          if (!keyed.add(a.key())) {
            continue;
          }
        }
        rows.add(a);
      }
    }
    return rows;
  }

  private void complete(List<Submission> batch, List<Activity> rows, ActivityRepository.Stored storedIds) {
    List<Activity> fresh = storedIds.all() ? rows : rows.stream().filter(storedIds::isNew).toList();
    // Each stored id is credited to the first submission that carried it; a later copy (same
    // event_id in another request of this batch, or twice in one) counts as a duplicate.
    Set<Activity.Key> unclaimed = storedIds.all() ? null : new HashSet<>(storedIds.keys());
    int submitted = 0;
    Map<EventLoop, List<Runnable>> answers = new IdentityHashMap<>(4);
    for (Submission s : batch) {
      submitted += s.rows().size();
      pending.addAndGet(-s.rows().size());
      int own = s.rows().size();
      if (unclaimed != null) {
        own = 0;
        for (Activity a : s.rows()) {
          if (unclaimed.remove(a.key())) {
            own++;
          }
        }
      }
      int count = own;
      ContextInternal caller = (ContextInternal) s.caller();
      if (caller.isEventLoopContext()) {
        answers.computeIfAbsent(caller.nettyEventLoop(), l -> new ArrayList<>())
            .add(() -> caller.dispatch(count, s.promise()::complete));
      } else {
        caller.runOnContext(v -> s.promise().complete(count)); // a worker's answer runs on its pool
      }
    }
    // One task per event loop rather than one per request (each request has a context of its
    // own): a batch's requests sit on a few loops, and a task handed to another loop may cost
    // a wake-up of that loop. Each answer still runs on its request's context.
    answers.forEach((loop, completions) -> loop.execute(() -> completions.forEach(Runnable::run)));
    stored.increment(fresh.size());
    duplicates.increment(submitted - fresh.size());
    if (!fresh.isEmpty()) {
      try {
        onCommitted.accept(fresh);
      } catch (RuntimeException e) {
        // the rows are committed and their requests answered: a failing listener must not make
        // the batch look failed (it would be retried and its requests completed twice)
        LOG.warn("After-commit listener failed for {} activities", fresh.size(), e);
      }
    }
  }

  private void fail(Submission s, Throwable t) {
    pending.addAndGet(-s.rows().size());
    Problem problem;
    if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
      // The database's own text names its internals; it goes to the log, not to the client.
      LOG.info("The database refused {} activities: {} {}", s.rows().size(), pg.getSqlState(), pg.getErrorMessage());
      problem = Problem.of(400, "invalid_activity", "An activity holds a value that cannot be stored");
    } else {
      LOG.warn("Storing {} activities failed: {}", s.rows().size(), t.toString());
      problem = Problem.retryLater(503, "store_unavailable", "Activities could not be stored; retry shortly", 2);
    }
    s.caller().runOnContext(v -> s.promise().fail(problem));
  }

  private static Problem busy(String detail) {
    return Problem.retryLater(503, "ingest_saturated", detail, 1);
  }
}
