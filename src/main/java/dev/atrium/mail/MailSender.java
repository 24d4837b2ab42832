package dev.atrium.mail;

import dev.atrium.config.MailSettings;
import dev.atrium.events.Addresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox, one batch at a time, on its own event loop: every second, and at once when a
 * transaction on this node says it queued mail. A failed mail waits {@code retryBase × 2^(n-1)}
 * (at most 10 minutes) before try n+1, and is marked failed after {@code maxAttempts}: a lost SMTP
 * server delays mail and loses none. Metrics: {@code atrium_mail_sent_total},
 * {@code atrium_mail_retried_total}, {@code atrium_mail_failed_total}.
 */
public final class MailSender extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MailSender.class);
  private static final int BATCH = 20;
  /**
   * Longer than a send takes (10 s to connect, and a dialogue in which the server is never
   * silent for SmtpTransport.REPLY_TIMEOUT), so two nodes do not send one row together.
   */
  private static final Duration LEASE = Duration.ofMinutes(2);
  private static final Duration MAX_DELAY = Duration.ofMinutes(10);
  /** How long a stopping node waits for the mail it is sending. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final Outbox outbox;
  private final MailTransport transport;
  private final MailSettings settings;
  private final Counter sent;
  private final Counter retried;
  private final Counter failed;
  private boolean again;
  private boolean stopping;
  /** Completed when the batch in flight ends; null while none runs. */
  private Promise<Void> batchEnded;
  private long timer;
  private long purgeTimer;

  public MailSender(Outbox outbox, MailTransport transport, MailSettings settings, MeterRegistry registry) {
    this.outbox = outbox;
    this.transport = transport;
    this.settings = settings;
    this.sent = Counter.builder("atrium_mail_sent_total").description("Mails handed to the SMTP server (or the log)")
        .register(registry);
    this.retried = Counter.builder("atrium_mail_retried_total")
        .description("Send attempts that failed and will be retried")
        .register(registry);
    this.failed = Counter.builder("atrium_mail_failed_total").description("Mails given up after the last attempt")
        .register(registry);
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(1000, id -> drain());
    purgeTimer = vertx.setPeriodic(3_600_000, id -> outbox.purge(Duration.ofDays(7))
        .onFailure(e -> LOG.warn("Could not purge old outbox rows: {}", e.getMessage())));
    var consumer = vertx.eventBus().localConsumer(Addresses.MAIL_QUEUED, msg -> drain());
    return consumer.completion().onSuccess(v -> drain());
  }

  /**
   * Starts no further mail, lets the one being sent finish (at most {@link #STOP_WAIT}) and
   * records its outcome while the database is still open, gives the batch's unsent mails back at
   * once, then closes the transport. Closing under a send would fail or repeat a mail the server
   * may already have taken, and leave its row leased for {@link #LEASE}.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(purgeTimer);
    Future<Void> inFlight = batchEnded == null ? Future.succeededFuture()
        : batchEnded.future().timeout(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS).otherwiseEmpty();
    return inFlight.compose(v -> transport.close());
  }

  /** Runs one batch at a time; a wake-up during a batch runs another right after it. */
  private void drain() {
    if (stopping) {
      return;
    }
    if (batchEnded != null) {
      again = true;
      return;
    }
    again = false;
    Promise<Void> ended = Promise.promise();
    batchEnded = ended;
    outbox.claim(BATCH, LEASE)
        .compose(batch -> sendFrom(batch, 0))
        .onComplete(ar -> {
          batchEnded = null;
          ended.complete();
          if (ar.failed()) {
            LOG.warn("Outbox batch failed: {}", ar.cause().getMessage());
          } else if (ar.result() == BATCH || again) {
            drain();
          }
        });
  }

  /** Sends the batch from {@code next} on, one mail at a time; once stopping, releases the rest. */
  private Future<Integer> sendFrom(List<Outbox.Queued> batch, int next) {
    if (next == batch.size()) {
      return Future.succeededFuture(batch.size());
    }
    if (stopping) {
      List<Long> unsent = batch.subList(next, batch.size()).stream().map(Outbox.Queued::id).toList();
      return outbox.release(unsent).map(next);
    }
    return sendOne(batch.get(next)).compose(v -> sendFrom(batch, next + 1));
  }

  private Future<Void> sendOne(Outbox.Queued q) {
    return transport.send(settings.from(), q.mail())
        .compose(v -> {
          sent.increment();
          return outbox.sent(q.id());
        }, err -> {
          int attempts = q.attempts() + 1;
          String reason = err.getClass().getSimpleName() + ": " + err.getMessage();
          if (attempts >= settings.maxAttempts()) {
            failed.increment();
            LOG.error("Mail {} ({}) given up after {} attempts: {}", q.id(), q.mail().kind(), attempts, reason);
            return outbox.failed(q.id(), reason);
          }
          retried.increment();
          Duration delay = backoff(settings.retryBase(), attempts);
          LOG.warn("Mail {} ({}) attempt {} failed, next in {}: {}", q.id(), q.mail().kind(), attempts, delay, reason);
          return outbox.retryLater(q.id(), delay, reason);
        });
  }

  static Duration backoff(Duration base, int attempts) {
    Duration d = base.multipliedBy(1L << Math.min(attempts - 1, 20));
    return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
  }
}
