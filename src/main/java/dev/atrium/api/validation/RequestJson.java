package dev.atrium.api.validation;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import dev.atrium.problem.Problem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.jackson.JacksonCodec;

/**
 * JSON from a client, read one way everywhere: Vert.x's decoder (its limits on depth, numbers and
 * lengths), UTF-8 only, with a member named twice in one object refused. RFC 8259 leaves such a document's
 * meaning open; Jackson keeps the last copy where a proxy, a log or another parser in front of
 * the node may keep the first, so the node would act on a value they never saw (the JSON twin of
 * a query parameter given twice, refused the same way).
 */
public final class RequestJson {
  private static final int MAX_NAME_IN_DETAIL = 100;

  private RequestJson() {
  }

  /** The decoded value (JsonObject, JsonArray, string, number, boolean or null), or 400 malformed_json. */
  public static Object decode(Buffer body) {
    if (notUtf8(body)) {
      throw Problem.of(400, "malformed_json", "The request body must be JSON in UTF-8");
    }
    JsonParser parser = JacksonCodec.createParser(body);
    parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    try {
      return JacksonCodec.fromParser(parser, Object.class);
    } catch (DecodeException e) {
      if (e.getCause() instanceof JsonParseException p && p.getOriginalMessage().startsWith("Duplicate field")) {
        String said = p.getOriginalMessage();
        throw Problem.of(400, "malformed_json", "The request body names a member more than once: "
            + (said.length() > MAX_NAME_IN_DETAIL ? said.substring(0, MAX_NAME_IN_DETAIL) + "…" : said));
      }
      throw Problem.of(400, "malformed_json", "The request body is not valid JSON");
    }
  }

  /**
   * RFC 8259 8.1: JSON between systems is UTF-8. Jackson would guess UTF-16 or UTF-32 from a byte
   * order mark or from zero bytes among the first four, and read a body that anything checking it
   * as UTF-8 on the way saw as something else. In UTF-8 JSON neither can start a document.
   */
  private static boolean notUtf8(Buffer body) {
    if (body.length() < 2) {
      return false;
    }
    byte first = body.getByte(0);
    return first == 0 || body.getByte(1) == 0 || (first & 0xFE) == 0xFE;
  }
}
