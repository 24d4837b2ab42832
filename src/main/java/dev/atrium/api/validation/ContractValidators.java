package dev.atrium.api.validation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles one {@link OperationValidator} per operation of the contract, at start-up: a contract
 * the validators cannot enforce (an unknown keyword, a non-scalar parameter, an unresolvable
 * reference) stops the node with a message naming the place.
 */
public final class ContractValidators {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private final Map<String, OperationValidator> byOperation = new HashMap<>();

  public ContractValidators(JsonObject contract) {
    SchemaCompiler compiler = new SchemaCompiler(contract);
    JsonObject paths = contract.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!METHODS.contains(method)) {
          continue;
        }
        JsonObject op = item.getJsonObject(method);
        String id = op.getString("operationId");
        String where = "paths/" + path + "/" + method;
        Map<String, Schema> media = body(compiler, op, where);
        boolean required = media != null && requestBody(compiler, op).getBoolean("required", false);
        byOperation.put(id, new OperationValidator(id, parameters(compiler, item, op, where), required, media));
      }
    }
  }

  /** The validator of an operation; every operationId of the contract has one. */
  public OperationValidator forOperation(String operationId) {
    OperationValidator v = byOperation.get(operationId);
    if (v == null) {
      throw new IllegalArgumentException("No operation " + operationId + " in the contract");
    }
    return v;
  }

  /** Path-level parameters, overridden by the operation's own of the same name and location. */
  private static List<Parameter> parameters(SchemaCompiler compiler, JsonObject item, JsonObject op, String where) {
    Map<String, JsonObject> merged = new LinkedHashMap<>();
    for (JsonArray list : new JsonArray[] {item.getJsonArray("parameters"), op.getJsonArray("parameters")}) {
      if (list == null) {
        continue;
      }
      for (int i = 0; i < list.size(); i++) {
        JsonObject p = list.getJsonObject(i);
        if (p.containsKey("$ref")) {
          p = compiler.resolve(p.getString("$ref"));
        }
        merged.put(p.getString("in") + ":" + p.getString("name"), p);
      }
    }
    List<Parameter> out = new ArrayList<>();
    for (JsonObject p : merged.values()) {
      String at = where + "/parameters/" + p.getString("name");
      Schema schema = compiler.compile(p.getValue("schema", new JsonObject()), at + "/schema");
      if ((schema.types & (Schema.OBJECT | Schema.ARRAY)) != 0 || p.containsKey("content")) {
        throw SchemaCompiler.unsupported(at, "parameters must be scalars (string, integer, number, boolean)");
      }
      JsonObject raw = p.getJsonObject("schema", new JsonObject());
      if (raw.containsKey("$ref")) {
        raw = compiler.resolve(raw.getString("$ref"));
      }
      out.add(new Parameter(p.getString("name"), p.getString("in"), p.getBoolean("required", false),
          schema.types, raw.getString("format"), schema));
    }
    return List.copyOf(out);
  }

  private static JsonObject requestBody(SchemaCompiler compiler, JsonObject op) {
    JsonObject body = op.getJsonObject("requestBody");
    return body != null && body.containsKey("$ref") ? compiler.resolve(body.getString("$ref")) : body;
  }

  /** Media type → compiled schema (null for non-JSON media types, whose bodies pass as they are). */
  private static Map<String, Schema> body(SchemaCompiler compiler, JsonObject op, String where) {
    JsonObject body = requestBody(compiler, op);
    if (body == null) {
      return null;
    }
    Map<String, Schema> media = new LinkedHashMap<>();
    JsonObject content = body.getJsonObject("content", new JsonObject());
    for (String type : content.fieldNames()) {
      String lower = type.toLowerCase(java.util.Locale.ROOT);
      Object schema = content.getJsonObject(type).getValue("schema");
      media.put(lower, OperationValidator.isJson(lower) && schema != null
          ? compiler.compile(schema, where + "/requestBody/content/" + type + "/schema") : null);
    }
    return media;
  }
}
