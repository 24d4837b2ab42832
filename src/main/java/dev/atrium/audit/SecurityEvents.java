package dev.atrium.audit;

import dev.atrium.access.Caller;
import dev.atrium.access.DelegationPolicy;
import dev.atrium.problem.Problem;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import net.logstash.logback.argument.StructuredArguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security events (refresh-token reuse, login failures and lockouts, password changes, session
 * and key revocations, grant and role changes, refused delegations): one structured log line
 * each, {@code event=security.<name>} with the user, the client IP and the outcome (never a
 * secret), and an audit entry when someone acted. Writing the entry never fails the request:
 * a lost entry is logged.
 */
public final class SecurityEvents {
  private static final Logger LOG = LoggerFactory.getLogger("atrium.security");

  private final AuditLog audit;

  public SecurityEvents(AuditLog audit) {
    this.audit = audit;
  }

  /** Logs the event; {@code fields} are extra key/value pairs (ids, codes, counts). */
  public static void log(String name, String userId, String ip, Map<String, Object> fields) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("event", "security." + name);
    all.put("user_id", userId);
    all.put("ip", ip);
    all.putAll(fields);
    LOG.info("security.{}", name, StructuredArguments.entries(all));
  }

  /** Logs the event and writes it to the audit log as action {@code name}, outside any transaction. */
  public Future<Void> audited(Caller actor, String name, String targetType, Object targetId, JsonObject details) {
    log(name, actor.userId(), actor.ip(), details.getMap());
    return audit.record(actor, name, targetType, targetId, details)
        .recover(t -> {
          LOG.warn("Cannot write the audit entry of security event {}: {}", name, t.getMessage());
          return Future.succeededFuture();
        });
  }

  /**
   * Passes {@code failure} on; when it is a refusal by the delegation policy, first logs and
   * audits it as {@code access.refused} (the refused change itself rolled back).
   */
  public <T> Future<T> refusal(Caller actor, String action, String targetType, Object targetId, Throwable failure) {
    if (failure instanceof Problem p && DelegationPolicy.CODES.contains(p.code())) {
      return audited(actor, "access.refused", targetType, targetId, new JsonObject().put("attempted", action)
          .put("code", p.code()).put("detail", p.getMessage()))
          .transform(ar -> Future.failedFuture(failure));
    }
    return Future.failedFuture(failure);
  }
}
