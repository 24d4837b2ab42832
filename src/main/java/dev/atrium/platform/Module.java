package dev.atrium.platform;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * One domain's part of a node: the contract operations it serves and the verticles it runs.
 * {@code Application} lists the modules; the router binds every operation of the contract to
 * exactly one module's handler. How an operation's request is read and checked (body limit,
 * streaming) is declared in the contract beside {@code x-permission} (see {@code api/OperationPolicy}).
 */
public interface Module {
  /** operationId → handler, for this domain's operations in openapi.yaml. */
  Map<String, Handler<RoutingContext>> operations();

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
