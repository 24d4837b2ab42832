package dev.atrium.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.Operation;
import java.util.List;

/**
 * The checks that run on an operation after authentication and before validation (the
 * {@code access} package's permission guard). An interface here, so that the HTTP edge does
 * not depend on the access layer that builds on it.
 */
public interface RouteGuards {
  /** The handlers to run, in order, for this operation; empty when it needs none. */
  List<Handler<RoutingContext>> forOperation(Operation operation);
}
