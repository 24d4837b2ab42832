package dev.atrium.mail;

import io.vertx.core.Future;

/** Hands one mail to the world: an SMTP server, or the log when none is configured. */
public interface MailTransport {
  Future<Void> send(String from, Mail mail);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
