package dev.atrium.db;

import dev.atrium.config.DbTls;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.TrustManagerFactory;

/**
 * One {@link DbTls} setting, applied alike to the reactive clients and to the JDBC connections
 * of start-up (Flyway, creating the database), so both check the server the same way.
 */
final class PgTls {
  private final DbTls tls;

  PgTls(DbTls tls) {
    this.tls = tls;
  }

  void apply(PgConnectOptions options) {
    options.setSslMode(SslMode.of(tls.mode()));
    if (tls.mode().equals("disable")) {
      return;
    }
    // Vert.x checks the name only when an algorithm is set; "" turns the check off
    ClientSSLOptions ssl = new ClientSSLOptions().setHostnameVerificationAlgorithm(tls.verifiesHostName() ? "HTTPS" : "");
    if (tls.verifiesCertificate()) {
      ssl.setTrustOptions(tls.rootCert().<TrustOptions>map(p -> new PemTrustOptions().addCertPath(p.toString()))
          .orElseGet(PgTls::jvmTrust));
    } else {
      ssl.setTrustAll(true);
    }
    options.setSslOptions(ssl);
  }

  /**
   * The JDBC URL's query. pgjdbc reads a missing sslrootcert as ~/.postgresql/root.crt, and its
   * default mode is prefer: both are pinned here so that JDBC checks exactly what Vert.x checks.
   */
  String jdbcQuery() {
    StringBuilder q = new StringBuilder("?sslmode=").append(tls.mode());
    if (tls.mode().equals("disable")) {
      return q.toString();
    }
    if (!tls.verifiesCertificate()) {
      return q.append("&sslfactory=org.postgresql.ssl.NonValidatingFactory").toString();
    }
    return tls.rootCert()
        .map(p -> q.append("&sslrootcert=").append(URLEncoder.encode(p.toString(), StandardCharsets.UTF_8)))
        .orElseGet(() -> q.append("&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory"))
        .toString();
  }

  private static TrustOptions jvmTrust() {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      return TrustOptions.wrap(factory);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("The JVM's trusted certificates cannot be loaded", e);
    }
  }
}
