package dev.atrium.mail;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Development mode (no ATRIUM_SMTP_URL): each mail is written to the log as one JSON line,
 * text part included, so that codes can be read there and every flow can be tried.
 */
public final class LogTransport implements MailTransport {
  private static final Logger LOG = LoggerFactory.getLogger("atrium.mail");

  @Override
  public Future<Void> send(String from, Mail mail) {
    LOG.info("Mail not sent (no ATRIUM_SMTP_URL) {} {} {}", kv("mail_kind", mail.kind().name()),
        kv("mail_to", mail.to()), kv("mail_subject", mail.subject()), kv("mail_text", mail.text()));
    return Future.succeededFuture();
  }
}
