package dev.atrium.account;

import dev.atrium.access.AccessModule;
import dev.atrium.audit.AuditLog;
import dev.atrium.audit.AuditModule;
import dev.atrium.auth.AuthModule;
import dev.atrium.events.Addresses;
import dev.atrium.events.UserRegistered;
import dev.atrium.mail.MailModule;
import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import dev.atrium.secrets.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account lifecycle: email verification (the first code goes out on {@code user.registered}),
 * password reset, email change and TOTP two-factor sign-in. It plugs {@link LoginChecks} into
 * login: what is asked after a correct password.
 */
public final class AccountModule implements Module {
  private static final Logger LOG = LoggerFactory.getLogger(AccountModule.class);

  private final Platform platform;
  private final EmailFlows email;
  private final AccountHandlers handlers;
  private final MfaRepository mfaRepository;
  private final SecretBox box;
  private MessageConsumer<JsonObject> registrations;

  public AccountModule(Platform p, MailModule mail, AuthModule authModule, AccessModule access,
                       AuditModule auditModule) {
    this.platform = p;
    AuthPorts auth = new AuthModulePorts(authModule, access);
    AccountRepository accounts = new AccountRepository(p.pool());
    AuditLog audit = new AuditLog(p.pool());
    CodeMails codes = new CodeMails(p.pool(), accounts,
        new SendThrottle(p.redisApi(), p.keys(), p.config().mail().codeLimits()), mail.mailer());
    this.email = new EmailFlows(accounts, codes, auth, audit);
    this.box = new SecretBox(p.config().dataKeys());
    this.mfaRepository = new MfaRepository(p.pool(), box);
    MfaService mfa = new MfaService(p.vertx(), p.pool(), accounts, mfaRepository,
        new MfaTokens(p.redisApi(), p.keys()), auth, audit, auditModule.security());
    this.handlers = new AccountHandlers(email, new PasswordReset(accounts, codes, auth, audit), mfa);
    LoginChecks loginChecks = new LoginChecks(mfa, p.config().mail().requireVerifiedEmail());
    authModule.service().gate(loginChecks);
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return handlers.operations();
  }

  @Override
  public Future<Void> start() {
    return checkDataKey().compose(v -> listen());
  }

  /** Refuses keys that cannot open the stored TOTP secrets; seals again those in clear or under a fallback. */
  private Future<Void> checkDataKey() {
    return box.takeOver("TOTP secret(s)", mfaRepository::sealedWithOtherKey, this::reseal);
  }

  /** Seals again what is in clear or under a fallback key, a batch per transaction; answers how many. */
  private Future<Long> reseal() {
    return platform.pool().withTransaction(mfaRepository::resealBatch)
        .compose(n -> n < MfaRepository.SEAL_BATCH ? Future.succeededFuture(n) : reseal().map(more -> n + more));
  }

  private Future<Void> listen() {
    registrations = platform.vertx().eventBus().consumer(Addresses.USER_REGISTERED, msg -> {
      UserRegistered e = UserRegistered.fromJson(msg.body());
      email.sendAfterRegistration(UUID.fromString(e.userId()), e.ip(), e.language())
          .onFailure(err -> LOG.warn("First verification code for {} not sent: {}", e.userId(), err.getMessage()));
    });
    return registrations.completion();
  }

  @Override
  public Future<Void> stop() {
    return registrations == null ? Future.succeededFuture() : registrations.unregister();
  }
}
