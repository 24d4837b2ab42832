package dev.atrium.support;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks a response against openapi.yaml, as a generated client would read it: the status is
 * declared for the operation (or falls to {@code default}, for errors only), the Content-Type is
 * one the response declares, a JSON body matches the schema, names no property the schema does
 * not declare (strict clients such as okhttp-gson refuse those), and every {@code date-time} is
 * RFC 3339 with seconds. {@link Http} runs it on every response, so every integration test is
 * also a contract test. Paths outside the contract (the console, Swagger UI assets) are skipped
 * unless they answer an error, which must then be a problem.
 */
public final class ContractCheck {
  private static final ContractCheck INSTANCE = load();
  private static final Pattern RFC3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");
  private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
      .setBaseUri("https://atrium.test/").setOutputFormat(OutputFormat.Basic);

  private final JsonObject contract;
  private final List<PathTemplate> paths = new ArrayList<>();
  private final Map<JsonObject, Validator> validators = new ConcurrentHashMap<>();

  private record PathTemplate(String template, Pattern pattern, int literals) {
  }

  private ContractCheck(JsonObject contract) {
    this.contract = contract;
    for (String template : contract.getJsonObject("paths").fieldNames()) {
      StringBuilder regex = new StringBuilder();
      int literals = 0;
      for (String segment : template.substring(1).split("/", -1)) {
        boolean param = segment.startsWith("{") && segment.endsWith("}");
        regex.append('/').append(param ? "[^/]+" : Pattern.quote(segment));
        literals += param ? 0 : 1;
      }
      paths.add(new PathTemplate(template, Pattern.compile(regex.toString()), literals));
    }
    // literal segments win, as in the router: /api/files/download/{id} before /api/files/{id}/...
    paths.sort(Comparator.comparingInt(PathTemplate::literals).reversed());
  }

  public static ContractCheck get() {
    return INSTANCE;
  }

  /** The contract as JSON, {@code $ref}s left in place. */
  public JsonObject contract() {
    return contract;
  }

  /**
   * Throws an AssertionError naming every way the response departs from the contract.
   *
   * @param path the request path, with or without its query
   */
  public void check(String method, String path, int status, String contentType, String body) {
    List<String> problems = problems(method, path, status, contentType, body);
    if (!problems.isEmpty()) {
      throw new AssertionError("Response off the contract: " + method + " " + path + " -> " + status + " "
          + contentType + "\n  " + String.join("\n  ", problems) + "\n  body: " + abbreviate(body));
    }
  }

  public List<String> problems(String method, String path, int status, String contentType, String body) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    if (bare.length() > 1 && bare.endsWith("/")) {
      bare = bare.replaceAll("/+$", "");
    }
    String verb = method.toLowerCase(Locale.ROOT);
    if (verb.equals("options")) {
      return List.of(); // CORS preflight, answered before any route
    }
    boolean head = verb.equals("head");
    JsonObject pathItem = pathItem(bare);
    JsonObject operation = pathItem == null ? null : pathItem.getJsonObject(verb);
    if (operation == null && head && pathItem != null) {
      operation = pathItem.getJsonObject("get"); // HEAD is served wherever GET is
    }
    List<String> out = new ArrayList<>();
    if (head && body != null && !body.isEmpty()) {
      out.add("a HEAD response has a body");
    }
    JsonObject response;
    if (operation == null) {
      if (status < 400) {
        return out; // not a contract route: the console, Swagger UI assets
      }
      response = resolve(contract.getJsonObject("components").getJsonObject("responses").getJsonObject("Problem"));
    } else {
      JsonObject responses = operation.getJsonObject("responses");
      JsonObject declared = responses.getJsonObject(Integer.toString(status));
      if (declared == null && responses.containsKey(status / 100 + "XX")) {
        declared = responses.getJsonObject(status / 100 + "XX");
      }
      if (declared == null && status >= 400) {
        declared = responses.getJsonObject("default");
      }
      if (declared == null) {
        out.add("status " + status + " is not declared for " + operation.getString("operationId"));
        return out;
      }
      response = resolve(declared);
    }
    JsonObject content = response.getJsonObject("content");
    if (content == null || content.isEmpty()) {
      if (!head && body != null && !body.isEmpty() && status != 101) {
        out.add("a body where the contract declares none");
      }
      return out;
    }
    if (head || status == 304 || (body == null || body.isEmpty()) && status == 204) {
      return out;
    }
    String type = contentType == null ? null : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    String media = type == null ? null : mediaType(content, type);
    if (media == null) {
      out.add("Content-Type " + contentType + " is not declared (declared: " + content.fieldNames() + ")");
      return out;
    }
    if (!type.equals("application/json") && !type.endsWith("+json")) {
      return out;
    }
    JsonObject schema = content.getJsonObject(media).getJsonObject("schema");
    if (schema == null || "binary".equals(schema.getString("format"))) {
      return out; // a file (an export): its bytes are not checked
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      out.add("the body is not JSON: " + e.getMessage());
      return out;
    }
    JsonObject inlined = (JsonObject) inline(schema);
    Validator validator = validators.computeIfAbsent(inlined, s -> Validator.create(JsonSchema.of(s), OPTIONS));
    OutputUnit result = validator.validate(json);
    if (!Boolean.TRUE.equals(result.getValid())) {
      for (OutputUnit unit : leaves(result)) {
        String error = String.valueOf(unit.getError());
        if (!error.contains("not match schema")) { // the wrappers around the actual finding
          out.add(unit.getInstanceLocation() + ": " + error + " (" + unit.getKeywordLocation() + ")");
        }
      }
    }
    strict(inlined, json, "", out);
    return out;
  }

  private JsonObject pathItem(String path) {
    for (PathTemplate t : paths) {
      if (t.pattern().matcher(path).matches()) {
        return contract.getJsonObject("paths").getJsonObject(t.template());
      }
    }
    return null;
  }

  private static String mediaType(JsonObject content, String type) {
    if (content.containsKey(type)) {
      return type;
    }
    String range = type.substring(0, type.indexOf('/') + 1) + "*";
    if (content.containsKey(range)) {
      return range;
    }
    return content.containsKey("*/*") ? "*/*" : null;
  }

  /**
   * What the JSON Schema check lets through and typed clients do not: properties no schema
   * declares (unless it says {@code additionalProperties}), and date-times without seconds.
   */
  private static void strict(JsonObject schema, Object value, String at, List<String> out) {
    if (value instanceof String s && "date-time".equals(schema.getString("format")) && !RFC3339.matcher(s).matches()) {
      out.add(at + ": '" + s + "' is not an RFC 3339 date-time with seconds");
    }
    if (value instanceof JsonArray array && schema.getValue("items") instanceof JsonObject items) {
      for (int i = 0; i < array.size(); i++) {
        strict(items, array.getValue(i), at + "/" + i, out);
      }
    }
    if (!(value instanceof JsonObject object)) {
      return;
    }
    Map<String, List<JsonObject>> declared = new java.util.HashMap<>();
    List<JsonObject> additional = new ArrayList<>();
    boolean open = collect(schema, object, declared, additional);
    for (String key : object.fieldNames()) {
      List<JsonObject> schemas = declared.get(key);
      if (schemas != null) {
        schemas.forEach(s -> strict(s, object.getValue(key), at + "/" + key, out));
      } else if (!additional.isEmpty()) {
        additional.forEach(s -> strict(s, object.getValue(key), at + "/" + key, out));
      } else if (!open) {
        out.add(at + "/" + key + ": property not declared by the contract");
      }
    }
  }

  /** Gathers the properties an object schema declares through allOf, and the matching oneOf/anyOf branches. */
  private static boolean collect(JsonObject schema, JsonObject value, Map<String, List<JsonObject>> declared,
                                 List<JsonObject> additional) {
    boolean open = false;
    JsonObject properties = schema.getJsonObject("properties");
    if (properties != null) {
      properties.forEach(e -> declared.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((JsonObject) e.getValue()));
    }
    Object extra = schema.getValue("additionalProperties");
    if (Boolean.TRUE.equals(extra)) {
      open = true;
    } else if (extra instanceof JsonObject s) {
      additional.add(s);
    }
    JsonArray all = schema.getJsonArray("allOf");
    if (all != null) {
      for (Object branch : all) {
        open |= collect((JsonObject) branch, value, declared, additional);
      }
    }
    for (String alternatives : List.of("oneOf", "anyOf")) {
      JsonArray branches = schema.getJsonArray(alternatives);
      if (branches != null) {
        for (Object branch : branches) {
          if (Boolean.TRUE.equals(Validator.create(JsonSchema.of((JsonObject) branch), OPTIONS).validate(value).getValid())) {
            open |= collect((JsonObject) branch, value, declared, additional);
          }
        }
      }
    }
    boolean untyped = properties == null && extra == null && all == null && !schema.containsKey("oneOf")
        && !schema.containsKey("anyOf");
    return open || untyped;
  }

  private static List<OutputUnit> leaves(OutputUnit unit) {
    List<OutputUnit> out = new ArrayList<>();
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      unit.getErrors().forEach(child -> out.addAll(leaves(child)));
    } else if (unit.getError() != null) {
      out.add(unit);
    }
    return out;
  }

  /** A response object, its {@code $ref} followed. */
  private JsonObject resolve(JsonObject node) {
    String ref = node.getString("$ref");
    return ref == null ? node : resolve(pointer(ref));
  }

  private JsonObject pointer(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalStateException("only local references are supported: " + ref);
    }
    Object node = contract;
    for (String part : ref.substring(2).split("/")) {
      node = ((JsonObject) node).getValue(part.replace("~1", "/").replace("~0", "~"));
    }
    return (JsonObject) node;
  }

  /** The schema with every {@code $ref} replaced by what it points at (the contract has no cycles). */
  private Object inline(Object node) {
    if (node instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      String ref = object.getString("$ref");
      if (ref != null) {
        out.mergeIn((JsonObject) inline(pointer(ref)));
      }
      object.forEach(e -> {
        if (!e.getKey().equals("$ref") && !e.getKey().equals("example") && !e.getKey().equals("examples")) {
          out.put(e.getKey(), inline(e.getValue()));
        }
      });
      return out;
    }
    if (node instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(v -> out.add(inline(v)));
      return out;
    }
    return node;
  }

  private static String abbreviate(String body) {
    return body == null || body.length() <= 600 ? body : body.substring(0, 600) + "...";
  }

  private static ContractCheck load() {
    try (InputStream in = ContractCheck.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is not on the test class path");
      }
      return new ContractCheck((JsonObject) toJson(new Yaml().load(in)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SnakeYAML's maps and lists as Vert.x JSON; unquoted timestamps in examples stay text. */
  private static Object toJson(Object yaml) {
    if (yaml instanceof Map<?, ?> map) {
      JsonObject out = new JsonObject();
      map.forEach((k, v) -> out.put(String.valueOf(k), toJson(v)));
      return out;
    }
    if (yaml instanceof List<?> list) {
      JsonArray out = new JsonArray();
      list.forEach(v -> out.add(toJson(v)));
      return out;
    }
    if (yaml instanceof Date date) {
      return date.toInstant().toString();
    }
    return yaml;
  }
}
