package dev.atrium.users;

import dev.atrium.api.validation.RequestJson;
import dev.atrium.problem.Problem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The records of an import body: a JSON array of objects, or CSV with a header row (column names
 * lower-cased), each as a JsonObject ({@code null} for a JSON element that is not an object, so
 * {@link UserImport} can report it by position). Reading stops a row past {@code maxRows}: the
 * caller refuses the import then, without reading the rest.
 */
final class ImportRecords {
  private ImportRecords() {
  }

  static List<JsonObject> read(Buffer body, String contentType, int maxRows) {
    return isCsv(contentType) ? csv(body, maxRows) : json(body);
  }

  private static List<JsonObject> json(Buffer body) {
    Object parsed = body.length() == 0 ? null : RequestJson.decode(body);
    if (!(parsed instanceof JsonArray array)) {
      throw Problem.field("validation_failed", "/", "Expected a JSON array of user objects");
    }
    List<JsonObject> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      Object o = array.getValue(i);
      out.add(o instanceof JsonObject j ? j : null);
    }
    return out;
  }

  private static List<JsonObject> csv(Buffer body, int maxRows) {
    CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true)
        .setTrim(true).build();
    List<JsonObject> out = new ArrayList<>();
    try (var parser = format.parse(new StringReader(body.toString(java.nio.charset.StandardCharsets.UTF_8)))) {
      for (CSVRecord record : parser) {
        if (out.size() > maxRows) {
          break;
        }
        JsonObject row = new JsonObject();
        record.toMap().forEach((k, v) -> row.put(k.trim().toLowerCase(Locale.ROOT), v));
        out.add(row);
      }
    } catch (IOException | IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      throw Problem.field("validation_failed", "/", "The CSV cannot be read: " + e.getMessage());
    }
    return out;
  }

  private static boolean isCsv(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/csv");
  }
}
