package dev.atrium.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;

/**
 * Validates a request against its operation in the contract and stores the result where
 * handlers read it. It replaces the router builder's own validation step so that it can run
 * after the permission check.
 */
public final class ContractValidation {
  private final RequestValidator validator;
  private final RequestExtractor extractor = new QueryDecodingOnceExtractor();

  public ContractValidation(RequestValidator validator) {
    this.validator = validator;
  }

  public Handler<RoutingContext> forOperation(Operation operation) {
    return ctx -> extractor.extractValidatableRequest(ctx, operation)
        .compose(request -> validator.validate(request, operation.getOperationId()))
        .onSuccess(validated -> {
          ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }
}
