package dev.atrium.mail;

import dev.atrium.config.MailSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends over SMTP with vertx-mail-client: TLS from the start for smtps://, STARTTLS when the
 * server offers it for smtp:// (a server that offers none gets the mail in clear; one whose TLS
 * upgrade fails does not). The server's certificate is checked against the JVM's trusted CAs and
 * its host name, unless ATRIUM_SMTP_TRUST_ALL is set for a test server.
 */
public final class SmtpTransport implements MailTransport {
  private static final Logger LOG = LoggerFactory.getLogger(SmtpTransport.class);
  /**
   * How long the server may stay silent within a dialogue before the connection is closed and
   * the send fails (and is retried). Without it a server that accepts and never answers would
   * hold the send, and with it the outbox's one batch in flight, for ever. A relay answers each
   * command within seconds; RFC 5321's minutes are for a server judging a stranger.
   */
  static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);

  private final MailClient client;

  public SmtpTransport(Vertx vertx, MailSettings.Smtp smtp) {
    this(vertx, smtp, REPLY_TIMEOUT);
  }

  SmtpTransport(Vertx vertx, MailSettings.Smtp smtp, Duration replyTimeout) {
    if (smtp.trustAll()) {
      LOG.warn("ATRIUM_SMTP_TRUST_ALL is set: {} (for test servers only)", smtp);
    }
    this.client = MailClient.create(vertx, config(smtp, replyTimeout));
  }

  /** The client settings for a server; one place, so a test can pin them. */
  static MailConfig config(MailSettings.Smtp smtp) {
    return config(smtp, REPLY_TIMEOUT);
  }

  private static MailConfig config(MailSettings.Smtp smtp, Duration replyTimeout) {
    MailConfig config = new MailConfig()
        .setHostname(smtp.host())
        .setPort(smtp.port())
        .setSsl(smtp.ssl())
        // OPTIONAL is "STARTTLS when offered"; with smtps:// the connection is TLS already
        .setStarttls(smtp.ssl() ? StartTLSOptions.DISABLED : StartTLSOptions.OPTIONAL)
        .setConnectTimeout(10_000)
        // read and write: a pooled connection idle that long is closed too, and reopened when needed
        .setIdleTimeout((int) replyTimeout.toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxPoolSize(4)
        .setKeepAlive(true);
    if (smtp.trustAll()) {
      config.setTrustAll(true).setHostnameVerificationAlgorithm("");
    } else {
      // the client's own choice when TLS may be used (SMTPConnectionPool), said here so a test pins it
      config.setTrustAll(false).setHostnameVerificationAlgorithm("HTTPS");
    }
    if (smtp.username() != null) {
      config.setUsername(smtp.username()).setPassword(smtp.password()).setLogin(LoginOption.REQUIRED);
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    return config;
  }

  @Override
  public Future<Void> send(String from, Mail mail) {
    MailMessage message = new MailMessage().setFrom(from).setTo(mail.to()).setSubject(mail.subject())
        .setText(mail.text()).setHtml(mail.html());
    return client.sendMail(message).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
