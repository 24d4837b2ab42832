package dev.atrium.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The library's request validator, made cheap for requests without a body. vertx-openapi 5.0.7
 * runs every validation through {@code executeBlocking} (ordered per context, so the requests of
 * one event loop queue behind each other on a worker) and builds a new schema validator per
 * parameter per request, copying the contract's whole schema map each time. Measured on
 * GET /api/users with three query parameters, that capped the route at a fraction of an
 * unvalidated one. Here a request without a body is validated on the calling event loop with
 * one reusable validator per parameter (parameters are small and bounded by the request line);
 * a request with a body takes the library's own path, off the event loop.
 */
final class InlineRequestValidator extends RequestValidatorImpl {
  private static final int MEMO_MAX_LENGTH = 256;
  private final Map<Style, ParameterTransformer> transformers = new EnumMap<>(Style.class);
  private final Map<Parameter, Validator> validators = new ConcurrentHashMap<>();
  /**
   * Accepted parameter values, per parameter: validating a value is a pure function of the
   * parameter and its raw text, and the schema interpreter is the costliest part of a cheap
   * request (it compiles {@code pattern}s and formats annotations on every call). Short values
   * only, scalars only, bounded; refusals are not remembered.
   */
  private final Cache<ParameterValue, RequestParameter> accepted = Caffeine.newBuilder().maximumSize(50_000).build();

  private record ParameterValue(Parameter parameter, String raw) {
  }

  InlineRequestValidator(Vertx vertx, OpenAPIContract contract) {
    super(vertx, contract);
    transformers.put(Style.SIMPLE, new SimpleTransformer());
    transformers.put(Style.LABEL, new LabelTransformer());
    transformers.put(Style.MATRIX, new MatrixTransformer());
    transformers.put(Style.FORM, new FormTransformer());
  }

  @Override
  public Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
    if (request.getBody() != null && !request.getBody().isEmpty()) {
      return super.validate(request, operationId);
    }
    return getOperation(operationId).compose(operation -> {
      Map<String, RequestParameter> cookies = new HashMap<>();
      Map<String, RequestParameter> headers = new HashMap<>();
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> query = new HashMap<>();
      try {
        for (Parameter param : operation.getParameters()) {
          switch (param.getIn()) {
            case COOKIE -> cookies.put(param.getName(), validateParameter(param, request.getCookies().get(param.getName())));
            case HEADER -> headers.put(param.getName(), validateParameter(param, request.getHeaders().get(param.getName())));
            case PATH -> path.put(param.getName(), validateParameter(param, request.getPathParameters().get(param.getName())));
            case QUERY -> query.put(param.getName(), validateParameter(param, request.getQuery().get(param.getName())));
            default -> {
            }
          }
        }
        RequestParameter body = validateBody(operation.getRequestBody(), request);
        return Future.succeededFuture(new ValidatedRequestImpl(cookies, headers, path, query, body));
      } catch (ValidatorException e) {
        return Future.failedFuture(e);
      }
    });
  }

  /** Same rules as the library's, with the parameter's schema validator built once. */
  @Override
  public RequestParameter validateParameter(Parameter parameter, RequestParameter value) throws ValidatorException {
    if (value == null || value.isNull()) {
      if (parameter.isRequired()) {
        throw ValidatorException.createMissingRequiredParameter(parameter);
      }
      return new RequestParameterImpl(null);
    }
    String raw = String.valueOf(value.get());
    ParameterValue key = raw.length() <= MEMO_MAX_LENGTH ? new ParameterValue(parameter, raw) : null;
    RequestParameter known = key == null ? null : accepted.getIfPresent(key);
    if (known != null) {
      return known;
    }
    ParameterTransformer transformer = transformers.get(parameter.getStyle());
    if (transformer == null) {
      throw ValidatorException.createUnsupportedValueFormat(parameter);
    }
    Object transformed = transformer.transform(parameter, raw);
    Validator validator = validators.computeIfAbsent(parameter,
        p -> contract.getSchemaRepository().validator(p.getSchema()));
    OutputUnit result = validator.validate(transformed);
    try {
      result.checkValidity();
      RequestParameter valid = new RequestParameterImpl(transformed);
      // scalars only: an array or object value is mutable and must not be shared between requests
      if (key != null && (transformed instanceof String || transformed instanceof Number
          || transformed instanceof Boolean)) {
        accepted.put(key, valid);
      }
      return valid;
    } catch (JsonSchemaValidationException e) {
      throw SchemaValidationException.createErrorFromOutputUnitType(parameter, result, e);
    }
  }
}
