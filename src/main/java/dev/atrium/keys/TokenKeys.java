package dev.atrium.keys;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * The access-token keys as one {@link JWTAuth}: tokens are signed with the current key (its
 * {@code kid} in the header) and verified with every key still published, so tokens signed
 * before a rotation stay valid until they expire. The key set is swapped whole when the ring
 * changes; callers keep this one object.
 */
public final class TokenKeys implements JWTAuth {
  private final Vertx vertx;
  private final String issuer;
  private final String audience;
  private volatile State state;

  private record State(JWTAuth signer, JWTAuth verifier, JsonObject jwks, String signingKid, List<String> kids) {
  }

  /** Empty until {@link SigningKeys} has read the keys at start-up. */
  TokenKeys(Vertx vertx, String issuer, String audience) {
    this.vertx = vertx;
    this.issuer = issuer;
    this.audience = audience;
  }

  /** A fixed single key (benches and tools that mint tokens themselves). */
  public static TokenKeys fixed(Vertx vertx, String issuer, String audience, JwtKeys key) {
    TokenKeys keys = new TokenKeys(vertx, issuer, audience);
    keys.use(List.of(key), key);
    return keys;
  }

  void use(KeyRing ring, java.time.Instant now) throws GeneralSecurityException {
    State current = state;
    List<String> kids = ring.keys().stream().map(KeyRepository.StoredKey::kid).toList();
    if (current != null && current.signingKid().equals(ring.signing(now).kid()) && current.kids().equals(kids)) {
      return; // the usual refresh: nothing changed, so no key is parsed (each parse is an EC multiplication)
    }
    use(parse(ring), JwtKeys.fromPem(ring.signing(now).material()));
  }

  static List<JwtKeys> parse(KeyRing ring) throws GeneralSecurityException {
    List<JwtKeys> out = new java.util.ArrayList<>();
    for (KeyRepository.StoredKey k : ring.keys()) {
      out.add(JwtKeys.fromPem(k.material()));
    }
    return out;
  }

  void use(List<JwtKeys> verifying, JwtKeys signing) {
    State current = state;
    List<String> kids = verifying.stream().map(JwtKeys::keyId).toList();
    if (current != null && current.signingKid().equals(signing.keyId()) && current.kids().equals(kids)) {
      return;
    }
    // A token must name this issuer and this audience: a JWT the same key signed for anything
    // else (or before tokens named their audience) is refused.
    JWTAuthOptions verify = new JWTAuthOptions().setJWTOptions(new JWTOptions().setIssuer(issuer)
        .setAudience(List.of(audience)).setLeeway(5));
    JsonArray jwks = new JsonArray();
    for (JwtKeys k : verifying) {
      verify.addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(k.publicPem()).setId(k.keyId()));
      jwks.add(k.jwk());
    }
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(signing.privatePem()).setId(signing.keyId())));
    state = new State(signer, JWTAuth.create(vertx, verify), new JsonObject().put("keys", jwks), signing.keyId(), kids);
  }

  /** The JWKS document: the current key and the previous ones that still verify. */
  public JsonObject jwks() {
    return state.jwks();
  }

  public String signingKid() {
    return state.signingKid();
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    return state.verifier().authenticate(credentials);
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    return state.signer().generateToken(claims, options);
  }

  @Override
  public String generateToken(JsonObject claims) {
    return state.signer().generateToken(claims);
  }
}
