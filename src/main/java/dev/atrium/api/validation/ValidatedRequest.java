package dev.atrium.api.validation;

import java.util.Map;

/**
 * What a request carried, checked against its operation: each parameter's text and typed value
 * (integers as {@code Long}, booleans, times as {@code java.time} values), and the decoded JSON
 * body (or the raw body for other media types). Parameters the request did not send are absent.
 */
public record ValidatedRequest(Map<String, Value> path, Map<String, Value> query, Map<String, Value> headers,
                               Map<String, Value> cookies, Object body) {

  /** A parameter as sent and as typed. */
  public record Value(String text, Object typed) {
  }
}
