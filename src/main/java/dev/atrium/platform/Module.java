package dev.atrium.platform;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;

/**
 * One domain's part of a node: the contract operations it serves and the verticles it runs.
 * {@code Application} lists the modules; the router binds every operation of the contract to
 * exactly one module's handler.
 */
public interface Module {
  /** operationId → handler, for this domain's operations in openapi.yaml. */
  Map<String, Handler<RoutingContext>> operations();

  /**
   * Operations whose handler reads and checks the request itself (a streamed multipart upload, a
   * CSV import, a WebSocket upgrade, a hot path with a hand-written check pinned to the contract
   * by a test): the router skips its contract validation step. Authentication and permission
   * checks still apply; multipart bodies are never buffered, other bodies are.
   */
  default Set<String> selfCheckedOperations() {
    return Set.of();
  }

  /**
   * operationId → largest accepted request body in bytes, for operations whose bodies may exceed
   * the router's default limit (such as bulk imports). Only for operations with a fixed path.
   */
  default Map<String, Long> bodyLimits() {
    return Map.of();
  }

  /** Routes outside the contract (static files and the like). */
  default void mount(Router router) {
  }

  /** Deploys this domain's verticles and starts its background work; fails start-up if it fails. */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** Stops background work that the Vert.x instance does not stop by itself. */
  default Future<Void> stop() {
    return Future.succeededFuture();
  }
}
