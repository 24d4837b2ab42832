package dev.atrium.push;

import dev.atrium.api.validation.RequestJson;
import dev.atrium.problem.Problem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The push protocol's frames and close codes (see {@code GET /ws} in openapi.yaml): parsing what
 * a client sends, building the control frames the node answers with. Event frames are built by
 * {@link PushPublisher}.
 */
final class Frames {
  static final int MAX_FRAME = 64 * 1024;
  static final short CLOSE_GOING_AWAY = 1001;
  /** A text frame that is not UTF-8 (RFC 6455 8.1). */
  static final short CLOSE_NOT_UTF8 = 1007;
  static final short CLOSE_POLICY = 1008;
  static final short CLOSE_TOO_BIG = 1009;
  /** Too slow a reader, or the node too busy to check a token: reconnect later. */
  static final short CLOSE_TOO_SLOW = 1013;
  static final short CLOSE_UNAUTHENTICATED = 4401;
  static final short CLOSE_NO_PONG = 4408;
  /** Beyond ATRIUM_WS_MAX_PER_USER, the user's oldest socket is closed with this code. */
  static final short CLOSE_TOO_MANY = 4409;

  private Frames() {
  }

  /** A client frame: its type ("" when absent) and body; null when it is not a JSON object. */
  record Inbound(String type, JsonObject body) {
  }

  static Inbound parse(Buffer text) {
    Object decoded;
    try {
      decoded = RequestJson.decode(text);
    } catch (Problem malformed) {
      return null;
    }
    return decoded instanceof JsonObject frame
        ? new Inbound(frame.getValue("type") instanceof String s ? s : "", frame) : null;
  }

  static JsonObject ack(String of) {
    return new JsonObject().put("type", "ack").put("of", of);
  }

  static JsonObject subscribed(Topic topic) {
    return ack("subscribe").put("topic", topic.wire());
  }

  static JsonObject error(String code, String detail, String of) {
    JsonObject f = new JsonObject().put("type", "error").put("code", code).put("detail", detail);
    if (of != null) {
      f.put("of", of);
    }
    return f;
  }

  static JsonObject pong() {
    return new JsonObject().put("type", "pong");
  }
}
