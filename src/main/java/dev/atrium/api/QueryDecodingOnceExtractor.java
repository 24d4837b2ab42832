package dev.atrium.api;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The library's request extraction, except for query parameters. vertx-openapi 5.0.7 URL-decodes
 * query values that {@code HttpServerRequest.params()} has already decoded, so a search for
 * {@code 50%} ({@code ?search=50%25}) failed with 400 and {@code a+b} lost its plus sign. Query
 * values are read here, decoded once. Every query parameter of the contract is a scalar (a test
 * checks this), so a parameter's value is its first occurrence.
 */
final class QueryDecodingOnceExtractor implements RequestExtractor {
  /** An operation's query parameters, and the operation as the library is shown it: without them. */
  private record Split(List<Parameter> query, Operation rest) {
  }

  private final RequestExtractor library = RequestExtractor.withBodyHandler();
  private final Map<Operation, Split> splits = new ConcurrentHashMap<>();

  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation operation) {
    Split split = splits.computeIfAbsent(operation, QueryDecodingOnceExtractor::split);
    if (split.query().isEmpty()) {
      return library.extractValidatableRequest(ctx, operation);
    }
    return library.extractValidatableRequest(ctx, split.rest())
        .map(extracted -> {
          Map<String, RequestParameter> query = new HashMap<>();
          for (Parameter p : split.query()) {
            query.put(p.getName(), new RequestParameterImpl(ctx.request().params().get(p.getName())));
          }
          return new ValidatableRequestImpl(extracted.getCookies(), extracted.getHeaders(),
              extracted.getPathParameters(), query, extracted.getBody(), extracted.getContentType());
        });
  }

  private static Split split(Operation operation) {
    List<Parameter> query = operation.getParameters().stream().filter(p -> p.getIn() == Location.QUERY).toList();
    List<Parameter> others = operation.getParameters().stream().filter(p -> p.getIn() != Location.QUERY).toList();
    Operation rest = (Operation) Proxy.newProxyInstance(Operation.class.getClassLoader(),
        new Class<?>[] {Operation.class}, (proxy, method, args) -> {
          if (method.getName().equals("getParameters") && method.getParameterCount() == 0) {
            return others;
          }
          try {
            return method.invoke(operation, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return new Split(query, rest);
  }
}
