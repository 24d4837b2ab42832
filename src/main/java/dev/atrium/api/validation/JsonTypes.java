package dev.atrium.api.validation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What JSON type a decoded value has, and JSON equality: the two questions every schema check asks. */
final class JsonTypes {
  private JsonTypes() {
  }

  /** The {@link Schema} type bits the value satisfies (an integral number is also a number). */
  static int typeOf(Object value) {
    if (value == null) {
      return Schema.NULL;
    } else if (value instanceof String) {
      return Schema.STRING;
    } else if (value instanceof Boolean) {
      return Schema.BOOLEAN;
    } else if (value instanceof JsonObject) {
      return Schema.OBJECT;
    } else if (value instanceof JsonArray) {
      return Schema.ARRAY;
    } else if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
        || value instanceof Short || value instanceof Byte) {
      return Schema.INTEGER | Schema.NUMBER;
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      return Double.isFinite(d) && d == Math.rint(d) ? Schema.INTEGER | Schema.NUMBER : Schema.NUMBER;
    }
    return 0;
  }

  /**
   * A number beyond a 64-bit float (such as {@code 1e999}) is decoded as infinity, which would be
   * stored as the text "Infinity": refused instead, so a record never holds other than was sent.
   */
  static final String OUT_OF_RANGE = "beyond the range of a 64-bit float";

  /** Whether every number in a decoded JSON tree is finite. Iterative: hostile nesting cannot overflow the stack. */
  static boolean finiteNumbers(Object root) {
    ArrayList<Object> pending = new ArrayList<>();
    pending.add(root);
    while (!pending.isEmpty()) {
      Object v = pending.remove(pending.size() - 1);
      if (v instanceof Double d && d.isInfinite()) {
        return false;
      } else if (v instanceof JsonObject o) {
        pending.addAll(o.getMap().values());
      } else if (v instanceof Map<?, ?> m) {
        pending.addAll(m.values());
      } else if (v instanceof JsonArray a) {
        pending.addAll(a.getList());
      } else if (v instanceof List<?> l) {
        pending.addAll(l);
      }
    }
    return true;
  }

  /** JSON equality for enum members: numbers by value (1 == 1.0), the rest by equals. */
  static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
    }
    return a == null ? b == null : a.equals(b);
  }
}
