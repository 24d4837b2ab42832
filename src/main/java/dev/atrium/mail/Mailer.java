package dev.atrium.mail;

import dev.atrium.events.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.util.Map;

/**
 * What other domains use to send mail: render a template and queue it in the caller's
 * transaction, then {@link #wake()} the sender once that transaction has committed.
 */
public final class Mailer {
  private final Vertx vertx;
  private volatile MailTemplates templates; // set once by MailModule.start(), before any route is served
  private final Outbox outbox;
  private final String publicUrl;

  Mailer(Vertx vertx, Outbox outbox, String publicUrl) {
    this.vertx = vertx;
    this.outbox = outbox;
    this.publicUrl = publicUrl;
  }

  void use(MailTemplates loaded) {
    this.templates = loaded;
  }

  public Future<Void> queue(SqlClient tx, MailKind kind, Language lang, String to, Map<String, String> values) {
    return outbox.add(tx, templates.render(kind, lang, to, values));
  }

  /** Tells this node's sender that committed mail is waiting, so it need not wait for its next tick. */
  public void wake() {
    vertx.eventBus().send(Addresses.MAIL_QUEUED, null);
  }

  /** An absolute link under ATRIUM_PUBLIC_URL. */
  public String link(String pathAndQuery) {
    return publicUrl + pathAndQuery;
  }
}
