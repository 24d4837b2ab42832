package dev.atrium.files.storage;

import dev.atrium.config.StorageSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few S3 operations Atrium needs, sent with the Vert.x HTTP client (non-blocking, bodies
 * streamed from files or memory with back-pressure) and signed by {@link S3Signer}.
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
  private final HttpClientOptions options;
  private final PoolOptions pool;
  /** For callers off an event loop (the worker verticle's thumbnails and purges). */
  private final HttpClient shared;
  /**
   * The largest body chunk the client's HTTP decoder hands on (Vert.x's default is 8 KB). A 1 GB
   * download piped from S3 was 131,072 chunks of 8 KB, each a handler call, a heap copy and a
   * socket write: 640 MB/s on loopback against 1.1-1.4 GB/s with 256 KB. The decoder emits what
   * the socket read, up to this size, so it holds no more memory than before.
   */
  static final int MAX_CHUNK = 256 * 1024;
  /**
   * One client per event-loop thread: a pooled connection belongs to the event loop that opened
   * it, so each request uses connections of its caller's loop and bytes piped between the
   * client's socket and S3 never hop threads.
   */
  private final Map<Thread, HttpClient> perLoop = new ConcurrentHashMap<>();
  private final S3Signer signer;
  private final StorageSettings s;

  S3Client(Vertx vertx, StorageSettings s) {
    this.vertx = vertx;
    this.s = s;
    this.signer = new S3Signer(s);
    URI e = s.s3Endpoint();
    this.options = new HttpClientOptions().setKeepAlive(true).setIdleTimeout(300).setSsl("https".equals(e.getScheme()))
        .setMaxChunkSize(MAX_CHUNK);
    // per loop: a few uploads with IN_FLIGHT parts each, and the downloads, before requests queue
    this.pool = new PoolOptions().setHttp1MaxSize(16);
    this.shared = vertx.createHttpClient(options, pool);
  }

  private HttpClient http() {
    Context c = Vertx.currentContext();
    if (c == null || !c.isEventLoopContext()) {
      return shared;
    }
    return perLoop.computeIfAbsent(Thread.currentThread(), t -> vertx.createHttpClient(options, pool));
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

  /** A presigned GET of {@code key}, valid for {@code ttl}, answering with the given headers. */
  String presignGet(String key, String disposition, String contentType, Duration ttl) {
    return signer.presignGet(key, disposition, contentType, ttl);
  }

  /**
   * Sends one request; {@code body} is null, a small {@link Buffer}, or {@code length} bytes
   * streamed with back-pressure from a {@link ReadStream} or a list of buffers.
   */
  Future<HttpClientResponse> send(HttpMethod method, String key, Map<String, String> query, Map<String, String> headers,
                                  Object body, long length) {
    String url = signer.url(key, query);
    MultiMap signed = signer.sign(method, url, headers);
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url).setHeaders(signed)
        .setIdleTimeout(TIMEOUT_MS);
    return http().request(options).compose(req -> {
      if (body == null) {
        return req.send();
      }
      if (body instanceof Buffer b) {
        return req.send(b);
      }
      req.putHeader("Content-Length", Long.toString(length));
      if (body instanceof List<?> blocks) {
        writeAll(req, blocks, 0);
        return req.response();
      }
      @SuppressWarnings("unchecked")
      ReadStream<Buffer> stream = (ReadStream<Buffer>) body;
      return req.send(stream);
    });
  }

  /** Writes the blocks in order, waiting for the connection to drain whenever its queue is full. */
  private static void writeAll(HttpClientRequest req, List<?> blocks, int from) {
    for (int i = from; i < blocks.size(); i++) {
      req.write((Buffer) blocks.get(i));
      if (req.writeQueueFull() && i + 1 < blocks.size()) {
        int next = i + 1;
        req.drainHandler(v -> writeAll(req, blocks, next));
        return;
      }
    }
    req.end();
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

  /** Uploads {@code length} bytes held in memory as {@code blocks}: PUT object or UploadPart. */
  Future<Answer> putBuffers(String op, String key, Map<String, String> query, Map<String, String> headers,
                            List<Buffer> blocks, long length) {
    return call(op, HttpMethod.PUT, key, query, headers, blocks, length);
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

  /** Whether an object is at {@code key} (HEAD); fails when S3 answers neither 200 nor 404. */
  Future<Boolean> exists(String key) {
    return send(HttpMethod.HEAD, key, Map.of(), Map.of(), null, 0).compose(resp -> {
      resp.end();
      if (resp.statusCode() == 200 || resp.statusCode() == 404) {
        return Future.succeededFuture(resp.statusCode() == 200);
      }
      return Future.failedFuture(new S3Exception("HeadObject", resp.statusCode(), ""));
    });
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
    List<Future<Void>> closing = new java.util.ArrayList<>();
    closing.add(shared.close());
    perLoop.values().forEach(c -> closing.add(c.close()));
    return Future.join(closing).mapEmpty();
  }
}
