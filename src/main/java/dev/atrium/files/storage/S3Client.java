package dev.atrium.files.storage;

import dev.atrium.config.StorageSettings;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The few S3 operations Atrium needs, sent with the Vert.x HTTP client (non-blocking, bodies
 * streamed from files with back-pressure) and signed with the AWS SDK's SigV4 signer
 * ({@code http-auth-aws}); bodies are sent as {@code UNSIGNED-PAYLOAD}, so nothing is read
 * twice to hash it. Path-style ({@code endpoint/bucket/key}) or virtual-hosted addressing.
 */
final class S3Client {
  private static final Pattern UPLOAD_ID = Pattern.compile("<UploadId>([^<]+)</UploadId>");
  /**
   * Longest silence on an S3 request: completing a multipart upload can take minutes on stores
   * that assemble the object on the spot (S3Proxy's file system backend).
   */
  private static final long TIMEOUT_MS = 300_000;
  static final int READ_BUFFER = 256 * 1024;

  private final Vertx vertx;
  private final HttpClient http;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final AwsCredentialsIdentity credentials;
  private final StorageSettings s;
  private final String base;

  S3Client(Vertx vertx, StorageSettings s) {
    this.vertx = vertx;
    this.s = s;
    this.credentials = AwsCredentialsIdentity.create(s.s3AccessKey(), s.s3SecretKey());
    URI e = s.s3Endpoint();
    String authority = e.getPort() < 0 ? e.getHost() : e.getHost() + ":" + e.getPort();
    this.base = s.s3PathStyle() ? e.getScheme() + "://" + authority + "/" + s.s3Bucket()
        : e.getScheme() + "://" + s.s3Bucket() + "." + authority;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setIdleTimeout(300)
        .setSsl("https".equals(e.getScheme())), new PoolOptions().setHttp1MaxSize(32));
  }

  /** A failed S3 call: the status and the start of S3's error document. */
  static final class S3Exception extends RuntimeException {
    final int status;

    S3Exception(String op, int status, String body) {
      super(op + " answered " + status + ": " + (body.length() > 300 ? body.substring(0, 300) : body), null, false,
          false);
      this.status = status;
    }
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

  private MultiMap sign(HttpMethod method, String url, Map<String, String> headers) {
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

  /**
   * Sends one request; {@code body} is null, a small {@link Buffer}, or a {@link ReadStream} of
   * {@code length} bytes streamed with back-pressure.
   */
  Future<HttpClientResponse> send(HttpMethod method, String key, Map<String, String> query, Map<String, String> headers,
                                  Object body, long length) {
    String url = url(key, query);
    MultiMap signed = sign(method, url, headers);
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setHeaders(signed)
        .setIdleTimeout(TIMEOUT_MS);
    return http.request(options).compose(req -> {
      if (body == null) {
        return req.send();
      }
      if (body instanceof Buffer b) {
        return req.send(b);
      }
      req.putHeader("Content-Length", Long.toString(length));
      @SuppressWarnings("unchecked")
      ReadStream<Buffer> stream = (ReadStream<Buffer>) body;
      return req.send(stream);
    });
  }

  /** Sends a request and reads its (small) answer whole; fails unless S3 answers 2xx. */
  Future<Answer> call(String op, HttpMethod method, String key, Map<String, String> query, Map<String, String> headers,
                      Object body, long length) {
    return send(method, key, query, headers, body, length).compose(resp -> resp.body().map(b -> {
      if (resp.statusCode() / 100 != 2 || b.toString(StandardCharsets.UTF_8).contains("<Error>")) {
        throw new S3Exception(op, resp.statusCode(), b.toString(StandardCharsets.UTF_8));
      }
      return new Answer(resp.headers(), b);
    }));
  }

  record Answer(MultiMap headers, Buffer body) {
  }

  /** Uploads {@code length} bytes of a local file from {@code offset}: PUT object or UploadPart. */
  Future<Answer> putFile(String op, String key, Map<String, String> query, Path file, long offset, long length,
                         Map<String, String> headers) {
    return vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true)).compose(f -> {
      // 256 KB reads: the default 8 KB would take a worker-thread task per 8 KB of every part
      f.setReadBufferSize(READ_BUFFER).setReadPos(offset).setReadLength(length);
      return call(op, HttpMethod.PUT, key, query, headers, f, length).eventually(() -> f.close().otherwiseEmpty());
    });
  }

  Future<String> createMultipart(String key) {
    return call("CreateMultipartUpload", HttpMethod.POST, key, Map.of("uploads", ""), Map.of(), null, 0)
        .map(a -> {
          Matcher m = UPLOAD_ID.matcher(a.body().toString(StandardCharsets.UTF_8));
          if (!m.find()) {
            throw new S3Exception("CreateMultipartUpload", 200, "no UploadId");
          }
          return m.group(1);
        });
  }

  /** Returns the part's ETag. */
  Future<String> uploadPart(String key, String uploadId, int number, Path file, long offset, long length) {
    return putFile("UploadPart", key, Map.of("partNumber", Integer.toString(number), "uploadId", uploadId), file,
        offset, length, Map.of()).map(a -> a.headers().get("ETag"));
  }

  /** One uploaded part: its number and ETag. */
  record Part(int number, String etag) {
  }

  Future<Void> completeMultipart(String key, String uploadId, List<Part> parts) {
    StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
    for (Part p : parts) {
      xml.append("<Part><PartNumber>").append(p.number()).append("</PartNumber><ETag>")
          .append(p.etag().replace("&", "&amp;").replace("\"", "&quot;")).append("</ETag></Part>");
    }
    Buffer body = Buffer.buffer(xml.append("</CompleteMultipartUpload>").toString());
    return call("CompleteMultipartUpload", HttpMethod.POST, key, Map.of("uploadId", uploadId),
        Map.of("Content-Type", "application/xml"), body, body.length()).mapEmpty();
  }

  Future<Void> abortMultipart(String key, String uploadId) {
    return call("AbortMultipartUpload", HttpMethod.DELETE, key, Map.of("uploadId", uploadId), Map.of(), null, 0)
        .mapEmpty();
  }

  Future<Void> delete(String key) {
    return call("DeleteObject", HttpMethod.DELETE, key, Map.of(), Map.of(), null, 0).mapEmpty();
  }

  /** GET of bytes [offset, offset + length); {@code length} may run past the end. */
  Future<HttpClientResponse> get(String key, long offset, long length) {
    Map<String, String> headers = offset == 0 && length == Long.MAX_VALUE ? Map.of()
        : Map.of("Range", "bytes=" + offset + "-" + (length == Long.MAX_VALUE ? "" : Long.toString(offset + length - 1)));
    return send(HttpMethod.GET, key, Map.of(), headers, null, 0).compose(resp -> {
      if (resp.statusCode() == 200 || resp.statusCode() == 206) {
        return Future.succeededFuture(resp);
      }
      return resp.body().compose(b -> Future.failedFuture(new S3Exception("GetObject", resp.statusCode(),
          b.toString(StandardCharsets.UTF_8))));
    });
  }

  /** Creates the bucket when it does not exist (a fresh deployment, the tests). */
  Future<Void> ensureBucket() {
    return send(HttpMethod.HEAD, null, Map.of(), Map.of(), null, 0).compose(resp -> {
      resp.end();
      if (resp.statusCode() == 200) {
        return Future.succeededFuture();
      }
      if (resp.statusCode() != 404) {
        return Future.failedFuture(new S3Exception("HeadBucket", resp.statusCode(), ""));
      }
      Buffer body = "us-east-1".equals(s.s3Region()) ? Buffer.buffer()
          : Buffer.buffer("<CreateBucketConfiguration><LocationConstraint>" + s.s3Region()
              + "</LocationConstraint></CreateBucketConfiguration>");
      return call("CreateBucket", HttpMethod.PUT, null, Map.of(), Map.of(), body, body.length())
          .mapEmpty();
    });
  }

  Future<Void> close() {
    return http.close();
  }
}
