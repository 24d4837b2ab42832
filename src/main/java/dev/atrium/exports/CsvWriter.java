package dev.atrium.exports;

/**
 * The one CSV writer of every export: RFC 4180 fields, CRLF records, and formula-injection
 * protection. A cell that a spreadsheet would run as a formula (it starts with =, +, -, @, or a
 * tab or carriage return that some programs skip) is prefixed with an apostrophe, which
 * spreadsheets show as text and do not evaluate. Users' names and clients' actions reach these
 * files, so every text cell goes through the guard.
 */
public final class CsvWriter {
  public static final String CRLF = "\r\n";

  private CsvWriter() {
  }

  public static void appendField(StringBuilder out, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    char first = value.charAt(0);
    boolean neutralise = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    boolean quote = false;
    for (int i = 0; i < value.length() && !quote; i++) {
      char c = value.charAt(i);
      quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    if (quote) {
      out.append('"');
    }
    if (neutralise) {
      out.append('\'');
    }
    if (quote) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '"') {
          out.append('"');
        }
        out.append(c);
      }
      out.append('"');
    } else {
      out.append(value);
    }
  }

  /** One record: fields separated by commas, ended by CRLF. */
  public static void appendRecord(StringBuilder out, String... fields) {
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      appendField(out, fields[i]);
    }
    out.append(CRLF);
  }
}
