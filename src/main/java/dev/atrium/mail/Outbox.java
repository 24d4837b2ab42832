package dev.atrium.mail;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** SQL on mail_outbox. */
public final class Outbox {
  private final Pool pool;

  public Outbox(Pool pool) {
    this.pool = pool;
  }

  /** A claimed row: sent by this node until its lease runs out. */
  public record Queued(long id, Mail mail, int attempts) {
  }

  /** Queues a mail inside the caller's transaction: it exists exactly when the change commits. */
  public Future<Void> add(SqlClient tx, Mail mail) {
    return tx.preparedQuery("INSERT INTO mail_outbox (kind, recipient, subject, text_body, html_body)"
            + " VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(mail.kind().name(), mail.to(), mail.subject(), mail.text(), mail.html()))
        .mapEmpty();
  }

  /**
   * Claims up to {@code limit} due mails, oldest first, and leases them for {@code lease}: other
   * nodes skip them meanwhile, and if this node dies they become due again when the lease ends.
   */
  public Future<List<Queued>> claim(int limit, Duration lease) {
    return pool.preparedQuery("""
            UPDATE mail_outbox o SET next_attempt_at = now() + make_interval(secs => $2)
            FROM (SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= now()
                  ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) due
            WHERE o.id = due.id
            RETURNING o.id, o.kind, o.recipient, o.subject, o.text_body, o.html_body, o.attempts""")
        .execute(Tuple.of(limit, (double) lease.toSeconds()))
        .map(rows -> {
          List<Queued> out = new ArrayList<>();
          for (Row r : rows) {
            Mail mail = new Mail(MailKind.valueOf(r.getString("kind")), r.getString("recipient"),
                r.getString("subject"), r.getString("text_body"), r.getString("html_body"));
            out.add(new Queued(r.getLong("id"), mail, r.getInteger("attempts")));
          }
          return out;
        });
  }

  /** Claimed mails given back unsent (a stopping node): due again now, not when the lease ends. */
  public Future<Void> release(List<Long> ids) {
    return pool.preparedQuery("UPDATE mail_outbox SET next_attempt_at = now() WHERE id = ANY($1) AND status = 'pending'")
        .execute(Tuple.of(ids.toArray(new Long[0]))).mapEmpty();
  }

  /** Sent: the bodies are dropped, since they carry one-time codes that must not linger in clear. */
  public Future<Void> sent(long id) {
    return pool.preparedQuery("UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1,"
            + " text_body = '', html_body = '', last_error = NULL WHERE id = $1")
        .execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Void> retryLater(long id, Duration delay, String error) {
    return pool.preparedQuery("UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3,"
            + " next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1")
        .execute(Tuple.of(id, delay.toMillis() / 1000.0, truncate(error))).mapEmpty();
  }

  public Future<Void> failed(long id, String error) {
    return pool.preparedQuery("UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = $2,"
            + " text_body = '', html_body = '' WHERE id = $1")
        .execute(Tuple.of(id, truncate(error))).mapEmpty();
  }

  /** Forgets sent and failed mails older than the given age. */
  public Future<Integer> purge(Duration age) {
    return pool.preparedQuery("DELETE FROM mail_outbox WHERE status <> 'pending'"
            + " AND created_at < now() - make_interval(secs => $1)")
        .execute(Tuple.of((double) age.toSeconds())).map(rows -> rows.rowCount());
  }

  private static String truncate(String s) {
    return s == null ? null : s.length() > 500 ? s.substring(0, 500) : s;
  }
}
