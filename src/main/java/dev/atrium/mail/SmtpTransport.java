package dev.atrium.mail;

import dev.atrium.config.MailSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;

/** Sends over SMTP with vertx-mail-client: TLS from the start for smtps://, STARTTLS when the server offers it. */
public final class SmtpTransport implements MailTransport {
  private final MailClient client;

  public SmtpTransport(Vertx vertx, MailSettings.Smtp smtp) {
    MailConfig config = new MailConfig()
        .setHostname(smtp.host())
        .setPort(smtp.port())
        .setSsl(smtp.ssl())
        .setStarttls(smtp.ssl() ? StartTLSOptions.DISABLED : StartTLSOptions.OPTIONAL)
        .setConnectTimeout(10_000)
        .setMaxPoolSize(4)
        .setKeepAlive(true);
    if (smtp.username() != null) {
      config.setUsername(smtp.username()).setPassword(smtp.password()).setLogin(LoginOption.REQUIRED);
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    this.client = MailClient.create(vertx, config);
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
