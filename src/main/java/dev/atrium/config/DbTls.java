package dev.atrium.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TLS to PostgreSQL, from the libpq parameters of ATRIUM_DB_URL, with libpq's meanings:
 * {@code sslmode} is one of {@link #MODES} ({@code disable} when absent, not libpq's
 * {@code prefer}: a node on the database's own machine or network should not pay for TLS it did
 * not ask for, and {@code prefer} checks nothing); {@code sslrootcert} is a PEM file of the
 * certificate authorities to trust, or {@code system} for the JVM's own. Under {@code verify-ca}
 * and {@code verify-full} an absent {@code sslrootcert} also means the JVM's; under
 * {@code require} a given one is checked, as libpq does, and otherwise nothing is.
 */
public record DbTls(String mode, Optional<Path> rootCert) {
  public static final List<String> MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  public static final DbTls DISABLED = new DbTls("disable", Optional.empty());

  /** Whether the server's certificate must chain to a trusted authority. */
  public boolean verifiesCertificate() {
    return mode.startsWith("verify-") || mode.equals("require") && rootCert.isPresent();
  }

  /** Whether the server's name must match its certificate. */
  public boolean verifiesHostName() {
    return mode.equals("verify-full");
  }

  /** The parameters of a {@code postgresql://} URL's query; any other parameter is refused, not ignored. */
  static DbTls parse(URI url) {
    Map<String, String> params = new LinkedHashMap<>();
    String query = url.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        if (!name.equals("sslmode") && !name.equals("sslrootcert")) {
          throw new IllegalArgumentException("unsupported parameter '" + name + "' (supported: sslmode, sslrootcert)");
        }
        if (params.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1))) != null) {
          throw new IllegalArgumentException("parameter '" + name + "' is given twice");
        }
      }
    }
    String mode = params.getOrDefault("sslmode", "disable");
    if (!MODES.contains(mode)) {
      throw new IllegalArgumentException("sslmode must be one of " + String.join(", ", MODES) + ", got '" + mode + "'");
    }
    String root = params.get("sslrootcert");
    if (root == null || root.equals("system")) {
      return new DbTls(mode, Optional.empty());
    }
    Path path = Path.of(root);
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException("sslrootcert '" + root + "' is not a readable file (or 'system')");
    }
    return new DbTls(mode, Optional.of(path));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
