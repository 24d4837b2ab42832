package dev.atrium.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The one way a list route pages: Django REST Framework's {@code ?page=&page_size=} (the
 * contract bounds them) answered as {@code {count, next, previous, results}} with absolute
 * links (under {@link LinkBase}) that keep the other query parameters. A page past the end is an
 * empty page, not an error. Lists that are never paged (a user's sessions, keys, grants) answer
 * {@code {count, results}} through {@link #unpaged}, and the contract says so.
 */
public record PageRequest(int page, int size) {
  public static final int DEFAULT_SIZE = 20;

  /** The page asked for by the request's validated query. */
  public static PageRequest of(RoutingContext ctx) {
    return new PageRequest(number(ctx, "page", 1), number(ctx, "page_size", DEFAULT_SIZE));
  }

  public long offset() {
    return (long) (page - 1) * size;
  }

  /** Ends the response with this page of {@code rows}, each rendered by {@code json}. */
  public <T> Future<Void> end(RoutingContext ctx, Page<T> rows, Function<T, JsonObject> json) {
    return end(ctx, rows.count(), null, rows.items(), (row, g) -> JacksonCodec.encodeJson(json.apply(row), g));
  }

  /** A list that is never paged: {@code {count, results}}. */
  public static <T> JsonObject unpaged(List<T> rows, Function<T, JsonObject> json) {
    JsonArray results = new JsonArray();
    rows.forEach(r -> results.add(json.apply(r)));
    return new JsonObject().put("count", results.size()).put("results", results);
  }

  /** Writes one item of a page to a generator: one JSON object. */
  @FunctionalInterface
  public interface ItemWriter<T> {
    void write(T item, JsonGenerator g) throws IOException;
  }

  /**
   * Ends the response with this page of {@code items}, written by {@code item}, saying whether
   * {@code count} is exact: a list that counts its matches only up to a cap (the users list) gives
   * an estimate beyond it, with {@code "count_exact": false}.
   */
  public <T> Future<Void> end(RoutingContext ctx, long count, boolean countExact, List<T> items, ItemWriter<T> item) {
    return end(ctx, count, (Boolean) countExact, items, item);
  }

  /** The one writer of a page: {@code count_exact} only where the list says it (not null). */
  private <T> Future<Void> end(RoutingContext ctx, long count, Boolean countExact, List<T> items, ItemWriter<T> item) {
    String next = next(ctx, count, items.size());
    String previous = previous(ctx, count);
    return StreamedJson.end(ctx.response().setStatusCode(200), 256 + 512 * items.size(), g -> {
      g.writeStartObject();
      g.writeNumberField("count", count);
      if (countExact != null) {
        g.writeBooleanField("count_exact", countExact);
      }
      g.writeStringField("next", next);
      g.writeStringField("previous", previous);
      g.writeArrayFieldStart("results");
      for (T t : items) {
        item.write(t, g);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  private String next(RoutingContext ctx, long count, int resultCount) {
    return offset() + resultCount < count && resultCount > 0 ? link(ctx, page + 1) : null;
  }

  private String previous(RoutingContext ctx, long count) {
    return page > 1 ? link(ctx, (int) Math.min(page - 1, Math.max(1, (count + size - 1) / size))) : null;
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
    return LinkBase.of(ctx) + "?" + query;
  }

  private static Map<String, List<String>> groupedParams(RoutingContext ctx) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    ctx.queryParams().forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
    return out;
  }

  private static int number(RoutingContext ctx, String name, int fallback) {
    String text = Inputs.query(ctx, name);
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      // the contract bounds both parameters; a value outside int is out of those bounds
      throw Problem.field("validation_failed", name, "is out of range");
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
