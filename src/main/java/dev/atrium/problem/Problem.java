package dev.atrium.problem;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A failure with an HTTP status and a stable machine code, rendered as RFC 9457
 * problem+json by {@link ProblemHandler}. Domain code fails its futures with these.
 */
public final class Problem extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonArray errors;
  private final Long retryAfterSeconds;
  private final JsonObject extensions;

  private Problem(int status, String code, String detail, JsonArray errors, Long retryAfterSeconds) {
    this(status, code, detail, errors, retryAfterSeconds, null);
  }

  private Problem(int status, String code, String detail, JsonArray errors, Long retryAfterSeconds,
                  JsonObject extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
    this.extensions = extensions;
  }

  /** The same problem with one more member in its body (RFC 9457 extension), such as {@code mfa_token}. */
  public Problem with(String member, Object value) {
    JsonObject ext = extensions == null ? new JsonObject() : extensions.copy();
    return new Problem(status, code, getMessage(), errors, retryAfterSeconds, ext.put(member, value));
  }

  /** Extension members, or null. */
  public JsonObject extensions() {
    return extensions;
  }

  public static Problem of(int status, String code, String detail) {
    return new Problem(status, code, detail, null, null);
  }

  public static Problem validation(String detail, JsonArray errors) {
    return new Problem(400, "validation_failed", detail, errors, null);
  }

  public static Problem field(String code, String field, String message) {
    return new Problem(400, code, message, new JsonArray().add(entry(field, message)), null);
  }

  public static Problem conflict(String code, String field, String message) {
    return new Problem(409, code, message, new JsonArray().add(entry(field, message)), null);
  }

  /** The same problem under a more specific code. */
  public Problem withCode(String newCode) {
    return new Problem(status, newCode, getMessage(), errors, retryAfterSeconds, extensions);
  }

  public static Problem retryLater(int status, String code, String detail, long seconds) {
    return new Problem(status, code, detail, null, Math.max(1, seconds));
  }

  public static Problem notFound(String what) {
    return of(404, "not_found", what + " not found");
  }

  public static JsonObject entry(String field, String message) {
    return new JsonObject().put("field", field).put("message", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonArray errors() {
    return errors;
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
