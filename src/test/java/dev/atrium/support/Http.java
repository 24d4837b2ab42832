package dev.atrium.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small blocking HTTP client for tests: one line per request, answers with status, headers and
 * body. Every response is checked against the contract ({@link ContractCheck}).
 */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  private final String base;
  private final List<String> headers;
  private final boolean contractChecked;

  public Http(String base) {
    this(base, List.of(), true);
  }

  private Http(String base, List<String> headers, boolean contractChecked) {
    this.base = base;
    this.headers = headers;
    this.contractChecked = contractChecked;
  }

  /**
   * The same client without the contract check of every response, for the few tests that
   * provoke what no contract describes (a body cut off on purpose, a server being stopped).
   */
  public Http uncheckedByContract() {
    return new Http(base, headers, false);
  }

  /** The same client with an extra header on every request. */
  public Http with(String name, String value) {
    List<String> h = new ArrayList<>(headers);
    h.add(name);
    h.add(value);
    return new Http(base, h, contractChecked);
  }

  public Http bearer(String token) {
    return with("Authorization", "Bearer " + token);
  }

  public Res get(String path) {
    return send("GET", path, (String) null, null);
  }

  public Res delete(String path) {
    return send("DELETE", path, (String) null, null);
  }

  public Res post(String path, Object json) {
    return send("POST", path, json == null ? null : json.toString(), "application/json");
  }

  public Res patch(String path, Object json) {
    return send("PATCH", path, json.toString(), "application/json");
  }

  public Res send(String method, String path, String body, String contentType) {
    return send(method, path, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body), contentType);
  }

  public Res send(String method, String path, HttpRequest.BodyPublisher body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, body);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (contractChecked) {
        ContractCheck.get().check(method, path, r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
            r.body());
      }
      return new Res(r.statusCode(), r, r.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A response. */
  public record Res(int status, HttpResponse<String> raw, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray jsonArray() {
      return new JsonArray(body);
    }

    public Optional<String> header(String name) {
      return raw.headers().firstValue(name);
    }

    public String code() {
      return json().getString("code");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }
}
