package dev.atrium.api.validation;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * One parameter of an operation, compiled: where it is, whether it is required, how its text
 * becomes a typed value (once, here), and the schema that value must meet. The contract's
 * parameters are scalars (strings, integers, numbers, booleans), one value each.
 */
record Parameter(String name, String in, boolean required, int type, String format, Schema schema) {

  /** The typed value of {@code raw}, or a violation naming the parameter. */
  Object read(String raw, Violations out) {
    Object value = convert(raw);
    if (value == null) {
      out.add(name, schema.typeMessage);
      return null;
    }
    int mark = out.size();
    schema.check(value, out);
    if (out.size() > mark) {
      // a parameter's violations are named by the parameter, not by a body pointer
      Violation v = out.list().get(mark);
      out.truncate(mark);
      out.add(name, v.message());
      return null;
    }
    Object typed = typed(value);
    if (typed == null) {
      out.add(name, "is not a valid " + format);
    }
    return typed;
  }

  private Object convert(String raw) {
    if ((type & Schema.INTEGER) != 0 && (type & Schema.STRING) == 0) {
      return integer(raw);
    }
    if ((type & Schema.NUMBER) != 0 && (type & Schema.STRING) == 0) {
      try {
        double d = Double.parseDouble(raw);
        return Double.isFinite(d) ? d : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    if ((type & Schema.BOOLEAN) != 0 && (type & Schema.STRING) == 0) {
      return "true".equals(raw) ? Boolean.TRUE : "false".equals(raw) ? Boolean.FALSE : null;
    }
    return raw;
  }

  /** An integer in the range of a long; anything else (letters, fractions, 10^30) is refused. */
  private static Long integer(String raw) {
    int n = raw.length();
    if (n == 0 || n > 20) {
      return null;
    }
    for (int i = raw.charAt(0) == '-' ? 1 : 0; i < n; i++) {
      if (raw.charAt(i) < '0' || raw.charAt(i) > '9') {
        return null;
      }
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Times become java.time values here, so handlers never parse them again. */
  private Object typed(Object value) {
    if (value instanceof String s && "date-time".equals(format)) {
      try {
        return OffsetDateTime.parse(s);
      } catch (DateTimeParseException e) {
        return null; // the format check accepted it, the calendar does not (a 31st of February)
      }
    }
    if (value instanceof String s && "date".equals(format)) {
      try {
        return LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return value;
  }
}
