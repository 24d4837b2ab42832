package dev.atrium.api.validation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One JSON schema of the contract, compiled once at start-up ({@link SchemaCompiler}) into plain
 * field checks: checking a value walks it once and allocates nothing unless it is wrong. Only
 * the keywords the compiler accepts are here; a contract using another one fails start-up.
 */
final class Schema {
  static final int STRING = 1;
  static final int INTEGER = 2;
  static final int NUMBER = 4;
  static final int BOOLEAN = 8;
  static final int OBJECT = 16;
  static final int ARRAY = 32;
  static final int NULL = 64;

  int types; // 0: any
  String typeMessage;
  List<Object> enumValues;
  String enumMessage;
  // strings
  int minLength = -1;
  int maxLength = -1;
  Pattern pattern;
  /** The pattern says no more than the format (the contract repeats the UUID format as a regex). */
  boolean patternIsFormat;
  String format;
  // numbers
  BigDecimal minimum;
  BigDecimal maximum;
  boolean exclusiveMinimum;
  boolean exclusiveMaximum;
  // objects
  Map<String, Schema> properties = Map.of();
  List<String> required = List.of();
  boolean additionalAllowed = true;
  /** Any property goes (no properties, required or additionalProperties rules): set by the compiler. */
  boolean anyProperty;
  Schema additional;
  int minProperties = -1;
  int maxProperties = -1;
  // arrays
  Schema items;
  int minItems = -1;
  int maxItems = -1;
  boolean uniqueItems;
  /** The contract's answer to more than maxItems ({@code x-problem: {status, code}}), or null. */
  dev.atrium.problem.Problem tooMany;
  // combinations
  List<Schema> allOf = List.of();
  List<Schema> anyOf = List.of();
  List<Schema> oneOf = List.of();

  void check(Object value, Violations out) {
    if (out.full()) {
      return;
    }
    if (value instanceof Double d && d.isInfinite()) {
      out.here("is a number " + JsonTypes.OUT_OF_RANGE);
      return;
    }
    if (types != 0 && (types & JsonTypes.typeOf(value)) == 0) {
      out.here(typeMessage);
      return;
    }
    if (enumValues != null && enumValues.stream().noneMatch(e -> JsonTypes.same(e, value))) {
      out.here(enumMessage);
      return;
    }
    if (value instanceof String s) {
      checkString(s, out);
    } else if (value instanceof Number n) {
      checkNumber(n, out);
    } else if (value instanceof JsonObject o) {
      checkObject(o, out);
    } else if (value instanceof JsonArray a) {
      checkArray(a, out);
    }
    for (Schema s : allOf) {
      s.check(value, out);
    }
    if (!anyOf.isEmpty()) {
      checkAnyOf(value, out);
    }
    if (!oneOf.isEmpty()) {
      checkOneOf(value, out);
    }
  }


  private void checkString(String s, Violations out) {
    if (minLength >= 0 || maxLength >= 0) {
      int length = s.codePointCount(0, s.length());
      if (minLength >= 0 && length < minLength || maxLength >= 0 && length > maxLength) {
        out.here(lengthMessage());
        return;
      }
    }
    if (format != null && !formatOk(s)) {
      out.here(formatMessage());
      return;
    }
    if (pattern != null && !(patternIsFormat && format != null) && !pattern.matcher(s).find()) {
      out.here("must match " + pattern.pattern());
    }
  }

  private boolean formatOk(String s) {
    return switch (format) {
      case "uuid" -> Formats.uuid(s);
      case "date" -> Formats.date(s);
      case "date-time" -> Formats.dateTime(s);
      default -> true;
    };
  }

  private String formatMessage() {
    return switch (format) {
      case "uuid" -> "must be a UUID";
      case "date" -> "must be a date such as 2026-01-31";
      default -> "must be an ISO 8601 time with offset, such as 2026-01-31T12:00:00Z";
    };
  }

  private String lengthMessage() {
    if (maxLength < 0) {
      return "must be at least " + minLength + " characters";
    }
    if (minLength <= 0) {
      return "must be at most " + maxLength + " characters";
    }
    return "must be " + minLength + " to " + maxLength + " characters";
  }

  private void checkNumber(Number n, Violations out) {
    if (minimum == null && maximum == null) {
      return;
    }
    BigDecimal v = n instanceof BigDecimal b ? b : n instanceof BigInteger b ? new BigDecimal(b)
        : n instanceof Double || n instanceof Float ? BigDecimal.valueOf(n.doubleValue()) : BigDecimal.valueOf(n.longValue());
    if (minimum != null) {
      int c = v.compareTo(minimum);
      if (c < 0 || exclusiveMinimum && c == 0) {
        out.here("must be " + (exclusiveMinimum ? "greater than " : "at least ") + minimum.toPlainString());
        return;
      }
    }
    if (maximum != null) {
      int c = v.compareTo(maximum);
      if (c > 0 || exclusiveMaximum && c == 0) {
        out.here("must be " + (exclusiveMaximum ? "less than " : "at most ") + maximum.toPlainString());
      }
    }
  }

  private void checkObject(JsonObject o, Violations out) {
    int size = o.size();
    if (minProperties >= 0 && size < minProperties) {
      out.here("must have at least " + minProperties + (minProperties == 1 ? " property" : " properties"));
    }
    if (maxProperties >= 0 && size > maxProperties) {
      out.here("must have at most " + maxProperties + " properties");
    }
    if (anyProperty) {
      // a free-form object (metadata, preferences): any shape, but every number as sent
      if (!JsonTypes.finiteNumbers(o)) {
        out.here("holds a number " + JsonTypes.OUT_OF_RANGE);
      }
      return;
    }
    for (String key : o.fieldNames()) {
      if (out.full()) {
        return;
      }
      Schema property = properties.get(key);
      out.push(key);
      if (property != null) {
        property.check(o.getValue(key), out);
      } else if (!additionalAllowed) {
        out.here("is not an allowed property");
      } else if (additional != null) {
        additional.check(o.getValue(key), out);
      }
      out.pop();
    }
    for (String name : required) {
      if (!o.containsKey(name)) {
        out.push(name);
        out.here("is required");
        out.pop();
      }
    }
  }

  private void checkArray(JsonArray a, Violations out) {
    int size = a.size();
    if (minItems >= 0 && size < minItems) {
      out.here("must have at least " + minItems + (minItems == 1 ? " item" : " items"));
      return;
    }
    if (maxItems >= 0 && size > maxItems) {
      out.here("must have at most " + maxItems + " items", tooMany);
      return;
    }
    if (uniqueItems && size > 1) {
      Set<Object> seen = new HashSet<>();
      for (int i = 0; i < size; i++) {
        if (!seen.add(a.getValue(i))) {
          out.push(i);
          out.here("appears twice");
          out.pop();
        }
      }
    }
    if (items != null) {
      for (int i = 0; i < size && !out.full(); i++) {
        out.push(i);
        items.check(a.getValue(i), out);
        out.pop();
      }
    }
  }

  /** Passes if one branch passes; otherwise reports the errors of the branch that came closest. */
  private void checkAnyOf(Object value, Violations out) {
    if (passing(anyOf, value, out) == 0) {
      closest(anyOf, value, out);
    }
  }

  /** Passes if exactly one branch passes; with none, reports the closest branch's errors. */
  private void checkOneOf(Object value, Violations out) {
    int passing = passing(oneOf, value, out);
    if (passing == 0) {
      closest(oneOf, value, out);
    } else if (passing > 1) {
      out.here("matches more than one of the allowed shapes");
    }
  }

  private static int passing(List<Schema> branches, Object value, Violations out) {
    int passing = 0;
    for (Schema s : branches) {
      if (out.passes(s, value)) {
        passing++;
      }
    }
    return passing;
  }

  /**
   * Reports the branch whose shape fits best: the fewest violations at this level and the one
   * below (wrong type, missing or unknown properties), then the fewest in all. For
   * {@code {"events":[...]}} with bad events that is the batch shape and its precise errors
   * deep in the events, not the single-event shape's complaints about {@code events} itself.
   */
  private static void closest(List<Schema> branches, Object value, Violations out) {
    int mark = out.size();
    Schema best = branches.get(0);
    long fewest = Long.MAX_VALUE;
    for (Schema s : branches) {
      s.check(value, out);
      long score = (long) out.shallowSince(mark, out.depth()) * 1000 + (out.size() - mark);
      out.truncate(mark);
      if (score < fewest) {
        fewest = score;
        best = s;
      }
    }
    best.check(value, out);
  }
}
