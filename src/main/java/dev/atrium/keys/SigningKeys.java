package dev.atrium.keys;

import dev.atrium.platform.Module;
import dev.atrium.platform.Platform;
import dev.atrium.secrets.SecretBox;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys of a node, kept in PostgreSQL so that nodes share nothing else: the ES256
 * keys of access tokens ({@link #tokens()}) and the HMAC keys of signed links ({@link #links()}).
 * Every node re-reads them every {@code period} (a quarter of {@code ATRIUM_KEY_ROTATION}, at
 * most a minute) and, only once the newest is older than the rotation period, generates the next
 * key and stores it under an advisory lock. A new key signs only from {@code 2 × period} after its
 * creation, so every node already verifies it by then; a replaced key is kept until what it
 * signed has expired.
 * {@code ATRIUM_JWT_KEY_FILE} replaces the token keys by one fixed key (no rotation). With
 * ATRIUM_DATA_KEY the stored keys are sealed (see {@link KeyRepository}).
 */
public final class SigningKeys implements Module {
  public static final String TOKEN = "token";
  public static final String LINK = "link";
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);

  private final Platform platform;
  private final JwtKeys fixedToken;
  private final Duration rotation;
  private final Duration period;
  private final TokenKeys tokens;
  private final SecureRandom random = new SecureRandom();
  private final SecretBox box;
  private volatile List<byte[]> links = List.of();
  private long timer = -1;
  private boolean refreshing;
  /** Refreshes, and keys generated per purpose: many refreshes, a key only per rotation. */
  private final Counter refreshes;
  private final Map<String, Counter> generated;

  public SigningKeys(Platform p, String issuer, String audience, JwtKeys fixedToken) {
    this.platform = p;
    this.fixedToken = fixedToken;
    this.rotation = p.config().storage().keyRotation();
    long quarter = Math.max(1_000, Math.min(60_000, rotation.toMillis() / 4));
    this.period = Duration.ofMillis(quarter);
    this.tokens = new TokenKeys(p.vertx(), issuer, audience);
    this.box = new SecretBox(p.config().dataKeys());
    this.refreshes = Counter.builder("atrium_signing_keys_refreshes_total")
        .description("Reads of the signing keys from PostgreSQL").register(p.registry());
    this.generated = Map.of(TOKEN, generatedCounter(p, TOKEN), LINK, generatedCounter(p, LINK));
    if (fixedToken != null) {
      tokens.use(List.of(fixedToken), fixedToken);
    }
  }

  private static Counter generatedCounter(Platform p, String purpose) {
    return Counter.builder("atrium_signing_keys_generated_total").tag("purpose", purpose)
        .description("Signing keys generated because a rotation was due").register(p.registry());
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of();
  }

  @Override
  public Future<Void> start() {
    return checkDataKey().compose(v -> refresh())
        .onSuccess(v -> timer = platform.vertx().setPeriodic(period.toMillis(), t -> tick()));
  }

  /**
   * Refuses keys that cannot open the stored signing keys (this node could neither verify the
   * other nodes' tokens nor sign); seals again those in clear or under a fallback.
   */
  private Future<Void> checkDataKey() {
    Pool pool = platform.pool();
    return box.takeOver("signing key(s)", () -> KeyRepository.sealedWithOtherKey(pool, box),
        () -> pool.withTransaction(tx -> KeyRepository.reseal(tx, box)));
  }

  @Override
  public Future<Void> stop() {
    platform.vertx().cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Signs and verifies access tokens; publishes the JWKS. */
  public TokenKeys tokens() {
    return tokens;
  }

  /** The link keys, the signing one first. */
  public Supplier<List<byte[]>> links() {
    return () -> links;
  }

  /** One refresh at a time: a tick that finds the previous one still running is skipped. */
  private void tick() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    refresh().onFailure(e -> LOG.warn("Could not refresh the signing keys: {}", e.getMessage()))
        .onComplete(v -> refreshing = false);
  }

  Future<Void> refresh() {
    refreshes.increment();
    Duration margin = period.multipliedBy(2).plusMinutes(1);
    Future<Void> token = fixedToken != null ? Future.succeededFuture()
        : keys(TOKEN, this::freshToken, platform.config().accessTtl().plus(margin))
            .map(keys -> {
              try {
                tokens.use(new KeyRing(keys), Instant.now());
              } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("a stored token key cannot be read", e);
              }
              return null;
            });
    Future<Void> link = keys(LINK, this::freshLink, platform.config().signedUrlTtl().plus(margin))
        .map(keys -> {
          KeyRing ring = new KeyRing(keys);
          KeyRepository.StoredKey signing = ring.signing(Instant.now());
          List<byte[]> ordered = new java.util.ArrayList<>();
          ordered.add(Base64.getDecoder().decode(signing.material()));
          keys.stream().filter(k -> k != signing).forEach(k -> ordered.add(Base64.getDecoder().decode(k.material())));
          links = List.copyOf(ordered);
          return null;
        });
    return Future.all(token, link).mapEmpty();
  }

  /**
   * The keys of a purpose. Most refreshes only read them; a key is generated (an EC key pair
   * costs milliseconds of CPU) only when the newest is older than the rotation period, on a
   * worker thread, and then stored in one transaction under the lock, where another node's key
   * made meanwhile wins; the keys are read back in that transaction.
   */
  private Future<List<KeyRepository.StoredKey>> keys(String purpose, Supplier<KeyRepository.StoredKey> fresh,
                                                     Duration keep) {
    Pool pool = platform.pool();
    Duration delay = period.multipliedBy(2);
    return pool.withConnection(conn -> KeyRepository.current(conn, box, purpose, rotation, keep))
        .compose(current -> !current.due() ? Future.succeededFuture(current.keys())
            : platform.vertx().executeBlocking(fresh::get, false)
                .onSuccess(k -> generated.get(purpose).increment())
                .compose(k -> pool.withTransaction(tx -> KeyRepository.lock(tx)
                    .compose(v -> KeyRepository.insertUnlessRecent(tx, box, purpose, k, rotation, delay))
                    .compose(v -> KeyRepository.current(tx, box, purpose, rotation, keep))))
                .map(KeyRepository.Current::keys));
  }

  private KeyRepository.StoredKey freshToken() {
    try {
      String pem = JwtKeys.generatePem();
      return new KeyRepository.StoredKey(JwtKeys.fromPem(pem).keyId(), pem, null);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private KeyRepository.StoredKey freshLink() {
    byte[] key = new byte[32];
    random.nextBytes(key);
    return new KeyRepository.StoredKey("link-" + UUID.randomUUID(), Base64.getEncoder().encodeToString(key), null);
  }
}
