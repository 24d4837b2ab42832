package dev.atrium.analytics;

import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Analytics: durable activity ingestion with group commit, user statistics, the live
 * dashboard kept in Redis, and streamed exports.
 */
public final class AnalyticsModule implements Module {
  private final Platform platform;
  private final IngestQueue ingest;
  private final ActivityService service;
  private final ActivityPartitions partitions;
  private final WorkerExecutor exportWorkers;
  private final AnalyticsHandlers handlers;
  private final Clock clock = Clock.systemUTC();

  public AnalyticsModule(Platform p) {
    this.platform = p;
    ActivityRepository repository = new ActivityRepository(p.pool());
    DashboardCounters counters = new DashboardCounters(p.redis(), p.keys(), clock);
    this.ingest = new IngestQueue(p.vertx(), repository, counters::record, p.config().ingestQueue(),
        p.config().ingestBatch(), p.config().ingestFlushers(), p.registry());
    this.service = new ActivityService(repository, ingest, counters, clock,
        p.config().activityRetentionDays());
    this.partitions = new ActivityPartitions(p.pool());
    // XLSX exports block a thread each for their whole length (fastexcel writes to a blocking
    // stream); their own pool keeps them off the event loops and off every other pool.
    this.exportWorkers = p.vertx().createSharedWorkerExecutor("atrium-export", p.config().exportConcurrency(),
        1, TimeUnit.HOURS);
    this.handlers = new AnalyticsHandlers(service, repository, exportWorkers, p.config().exportConcurrency(), clock);
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  @Override
  public Future<Void> start() {
    return platform.vertx().deployVerticle(new AnalyticsVerticle(ingest, service, partitions, clock,
            platform.config().activityRetentionDays(), platform.config().activityMaintenanceInterval()))
        .mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    return exportWorkers.close();
  }
}
