package dev.atrium.analytics;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/** A strict RFC 4180 reader for tests: records end with CRLF, quoted fields may hold anything. */
final class CsvReader {
  private final Reader in;
  private int peeked = -2;

  CsvReader(Reader in) {
    this.in = in;
  }

  private int read() throws IOException {
    if (peeked != -2) {
      int c = peeked;
      peeked = -2;
      return c;
    }
    return in.read();
  }

  private int peek() throws IOException {
    if (peeked == -2) {
      peeked = in.read();
    }
    return peeked;
  }

  /** The next record, or null at the end. */
  List<String> next() throws IOException {
    if (peek() == -1) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    while (true) {
      int c = read();
      if (quoted) {
        if (c == -1) {
          throw new IOException("unterminated quoted field");
        }
        if (c == '"') {
          if (peek() == '"') {
            read();
            f.append('"');
          } else {
            quoted = false;
          }
        } else {
          f.append((char) c);
        }
      } else if (c == '"' && f.length() == 0) {
        quoted = true;
      } else if (c == ',') {
        fields.add(f.toString());
        f.setLength(0);
      } else if (c == '\r') {
        if (read() != '\n') {
          throw new IOException("CR without LF outside quotes");
        }
        fields.add(f.toString());
        return fields;
      } else if (c == -1) {
        throw new IOException("last record without CRLF");
      } else if (c == '\n') {
        throw new IOException("bare LF outside quotes");
      } else {
        f.append((char) c);
      }
    }
  }

  static List<List<String>> parse(String text) throws IOException {
    CsvReader r = new CsvReader(new java.io.StringReader(text));
    List<List<String>> out = new ArrayList<>();
    for (List<String> rec = r.next(); rec != null; rec = r.next()) {
      out.add(rec);
    }
    return out;
  }
}
