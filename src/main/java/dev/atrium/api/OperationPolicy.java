package dev.atrium.api;

import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.Operation;

/**
 * How the router treats an operation's request, as its contract entry declares beside
 * {@code x-permission}:
 * <ul>
 *   <li>{@code x-body-limit: <bytes>}: the body may be this large (default 1 MB); it is read
 *       after authentication and the permission check, so strangers cannot make the node buffer it.
 *   <li>{@code x-streamed-body: true}: the handler reads the request itself, unvalidated (a streamed
 *       multipart upload, tus, a WebSocket upgrade). Streamed content types are never buffered;
 *       a body of another type is buffered up to 1 MB like any, for the handler to refuse.
 *   <li>{@code x-self-checked: true}: the body is buffered but checked by the handler, which the
 *       contract cannot express (a CSV import, checked row by row in one pass).
 * </ul>
 */
record OperationPolicy(Long bodyLimit, boolean streaming, boolean selfChecked) {
  static final String BODY_LIMIT = "x-body-limit";
  static final String STREAMING = "x-streamed-body";
  static final String SELF_CHECKED = "x-self-checked";

  static OperationPolicy of(Operation operation) {
    JsonObject model = operation.getOpenAPIModel();
    Number limit = (Number) model.getValue(BODY_LIMIT);
    return new OperationPolicy(limit == null ? null : limit.longValue(), model.getBoolean(STREAMING, false),
        model.getBoolean(SELF_CHECKED, false));
  }

  /** The 1 MB edge body handler leaves this operation's body alone (it has its own limit). */
  boolean readsOwnBody() {
    return bodyLimit != null;
  }

  /** The compiled contract check runs before the handler. */
  boolean validated() {
    return !streaming && !selfChecked;
  }
}
