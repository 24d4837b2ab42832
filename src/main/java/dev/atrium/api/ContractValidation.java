package dev.atrium.api;

import dev.atrium.problem.Problem;
import dev.atrium.api.validation.OperationValidator;
import dev.atrium.api.validation.ValidatedRequest;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Runs an operation's compiled request check and stores the result where {@link Inputs} reads
 * it. It runs after authentication and the permission check, so a caller who may not use an
 * operation learns nothing about its input rules. A bad request fails with the validator's
 * {@link Problem} (400 validation_failed with one entry per field, malformed_json, or 415).
 */
final class ContractValidation {
  static final String VALIDATED = "atrium.validated";

  private ContractValidation() {
  }

  static Handler<RoutingContext> forOperation(OperationValidator validator) {
    return ctx -> {
      ValidatedRequest validated = validator.validate(ctx);
      ctx.put(VALIDATED, validated);
      ctx.next();
    };
  }
}
