package dev.atrium.mail;

import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outgoing mail: templates, the outbox and its sender. Serves no routes; other modules queue mail
 * through {@link #mailer()}, which is usable once {@link #start()} has loaded the templates.
 */
public final class MailModule implements Module {
  private static final Logger LOG = LoggerFactory.getLogger(MailModule.class);

  private final Platform platform;
  private final Outbox outbox;
  private final Mailer mailer;

  public MailModule(Platform platform) {
    this.platform = platform;
    this.outbox = new Outbox(platform.pool());
    this.mailer = new Mailer(platform.vertx(), outbox, platform.config().mail().publicUrl());
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of();
  }

  @Override
  public Future<Void> start() {
    var settings = platform.config().mail();
    MailTransport transport = settings.smtp()
        .<MailTransport>map(smtp -> new SmtpTransport(platform.vertx(), smtp))
        .orElseGet(LogTransport::new);
    LOG.info("Mail goes to {}", settings.smtp().map(Object::toString).orElse("the log (ATRIUM_SMTP_URL is unset)"));
    return MailTemplates.load(platform.vertx())
        .onSuccess(mailer::use)
        .compose(t -> platform.vertx().deployVerticle(new MailSender(outbox, transport, settings, platform.registry())))
        .mapEmpty();
  }

  /** Renders and queues mail; its templates are loaded by {@link #start()}. */
  public Mailer mailer() {
    return mailer;
  }
}
