package dev.atrium.analytics;

import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import dev.atrium.events.AccessChanged;
import dev.atrium.events.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;

/**
 * Analytics: durable activity ingestion with group commit, user statistics, the live
 * dashboard kept in Redis, and streamed exports.
 */
public final class AnalyticsModule implements Module {
  private final Platform platform;
  private final IngestQueue ingest;
  private final DashboardCounters counters;
  private final ActivityService service;
  private final ActivityPartitions partitions;
  private final AnalyticsHandlers handlers;
  private final Clock clock = Clock.systemUTC();
  private String deployment;

  public AnalyticsModule(Platform p) {
    this.platform = p;
    ActivityRepository repository = new ActivityRepository(p.pool(), p.ingest());
    this.counters = new DashboardCounters(p.vertx(), p.redis(), p.keys(), clock);
    this.ingest = new IngestQueue(p.vertx(), repository, counters::record, p.config().ingestQueue(),
        p.config().ingestBatch(), p.config().ingestFlushers(), p.registry());
    this.service = new ActivityService(repository, ingest, counters, clock,
        p.config().activityRetentionDays(), p.config().ingestRatePerUser());
    this.partitions = new ActivityPartitions(p.pool());
    this.handlers = new AnalyticsHandlers(service, new ActivityExport(p.pool(), repository, p.exports()), clock);
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  @Override
  public Future<Void> start() {
    platform.vertx().eventBus().<JsonObject>consumer(Addresses.ACCESS_CHANGED,
        m -> service.accessChanged(AccessChanged.fromJson(m.body()).userId()));
    return platform.vertx().deployVerticle(new AnalyticsVerticle(ingest, counters, service,
            partitions, clock, platform.config().activityRetentionDays(),
            platform.config().activityMaintenanceInterval()))
        .onSuccess(id -> deployment = id)
        .mapEmpty();
  }

  /** The verticle commits what was accepted; then the group commit's connections close. */
  @Override
  public Future<Void> stop() {
    Future<Void> undeployed = deployment == null ? Future.succeededFuture()
        : platform.vertx().undeploy(deployment).otherwiseEmpty();
    return undeployed.compose(v -> platform.ingest().close().otherwiseEmpty());
  }
}
