package dev.atrium.files.storage;

import dev.atrium.config.StorageSettings;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Request URLs of the bucket (path-style {@code endpoint/bucket/key} or virtual-hosted) and their
 * SigV4 signatures, made by the AWS SDK's signer ({@code http-auth-aws}); bodies are
 * {@code UNSIGNED-PAYLOAD}, so nothing is read twice to hash it.
 */
final class S3Signer {
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final AwsCredentialsIdentity credentials;
  private final StorageSettings s;
  private final String base;

  S3Signer(StorageSettings s) {
    this.s = s;
    this.credentials = AwsCredentialsIdentity.create(s.s3AccessKey(), s.s3SecretKey());
    URI e = s.s3Endpoint();
    String authority = e.getPort() < 0 ? e.getHost() : e.getHost() + ":" + e.getPort();
    this.base = s.s3PathStyle() ? e.getScheme() + "://" + authority + "/" + s.s3Bucket()
        : e.getScheme() + "://" + s.s3Bucket() + "." + authority;
  }

  String url(String key, Map<String, String> query) {
    StringBuilder b = new StringBuilder(base);
    if (key != null) {
      b.append('/').append(key);
    }
    char sep = '?';
    for (Map.Entry<String, String> q : new TreeMap<>(query).entrySet()) {
      b.append(sep).append(encode(q.getKey()));
      if (q.getValue() != null) {
        b.append('=').append(encode(q.getValue()));
      }
      sep = '&';
    }
    return b.toString();
  }

  private static String encode(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }

  MultiMap sign(HttpMethod method, String url, Map<String, String> headers) {
    SdkHttpRequest.Builder req = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method.name()))
        .uri(URI.create(url));
    headers.forEach(req::putHeader);
    SdkHttpRequest signed = signer.sign(r -> r.identity(credentials).request(req.build())
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, s.s3Region())
        .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    signed.headers().forEach((name, values) -> {
      if (!name.equalsIgnoreCase("Host")) {
        values.forEach(v -> out.add(name, v));
      }
    });
    return out;
  }

  /** A presigned GET of {@code key}, valid for {@code ttl}, answering with the given headers. */
  String presignGet(String key, String disposition, String contentType, Duration ttl) {
    String url = url(key, Map.of("response-content-disposition", disposition, "response-content-type", contentType));
    SdkHttpRequest signed = signer.sign(r -> r.identity(credentials)
        .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(URI.create(url)).build())
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, s.s3Region())
        .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
        .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, ttl)).request();
    return signed.getUri().toString();
  }
}
