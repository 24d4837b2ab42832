package dev.atrium.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP server's meters, under the names and labels of Vert.x's own server metrics
 * ({@code vertx_http_server_requests_total{route,method,code}},
 * {@code vertx_http_server_response_time_seconds{route,method}} with p50, p95 and p99, active
 * requests and connections, resets, bytes, errors). Vert.x's built the tags and looked each
 * meter up in the registry on every request: 5 to 7 % of a small request's CPU. Here each
 * route × method (× status) finds its meters in a map of its own. A method outside the
 * standard ones is labelled {@code OTHER}, so a client cannot add series by inventing methods.
 * One instance serves every HTTP server of the node.
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Exchange, LongAdder, Void> {
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
      "TRACE", "CONNECT");

  /** One request and its response, from the first byte read to the last written. */
  static final class Exchange {
    private final long started = System.nanoTime();
    private final String method;
    private final LongAdder active;
    private String route;
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;

    private Exchange(String method, LongAdder active) {
      this.method = method;
      this.active = active;
    }

    /** Vert.x Web names each route the request passed through; nested routers are joined with '>'. */
    private void routed(String name) {
      if (name != null) {
        route = route == null ? name : route + ">" + name;
      }
    }
  }

  private record Route(String route, String method) {
  }

  private record Outcome(String route, String method, int code) {
  }

  private final MeterRegistry registry;
  private final LongAdder connections = new LongAdder();
  private final LongAdder webSockets = new LongAdder();
  private final Counter bytesRead;
  private final Counter bytesWritten;
  private final Counter errors;
  private final Map<String, LongAdder> active = new ConcurrentHashMap<>();
  private final Map<String, Counter> resets = new ConcurrentHashMap<>();
  private final Map<Outcome, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Route, Timer> responseTimes = new ConcurrentHashMap<>();

  HttpServerMeters(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("vertx.http.server.active.connections", connections, LongAdder::doubleValue)
        .description("Number of opened connections to the HTTP Server").register(registry);
    Gauge.builder("vertx.http.server.active.ws.connections", webSockets, LongAdder::doubleValue)
        .description("Number of websockets currently opened").register(registry);
    bytesRead = Counter.builder("vertx.http.server.bytes.read").description("Number of bytes received by the server")
        .register(registry);
    bytesWritten = Counter.builder("vertx.http.server.bytes.written").description("Number of bytes sent by the server")
        .register(registry);
    errors = Counter.builder("vertx.http.server.errors").description("Number of errors").register(registry);
  }

  @Override
  public Void connected(SocketAddress remoteAddress, String remoteName) {
    connections.increment();
    return null;
  }

  @Override
  public void disconnected(Void socketMetric, SocketAddress remoteAddress) {
    connections.decrement();
  }

  @Override
  public void bytesRead(Void socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    bytesRead.increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(Void socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    bytesWritten.increment(numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Void socketMetric, SocketAddress remoteAddress, Throwable t) {
    errors.increment();
  }

  @Override
  public Exchange requestBegin(Void socketMetric, HttpRequest request) {
    String method = METHODS.contains(request.method().name()) ? request.method().name() : "OTHER";
    LongAdder gauge = active.computeIfAbsent(method, m -> {
      LongAdder n = new LongAdder();
      Gauge.builder("vertx.http.server.active.requests", n, LongAdder::doubleValue)
          .description("Number of requests being processed").tag("method", m).register(registry);
      return n;
    });
    gauge.increment();
    return new Exchange(method, gauge);
  }

  @Override
  public void requestRouted(Exchange exchange, String route) {
    exchange.routed(route);
  }

  @Override
  public void requestEnd(Exchange exchange, HttpRequest request, long bytesRead) {
    exchange.requestEnded = true;
    if (!exchange.reset && exchange.responseEnded) {
      exchange.active.decrement();
    }
  }

  @Override
  public void responseEnd(Exchange exchange, HttpResponse response, long bytesWritten) {
    String route = exchange.route == null ? "" : exchange.route;
    requests.computeIfAbsent(new Outcome(route, exchange.method, response.statusCode()), o -> Counter
            .builder("vertx.http.server.requests").description("Number of processed requests")
            .tags("route", o.route(), "method", o.method(), "code", Integer.toString(o.code())).register(registry))
        .increment();
    responseTimes.computeIfAbsent(new Route(route, exchange.method), r -> Timer
            .builder("vertx.http.server.response.time").description("Request processing time")
            .tags("route", r.route(), "method", r.method())
            // computed on the node over a sliding minute: per-node latency needs no buckets
            .publishPercentiles(0.5, 0.95, 0.99).percentilePrecision(2)
            .distributionStatisticExpiry(Duration.ofMinutes(1)).distributionStatisticBufferLength(3)
            .register(registry))
        .record(System.nanoTime() - exchange.started, TimeUnit.NANOSECONDS);
    exchange.responseEnded = true;
    if (!exchange.reset && exchange.requestEnded) {
      exchange.active.decrement();
    }
  }

  @Override
  public void requestReset(Exchange exchange) {
    resets.computeIfAbsent(exchange.method, m -> Counter.builder("vertx.http.server.request.resets")
        .description("Number of request resets").tag("method", m).register(registry)).increment();
    if (!exchange.reset && !(exchange.requestEnded && exchange.responseEnded)) {
      exchange.active.decrement();
    }
    exchange.reset = true;
  }

  @Override
  public LongAdder connected(Void socketMetric, Exchange exchange, ServerWebSocket webSocket) {
    webSockets.increment();
    return webSockets;
  }

  @Override
  public void disconnected(LongAdder webSocketMetric) {
    webSocketMetric.decrement();
  }
}
