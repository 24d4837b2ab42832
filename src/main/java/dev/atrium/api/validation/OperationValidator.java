package dev.atrium.api.validation;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.atrium.problem.Problem;
import io.netty.handler.codec.http.HttpUtil;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request check of one contract operation, compiled once at start-up: its parameters and
 * its body. {@link #validate} runs on the event loop, walks the request once and answers with a
 * {@link ValidatedRequest} or a 400/415 {@link Problem} listing every bad field.
 */
public final class OperationValidator {
  private final String operationId;
  private final List<Parameter> parameters;
  private final boolean bodyRequired;
  /** Media type (lower case, no parameters) → schema, null for a media type whose body is not JSON. */
  private final Map<String, Schema> media;

  OperationValidator(String operationId, List<Parameter> parameters, boolean bodyRequired, Map<String, Schema> media) {
    this.operationId = operationId;
    this.parameters = parameters;
    this.bodyRequired = bodyRequired;
    this.media = media;
  }

  public String operationId() {
    return operationId;
  }

  public ValidatedRequest validate(RoutingContext ctx) {
    Violations out = new Violations();
    Map<String, ValidatedRequest.Value> path = new HashMap<>(4);
    Map<String, ValidatedRequest.Value> query = new HashMap<>(4);
    Map<String, ValidatedRequest.Value> headers = new HashMap<>(2);
    Map<String, ValidatedRequest.Value> cookies = new HashMap<>(2);
    MultiMap queryParams = parameters.isEmpty() ? null : ctx.queryParams(); // decoded once, by Vert.x
    for (Parameter p : parameters) {
      String raw = switch (p.in()) {
        case "path" -> ctx.pathParam(p.name());
        case "query" -> queryParams.get(p.name());
        case "header" -> ctx.request().getHeader(p.name());
        default -> cookie(ctx, p.name());
      };
      if (raw == null) {
        if (p.required()) {
          out.add(p.name(), "is required");
        }
        continue;
      }
      if ("query".equals(p.in()) && queryParams.getAll(p.name()).size() > 1) {
        // every parameter is one value: which copy counts would be up to each proxy and
        // framework on the way (HTTP parameter pollution), so none does
        out.add(p.name(), "is given more than once");
        continue;
      }
      Object typed = p.read(raw, out);
      if (typed != null) {
        Map<String, ValidatedRequest.Value> target = switch (p.in()) {
          case "path" -> path;
          case "query" -> query;
          case "header" -> headers;
          default -> cookies;
        };
        target.put(p.name(), new ValidatedRequest.Value(raw, typed));
      }
    }
    Object body = media == null ? null : body(ctx, out);
    if (!out.isEmpty()) {
      throw out.toProblem();
    }
    return new ValidatedRequest(path, query, headers, cookies, body);
  }

  /** The violations of a decoded JSON body against this operation's schema for {@code mediaType}. */
  public List<Violation> check(String mediaType, Object body) {
    Schema schema = media == null ? null : media.get(mediaType);
    if (schema == null) {
      return List.of();
    }
    Violations out = new Violations();
    schema.check(body, out);
    return out.list();
  }

  private static String cookie(RoutingContext ctx, String name) {
    Cookie c = ctx.request().getCookie(name);
    return c == null ? null : c.getValue();
  }

  private Object body(RoutingContext ctx, Violations out) {
    Buffer buffer = ctx.body() == null ? null : ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      if (bodyRequired) {
        out.add("/", "A request body is required");
      }
      return null;
    }
    String header = ctx.request().getHeader("Content-Type");
    String type = mediaType(header);
    if (type == null || !media.containsKey(type)) {
      throw Problem.of(415, "unsupported_media_type", "The request body must be " + String.join(" or ", media.keySet()));
    }
    Schema schema = media.get(type);
    if (!isJson(type)) {
      return buffer;
    }
    if (HttpUtil.getCharsetAsSequence(header) != null && !UTF_8.equals(HttpUtil.getCharset(header, null))) {
      // RFC 8259 8.1: read as UTF-8 anyway, a latin1 body's ASCII would pass and its "é" fail
      // as malformed JSON; the client is told what is wrong instead. (An unknown name is null.)
      throw Problem.of(415, "unsupported_media_type",
          "A JSON request body must be UTF-8; the Content-Type names another charset");
    }
    Object decoded = RequestJson.decode(buffer);
    if (schema != null) {
      schema.check(decoded, out);
    }
    return decoded;
  }

  static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  static String mediaType(String header) {
    if (header == null) {
      return null;
    }
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }
}
