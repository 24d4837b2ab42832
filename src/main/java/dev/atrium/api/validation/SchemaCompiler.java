package dev.atrium.api.validation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Compiles the contract's JSON schemas into {@link Schema} checks, once, at start-up. Refuses a
 * keyword it does not implement (naming where it is), so a contract change can never be skipped
 * silently; annotations (descriptions, examples, defaults, {@code x-} extensions) are ignored.
 * Local {@code $ref}s are resolved against the contract and compiled once each.
 */
final class SchemaCompiler {
  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "default", "example", "examples",
      "deprecated", "readOnly", "writeOnly", "$comment", "externalDocs", "xml", "discriminator",
      "contentMediaType", "contentEncoding", "$schema", "$id");
  private static final Set<String> ASSERTED_FORMATS = Set.of("uuid", "date", "date-time");
  private static final Set<String> ANNOTATION_FORMATS = Set.of("int32", "int64", "float", "double", "binary",
      "byte", "password", "email", "uri");

  /** The contract spells out format: uuid as this regex too, for tools that ignore formats. */
  private static final String UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
  private final JsonObject contract;
  private final Map<String, Schema> byRef = new HashMap<>();

  SchemaCompiler(JsonObject contract) {
    this.contract = contract;
  }

  /** The compiled form of a schema found at {@code where} (for error messages). */
  Schema compile(Object node, String where) {
    if (!(node instanceof JsonObject json)) {
      if (Boolean.TRUE.equals(node)) {
        return new Schema();
      }
      throw unsupported(where, "a schema must be an object");
    }
    String ref = json.getString("$ref");
    if (ref != null) {
      Schema known = byRef.get(ref);
      if (known != null) {
        return known;
      }
      Schema target = new Schema();
      byRef.put(ref, target); // before compiling: a schema may refer to itself
      fill(target, resolve(ref), ref);
      return target;
    }
    Schema s = new Schema();
    fill(s, json, where);
    return s;
  }

  /** Follows a local reference such as {@code #/components/schemas/User}. */
  JsonObject resolve(String ref) {
    if (!ref.startsWith("#/")) {
      throw unsupported(ref, "only references inside the contract are supported");
    }
    Object node = contract;
    for (String part : ref.substring(2).split("/")) {
      String key = part.replace("~1", "/").replace("~0", "~");
      node = node instanceof JsonObject o ? o.getValue(key) : null;
    }
    if (!(node instanceof JsonObject o)) {
      throw unsupported(ref, "the reference points at nothing");
    }
    return o.containsKey("$ref") ? resolve(o.getString("$ref")) : o;
  }

  private void fill(Schema s, JsonObject json, String where) {
    JsonObject problem = null;
    for (String key : json.fieldNames()) {
      Object v = json.getValue(key);
      String at = where + "/" + key;
      switch (key) {
        case "type" -> types(s, v, at);
        case "nullable" -> s.types |= Boolean.TRUE.equals(v) ? Schema.NULL : 0;
        case "enum" -> s.enumValues = ((JsonArray) v).getList();
        case "const" -> s.enumValues = new ArrayList<>(java.util.Collections.singletonList(v));
        case "minLength" -> s.minLength = ((Number) v).intValue();
        case "maxLength" -> s.maxLength = ((Number) v).intValue();
        case "pattern" -> s.pattern = Pattern.compile((String) v);
        case "format" -> format(s, (String) v, at);
        case "minimum" -> s.minimum = new BigDecimal(v.toString());
        case "maximum" -> s.maximum = new BigDecimal(v.toString());
        case "exclusiveMinimum" -> exclusive(s, v, true);
        case "exclusiveMaximum" -> exclusive(s, v, false);
        case "properties" -> s.properties = properties((JsonObject) v, at);
        case "required" -> s.required = List.copyOf(((JsonArray) v).getList());
        case "additionalProperties" -> additional(s, v, at);
        case "minProperties" -> s.minProperties = ((Number) v).intValue();
        case "maxProperties" -> s.maxProperties = ((Number) v).intValue();
        case "items" -> s.items = compile(v, at);
        case "minItems" -> s.minItems = ((Number) v).intValue();
        case "maxItems" -> s.maxItems = ((Number) v).intValue();
        case "uniqueItems" -> s.uniqueItems = Boolean.TRUE.equals(v);
        case "x-problem" -> problem = (JsonObject) v;
        case "allOf" -> s.allOf = all((JsonArray) v, at);
        case "anyOf" -> s.anyOf = all((JsonArray) v, at);
        case "oneOf" -> s.oneOf = all((JsonArray) v, at);
        default -> {
          if (!ANNOTATIONS.contains(key) && !key.startsWith("x-")) {
            throw unsupported(at, "the request validator does not implement '" + key + "'");
          }
        }
      }
    }
    if (problem != null) {
      // maxItems only, for now: the one limit whose answer the contract sets apart (413)
      s.tooMany = dev.atrium.problem.Problem.of(problem.getInteger("status"), problem.getString("code"),
          "At most " + s.maxItems + " items are allowed");
    }
    // free-form: an object that names nothing about its members, itself or through alternatives
    s.anyProperty = s.properties.isEmpty() && s.required.isEmpty() && s.additionalAllowed && s.additional == null
        && s.allOf.isEmpty() && s.anyOf.isEmpty() && s.oneOf.isEmpty();
    s.patternIsFormat = "uuid".equals(s.format) && s.pattern != null && UUID_PATTERN.equals(s.pattern.pattern());
    if (s.types != 0 && s.typeMessage == null) {
      s.typeMessage = typeMessage(s.types);
    }
    if (s.enumValues != null) {
      StringJoiner names = new StringJoiner(", ");
      s.enumValues.forEach(e -> names.add(String.valueOf(e)));
      s.enumMessage = "must be one of " + names;
    }
  }

  private static void types(Schema s, Object v, String at) {
    List<Object> names = v instanceof JsonArray a ? a.getList() : List.of(v);
    for (Object name : names) {
      s.types |= switch (String.valueOf(name)) {
        case "string" -> Schema.STRING;
        case "integer" -> Schema.INTEGER;
        case "number" -> Schema.NUMBER;
        case "boolean" -> Schema.BOOLEAN;
        case "object" -> Schema.OBJECT;
        case "array" -> Schema.ARRAY;
        case "null" -> Schema.NULL;
        default -> throw unsupported(at, "unknown type " + name);
      };
    }
  }

  private static void format(Schema s, String format, String at) {
    if (ASSERTED_FORMATS.contains(format)) {
      s.format = format;
    } else if (!ANNOTATION_FORMATS.contains(format)) {
      throw unsupported(at, "unknown format " + format);
    }
  }

  private static void exclusive(Schema s, Object v, boolean min) {
    if (v instanceof Boolean b) { // OpenAPI 3.0 style: a flag on minimum/maximum
      if (min) {
        s.exclusiveMinimum = b;
      } else {
        s.exclusiveMaximum = b;
      }
      return;
    }
    BigDecimal bound = new BigDecimal(v.toString());
    if (min) {
      s.minimum = bound;
      s.exclusiveMinimum = true;
    } else {
      s.maximum = bound;
      s.exclusiveMaximum = true;
    }
  }

  private Map<String, Schema> properties(JsonObject json, String at) {
    Map<String, Schema> out = new LinkedHashMap<>();
    for (String name : json.fieldNames()) {
      out.put(name, compile(json.getValue(name), at + "/" + name));
    }
    return out;
  }

  private void additional(Schema s, Object v, String at) {
    if (v instanceof Boolean b) {
      s.additionalAllowed = b;
    } else {
      s.additional = compile(v, at);
    }
  }

  private List<Schema> all(JsonArray list, String at) {
    List<Schema> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(compile(list.getValue(i), at + "/" + i));
    }
    return out;
  }

  private static String typeMessage(int types) {
    List<String> names = new ArrayList<>();
    if ((types & Schema.STRING) != 0) {
      names.add("a string");
    }
    if ((types & Schema.NUMBER) != 0) {
      names.add("a number");
    } else if ((types & Schema.INTEGER) != 0) {
      names.add("an integer");
    }
    if ((types & Schema.BOOLEAN) != 0) {
      names.add("a boolean");
    }
    if ((types & Schema.OBJECT) != 0) {
      names.add("an object");
    }
    if ((types & Schema.ARRAY) != 0) {
      names.add("an array");
    }
    if ((types & Schema.NULL) != 0) {
      names.add("null");
    }
    return "must be " + String.join(" or ", names);
  }

  static IllegalStateException unsupported(String where, String why) {
    return new IllegalStateException("openapi.yaml at " + where + ": " + why);
  }
}
