package dev.atrium.platform;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * What /metrics exports, chosen so a scrape stays small (well under 200 KB) on a busy node.
 * With Vert.x's percentile histograms on every timer and summary, each route × method × status
 * carried about 70 bucket lines per meter (4.2 MB per scrape). Now:
 * <ul>
 *   <li>{@code vertx_http_server_requests_total{route,method,code}}: per-route rates and errors;</li>
 *   <li>{@code vertx_http_server_response_time_seconds{route,method,quantile}}: p50, p95 and p99
 *       per route and method (computed on the node over a sliding minute; not aggregatable
 *       across nodes, which per-node latency does not need), plus count, sum and max;</li>
 *   <li>no buckets anywhere else (pools, SQL, Redis, GC keep count, sum and max), and no
 *       request/response size summaries.</li>
 * </ul>
 * The HTTP server's meters are {@link HttpServerMeters}; the rest are Vert.x's.
 */
public final class Metrics {
  /**
   * Vert.x's net-client meters say nothing true here: one unlabelled gauge adds up PostgreSQL,
   * Redis, SMTP and S3 connections, the HTTP client (S3) counts its connections in but never out
   * (vertx-micrometer-metrics #131), and the byte counters stay at 0 because the PostgreSQL and
   * Redis clients report through their own meters. The pools' meters ({@code vertx_pool_*},
   * {@code vertx_sql_*}, {@code vertx_redis_*}) say what an operator needs about those connections.
   */
  static final String NET_CLIENT = "vertx.net.client.";

  private Metrics() {
  }

  /** Vert.x metrics of one node, into a registry with the filters below, added to the node's other options. */
  public static VertxBuilder configure(VertxBuilder builder, VertxOptions vertxOptions, String registryName) {
    PrometheusMeterRegistry registry = registry();
    MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory(registry);
    return builder.with(vertxOptions.setMetricsOptions(options(registryName)))
        .withMetrics(options -> new NodeMetrics(micrometer.metrics(options), registry));
  }

  static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().startsWith(NET_CLIENT)));
    return registry;
  }

  static MicrometerMetricsOptions options(String registryName) {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(registryName)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(false))
        // method and code label the HTTP client's meters (S3); the server's are HttpServerMeters'
        .addLabels(Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME);
  }
}
