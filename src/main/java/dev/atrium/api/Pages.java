package dev.atrium.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Django REST Framework paging: {@code ?page=&page_size=} (the contract bounds them) answered as
 * {@code {count, next, previous, results}} with absolute links that keep the other query
 * parameters. A page past the end is an empty page, not an error.
 */
public record Pages(int page, int size) {
  public static final int DEFAULT_SIZE = 20;

  public static Pages of(RoutingContext ctx) {
    String page = Inputs.query(ctx, "page");
    String size = Inputs.query(ctx, "page_size");
    return new Pages(page == null ? 1 : Integer.parseInt(page), size == null ? DEFAULT_SIZE : Integer.parseInt(size));
  }

  public long offset() {
    return (long) (page - 1) * size;
  }

  public JsonObject body(RoutingContext ctx, long count, JsonArray results) {
    return new JsonObject()
        .put("count", count)
        .put("next", next(ctx, count, results.size()))
        .put("previous", previous(ctx, count))
        .put("results", results);
  }

  /** The same page with {@code results} already encoded as a JSON array (for pages served from a cache). */
  public Buffer encoded(RoutingContext ctx, long count, int resultCount, Buffer encodedResults) {
    return Buffer.buffer(encodedResults.length() + 256)
        .appendString("{\"count\":").appendString(Long.toString(count))
        .appendString(",\"next\":").appendString(Json.encode(next(ctx, count, resultCount)))
        .appendString(",\"previous\":").appendString(Json.encode(previous(ctx, count)))
        .appendString(",\"results\":").appendBuffer(encodedResults).appendString("}");
  }

  private String next(RoutingContext ctx, long count, int resultCount) {
    return offset() + resultCount < count && resultCount > 0 ? link(ctx, page + 1) : null;
  }

  private String previous(RoutingContext ctx, long count) {
    return page > 1 ? link(ctx, Math.min(page - 1, Math.max(1, (int) ((count + size - 1) / size)))) : null;
  }

  private String link(RoutingContext ctx, int target) {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, List<String>> e : groupedParams(ctx).entrySet()) {
      if (e.getKey().equals("page")) {
        continue;
      }
      for (String v : e.getValue()) {
        query.append(query.isEmpty() ? "" : "&").append(enc(e.getKey())).append('=').append(enc(v));
      }
    }
    query.append(query.isEmpty() ? "" : "&").append("page=").append(target);
    String uri = ctx.request().absoluteURI();
    String base = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
    return base + "?" + query;
  }

  private static Map<String, List<String>> groupedParams(RoutingContext ctx) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    ctx.queryParams().forEach(e -> out.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>()).add(e.getValue()));
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
