package dev.atrium.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atrium.events.Addresses;
import dev.atrium.support.Accounts;
import dev.atrium.support.Http;
import dev.atrium.support.Poll;
import dev.atrium.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every files behaviour, run on each storage backend: {@link FilesApiLocalTest} (the data
 * directory) and {@link FilesApiS3Test} (S3Proxy). The concrete class starts the node and hands
 * it over with {@link #use}.
 */
abstract class FilesApiTest {
  static final long MB = 1024 * 1024;
  static final Map<String, String> SETTINGS = Map.of("ATRIUM_MAX_FILE_SIZE", "1MB", "ATRIUM_USER_QUOTA", "3MB",
      "ATRIUM_UPLOADS_PER_USER", "10");
  static TestServer server;
  /** The S3 server of the S3 run; null on the local file system. */
  static S3Proxy s3;
  static final List<JsonObject> uploaded = new CopyOnWriteArrayList<>();
  static final List<JsonObject> processed = new CopyOnWriteArrayList<>();

  /** Where the store keeps an object's bytes, for checking that they are there or gone. */
  static Path stored(String key) {
    return s3 == null ? server.dataDir().resolve("files").resolve(key) : s3.object(key);
  }

  static void use(TestServer node, S3Proxy proxy) {
    server = node;
    s3 = proxy;
    uploaded.clear();
    processed.clear();
    var bus = server.application().vertx().eventBus();
    bus.<JsonObject>localConsumer(Addresses.FILE_UPLOADED, m -> uploaded.add(m.body()));
    bus.<JsonObject>localConsumer(Addresses.FILE_PROCESSED, m -> processed.add(m.body()));
  }

  // ------------------------------------------------------------------ helpers

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static HttpResponse<byte[]> upload(String token, List<Multipart.Part> parts) {
    Multipart m = new Multipart();
    return Multipart.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/files/upload-batch"))
        .header("Authorization", "Bearer " + token).header("Content-Type", m.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(m.body(parts))));
  }

  /** Posts a hand-made body to upload-batch. */
  static HttpResponse<byte[]> uploadRaw(String token, String contentType, byte[] body) {
    return Multipart.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/files/upload-batch"))
        .header("Authorization", "Bearer " + token).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  static void assertMalformed(HttpResponse<byte[]> r) {
    assertEquals(400, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    assertEquals("malformed_multipart", json(r).getString("code"));
  }

  static JsonArray uploadOk(String token, List<Multipart.Part> parts) {
    HttpResponse<byte[]> r = upload(token, parts);
    assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8)).getJsonArray("results");
  }

  static String uploadOne(String token, String name, String type, byte[] data) {
    JsonObject result = uploadOk(token, List.of(Multipart.Part.file(name, type, data))).getJsonObject(0);
    assertEquals("success", result.getString("status"), result::encode);
    return result.getString("file_id");
  }

  static HttpResponse<byte[]> get(String path, String token, String... headers) {
    HttpRequest.Builder b = Multipart.get(server.baseUrl() + path, token);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return Multipart.send(b);
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body(), StandardCharsets.UTF_8));
  }

  static long tmpFiles() {
    return FilesApiTestSupport.tmpFiles(server);
  }

  static long rows(String owner) {
    return (Long) server.sql("SELECT count(*) AS n FROM files WHERE owner_id = ?::uuid", owner).get(0).get("n");
  }

  static long used(String owner) {
    return FilesApiTestSupport.used(server, owner);
  }

  static byte[] png(int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < w; x++) {
      img.setRGB(x, h / 2, 0xFF8800);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  /** A valid PNG header announcing 10000 × 10000 pixels (100 MP) with almost no data behind it. */
  static byte[] bombPng() {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(10_000).putInt(10_000).put((byte) 8).put((byte) 2)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  static JsonObject awaitProcessed(String token, String id) {
    return Poll.value(Duration.ofSeconds(20), "file " + id + " is processed",
        () -> json(get("/api/files/" + id, token)), f -> !"processing".equals(f.getString("status")));
  }

  // ------------------------------------------------------------------ tests

  @Test
  @DisplayName("a batch with one oversized file stores the others, which download byte for byte with their SHA-256")
  void batchWithOversized() {
    Accounts.Login a = Accounts.registerAndLogin(server, "batch");
    byte[] text = "hello, files\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    byte[] big = random((int) MB + 1, 1);
    byte[] bin = random(300_000, 2);
    JsonArray results = uploadOk(a.access(), List.of(
        Multipart.Part.file("notes.txt", "text/plain", text),
        Multipart.Part.file("big.bin", "application/octet-stream", big),
        Multipart.Part.file("../../etc/data.bin", "image/png", bin)));
    assertEquals(3, results.size(), results::encode);
    JsonObject t = results.getJsonObject(0);
    assertEquals("success", t.getString("status"));
    assertEquals("notes.txt", t.getString("filename"));
    assertEquals(text.length, t.getLong("size"));
    assertEquals("text/plain", t.getString("content_type"));
    assertEquals(Multipart.sha256(text), t.getString("sha256"));
    JsonObject b = results.getJsonObject(1);
    assertEquals("error", b.getString("status"));
    assertEquals("file_too_large", b.getString("code"));
    assertEquals("big.bin", b.getString("filename"));
    JsonObject d = results.getJsonObject(2);
    assertEquals("success", d.getString("status"));
    assertEquals("data.bin", d.getString("filename"), "path parts are dropped");
    assertEquals("application/octet-stream", d.getString("content_type"), "the declared image/png is not trusted");

    assertEquals(2, rows(a.userId()));
    assertEquals(text.length + bin.length, used(a.userId()));
    var stored = server.sql("SELECT storage_key, sha256, size FROM files WHERE id = ?::uuid", d.getString("file_id"));
    String key = (String) stored.get(0).get("storage_key");
    assertTrue(key.matches("[0-9a-f]{2}/[0-9a-f]{2}/" + d.getString("file_id")), key);
    Path onDisk = stored(key);
    assertTrue(Files.exists(onDisk));
    Poll.until(Duration.ofSeconds(5), "no temporary file is left", () -> tmpFiles() == 0);
    Poll.until(Duration.ofSeconds(5), "file.uploaded is published for both", () -> uploaded.stream()
        .filter(e -> a.userId().equals(e.getString("owner_id"))).count() == 2);

    HttpResponse<byte[]> dl = get("/api/files/download/" + d.getString("file_id"), a.access());
    assertEquals(200, dl.statusCode());
    assertArrayEquals(bin, dl.body());
    assertEquals(Multipart.sha256(bin), Multipart.sha256(dl.body()));
    assertEquals("\"" + Multipart.sha256(bin) + "\"", dl.headers().firstValue("ETag").orElseThrow());
    assertEquals("bytes", dl.headers().firstValue("Accept-Ranges").orElseThrow());
    assertEquals(Long.toString(bin.length), dl.headers().firstValue("Content-Length").orElseThrow());
    assertEquals("nosniff", dl.headers().firstValue("X-Content-Type-Options").orElseThrow());
    assertEquals("attachment; filename=\"data.bin\"", dl.headers().firstValue("Content-Disposition").orElseThrow());
    HttpResponse<byte[]> txt = get("/api/files/download/" + t.getString("file_id"), a.access());
    assertArrayEquals(text, txt.body());
    assertEquals("text/plain; charset=utf-8", txt.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(server.http().get("/metrics").body().contains("outcome=\"file_too_large\""), "counted in /metrics");
  }

  @Test
  @DisplayName("HTML is served as an attachment even when inline is asked; safe types may be inline; non-ASCII names use filename*")
  void dispositions() throws IOException {
    Accounts.Login a = Accounts.registerAndLogin(server, "disp");
    String html = uploadOne(a.access(), "page.html", "text/html",
        "<!doctype html><script>alert(1)</script>".getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> h = get("/api/files/download/" + html + "?disposition=inline", a.access());
    assertEquals(200, h.statusCode());
    assertEquals("attachment; filename=\"page.html\"", h.headers().firstValue("Content-Disposition").orElseThrow());
    assertEquals("text/html; charset=utf-8", h.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(h.headers().firstValue("Content-Security-Policy").orElseThrow().contains("sandbox"));
    String svg = uploadOne(a.access(), "logo.png", "image/png",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> s = get("/api/files/download/" + svg + "?disposition=inline", a.access());
    assertEquals("image/svg+xml", s.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(s.headers().firstValue("Content-Disposition").orElseThrow().startsWith("attachment"));
    String pic = uploadOne(a.access(), "отчёт.png", "image/png", png(4, 4));
    HttpResponse<byte[]> p = get("/api/files/download/" + pic + "?disposition=inline", a.access());
    assertEquals("inline; filename=\"_____.png\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.png",
        p.headers().firstValue("Content-Disposition").orElseThrow());
  }

  @Test
  @DisplayName("single ranges answer 206 with the exact bytes; unsatisfiable is 416; several ranges or garbage get the whole file")
  void ranges() {
    Accounts.Login a = Accounts.registerAndLogin(server, "range");
    byte[] data = random(10_000, 3);
    String id = uploadOne(a.access(), "r.bin", null, data);
    String path = "/api/files/download/" + id;

    HttpResponse<byte[]> first = get(path, a.access(), "Range", "bytes=0-99");
    assertEquals(206, first.statusCode());
    assertArrayEquals(Arrays.copyOfRange(data, 0, 100), first.body());
    assertEquals("bytes 0-99/10000", first.headers().firstValue("Content-Range").orElseThrow());
    assertEquals("100", first.headers().firstValue("Content-Length").orElseThrow());

    HttpResponse<byte[]> last = get(path, a.access(), "Range", "bytes=-100");
    assertEquals(206, last.statusCode());
    assertArrayEquals(Arrays.copyOfRange(data, 9900, 10_000), last.body());
    assertEquals("bytes 9900-9999/10000", last.headers().firstValue("Content-Range").orElseThrow());

    HttpResponse<byte[]> middle = get(path, a.access(), "Range", "bytes=5000-5099");
    assertEquals(206, middle.statusCode());
    assertArrayEquals(Arrays.copyOfRange(data, 5000, 5100), middle.body());

    HttpResponse<byte[]> beyond = get(path, a.access(), "Range", "bytes=10000-");
    assertEquals(416, beyond.statusCode());
    assertEquals("bytes */10000", beyond.headers().firstValue("Content-Range").orElseThrow());
    assertEquals("range_not_satisfiable", json(beyond).getString("code"));

    for (String h : new String[] {"bytes=0-1,5-6", "bytes=abc", "lines=1-2"}) {
      HttpResponse<byte[]> whole = get(path, a.access(), "Range", h);
      assertEquals(200, whole.statusCode(), h);
      assertArrayEquals(data, whole.body(), h);
    }
    HttpResponse<byte[]> staleIfRange = get(path, a.access(), "Range", "bytes=0-9", "If-Range", "\"other\"");
    assertEquals(200, staleIfRange.statusCode());
  }

  @Test
  @DisplayName("a matching If-None-Match answers 304 without a body; another ETag gets the file")
  void notModified() {
    Accounts.Login a = Accounts.registerAndLogin(server, "etag");
    byte[] data = random(2000, 4);
    String id = uploadOne(a.access(), "e.bin", null, data);
    String etag = "\"" + Multipart.sha256(data) + "\"";
    HttpResponse<byte[]> same = get("/api/files/download/" + id, a.access(), "If-None-Match", "\"x\", " + etag);
    assertEquals(304, same.statusCode());
    assertEquals(0, same.body().length);
    assertEquals(etag, same.headers().firstValue("ETag").orElseThrow());
    HttpResponse<byte[]> other = get("/api/files/download/" + id, a.access(), "If-None-Match", "\"nope\"");
    assertEquals(200, other.statusCode());
    assertArrayEquals(data, other.body());
  }

  @Test
  @DisplayName("another user's file is 404 everywhere (never 403), while files.manage_all reaches it")
  void othersFiles() {
    Accounts.Login a = Accounts.registerAndLogin(server, "owner");
    Accounts.Login b = Accounts.registerAndLogin(server, "other");
    Accounts.Login admin = Accounts.admin(server);
    String id = uploadOne(a.access(), "mine.txt", "text/plain", "secret".getBytes(StandardCharsets.UTF_8));
    for (String path : List.of("/api/files/" + id, "/api/files/download/" + id, "/api/files/" + id + "/thumbnail")) {
      HttpResponse<byte[]> r = get(path, b.access());
      assertEquals(404, r.statusCode(), path);
      assertEquals("not_found", json(r).getString("code"), path);
    }
    Http.Res del = server.http().bearer(b.access()).delete("/api/files/" + id);
    assertEquals(404, del.status());
    assertEquals(1, rows(a.userId()), "B's delete removed nothing");
    Http.Res listB = server.http().bearer(b.access()).get("/api/files");
    assertEquals(0, listB.json().getInteger("count"));
    assertEquals(403, server.http().bearer(b.access()).get("/api/files?owner_id=" + a.userId()).status());
    assertEquals(403, server.http().bearer(b.access()).get("/api/files?all=true").status());
    assertEquals(401, get("/api/files/download/" + id, null).statusCode());

    assertEquals(200, get("/api/files/download/" + id, admin.access()).statusCode());
    Http.Res listAdmin = server.http().bearer(admin.access()).get("/api/files?owner_id=" + a.userId());
    assertEquals(200, listAdmin.status(), listAdmin::toString);
    assertEquals(1, listAdmin.json().getInteger("count"));
    assertEquals(id, listAdmin.json().getJsonArray("results").getJsonObject(0).getString("id"));
    Http.Res listA = server.http().bearer(a.access()).get("/api/files?page_size=1");
    assertEquals(1, listA.json().getInteger("count"));
    assertNull(listA.json().getValue("next"));
  }

  @Test
  @DisplayName("a signed link downloads without a header and fails with 403 once tampered with or expired")
  void signedLinks() throws IOException {
    Accounts.Login a = Accounts.registerAndLogin(server, "link");
    byte[] data = random(5000, 5);
    String id = uploadOne(a.access(), "linked.bin", null, data);
    String other = uploadOne(a.access(), "other.bin", null, random(10, 6));
    JsonObject meta = server.http().bearer(a.access()).get("/api/files/" + id).json();
    String url = meta.getString("download_url");
    assertTrue(url.startsWith("/api/files/download/" + id + "?expires="), url);

    HttpResponse<byte[]> ok = get(url, null);
    assertEquals(200, ok.statusCode());
    assertArrayEquals(data, ok.body());

    String sig = url.substring(url.indexOf("sig=") + 4);
    String tampered = url.substring(0, url.indexOf("sig=") + 4) + (sig.charAt(0) == 'A' ? 'B' : 'A') + sig.substring(1);
    HttpResponse<byte[]> bad = get(tampered, null);
    assertEquals(403, bad.statusCode());
    assertEquals("link_invalid", json(bad).getString("code"));
    HttpResponse<byte[]> otherFile = get(url.replace(id, other), null);
    assertEquals(403, otherFile.statusCode());
    String longer = url.replaceFirst("expires=(\\d+)", "expires=9$1");
    assertEquals(403, get(longer, null).statusCode());

    byte[] key = java.util.Base64.getDecoder().decode((String) server.sql(
        "SELECT material FROM signing_keys WHERE purpose = 'link' ORDER BY activates_at DESC LIMIT 1").get(0).get("material"));
    SignedLinks links = new SignedLinks(() -> List.of(key), Duration.ofSeconds(1), Clock.systemUTC());
    long past = System.currentTimeMillis() / 1000 - 10;
    HttpResponse<byte[]> expired = get("/api/files/download/" + id + "?expires=" + past + "&sig="
        + links.sign(SignedLinks.Kind.DOWNLOAD, id, past), null);
    assertEquals(403, expired.statusCode());
    assertEquals("link_expired", json(expired).getString("code"));
  }

  @Test
  @DisplayName("a PNG gets its dimensions and a 256 px thumbnail, turns ready, and file.processed is published")
  void thumbnail() throws IOException {
    Accounts.Login a = Accounts.registerAndLogin(server, "thumb");
    String id = uploadOne(a.access(), "photo.png", "image/png", png(600, 400));
    JsonObject f = awaitProcessed(a.access(), id);
    assertEquals("ready", f.getString("status"), f::encode);
    assertEquals(600, f.getInteger("width"));
    assertEquals(400, f.getInteger("height"));
    assertEquals("image/png", f.getString("content_type"));
    String thumbUrl = f.getString("thumbnail_url");
    assertNotNull(thumbUrl);
    HttpResponse<byte[]> t = get(thumbUrl, null);
    assertEquals(200, t.statusCode());
    assertEquals("image/png", t.headers().firstValue("Content-Type").orElseThrow());
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(t.body()));
    assertEquals(256, img.getWidth());
    assertEquals(171, img.getHeight());
    assertEquals(true, server.sql("SELECT has_thumbnail FROM files WHERE id = ?::uuid", id).get(0).get("has_thumbnail"));
    Poll.until(Duration.ofSeconds(5), "file.processed is published", () -> processed.stream()
        .anyMatch(e -> id.equals(e.getString("file_id")) && "ready".equals(e.getString("status"))
            && e.getInteger("width") == 600));
    HttpResponse<byte[]> plain = get("/api/files/" + uploadOne(a.access(), "n.txt", null,
        "x".getBytes(StandardCharsets.UTF_8)) + "/thumbnail", a.access());
    assertEquals(404, plain.statusCode());
  }

  @Test
  @DisplayName("a file whose outcome was never recorded (left processing by a PostgreSQL blip) is processed again"
      + " by the sweep, without a restart")
  void stuckFileIsTakenUpAgain() throws IOException {
    Accounts.Login a = Accounts.registerAndLogin(server, "stuck");
    String id = uploadOne(a.access(), "late.png", "image/png", png(300, 200));
    assertEquals("ready", awaitProcessed(a.access(), id).getString("status"));
    server.sql("UPDATE files SET status = 'processing', width = NULL, height = NULL,"
        + " created_at = now() - interval '11 minutes' WHERE id = ?::uuid", id);

    JsonObject f = awaitProcessed(a.access(), id);
    assertEquals("ready", f.getString("status"), f::encode);
    assertEquals(300, f.getInteger("width"));
  }

  @Test
  @DisplayName("a PNG announcing 100 megapixels is marked failed from its header, with no thumbnail")
  void decompressionBomb() {
    Accounts.Login a = Accounts.registerAndLogin(server, "bomb");
    String id = uploadOne(a.access(), "bomb.png", "image/png", bombPng());
    JsonObject f = awaitProcessed(a.access(), id);
    assertEquals("failed", f.getString("status"), f::encode);
    assertEquals("image_too_large", f.getString("error"));
    assertNull(f.getValue("thumbnail_url"));
    assertFalse(Files.exists(stored(FileStore.thumbnailKey(FileStore.storageKey(java.util.UUID.fromString(id))))));
    assertEquals(404, get("/api/files/" + id + "/thumbnail", a.access()).statusCode());
  }

  @Test
  @DisplayName("an 11th file refuses the whole request with 400 and stores nothing")
  void tooManyFiles() {
    Accounts.Login a = Accounts.registerAndLogin(server, "eleven");
    List<Multipart.Part> parts = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      parts.add(Multipart.Part.file("f" + i + ".bin", null, random(20_000, i)));
    }
    HttpResponse<byte[]> r = upload(a.access(), parts);
    assertEquals(400, r.statusCode());
    assertEquals("too_many_files", json(r).getString("code"));
    assertEquals(0, rows(a.userId()));
    assertEquals(0, used(a.userId()));
    Poll.until(Duration.ofSeconds(5), "the temporary files are removed", () -> tmpFiles() == 0);
    assertEquals(10, uploadOk(a.access(), parts.subList(0, 10)).size(), "ten are fine");
    List<Multipart.Part> small = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      small.add(Multipart.Part.file("s" + i + ".bin", null, random(2_000, i)));
    }
    for (int round = 0; round < 20; round++) { // part ends racing the request end must not look truncated
      JsonArray r10 = uploadOk(a.access(), small);
      assertEquals(10, r10.stream().filter(o -> "success".equals(((JsonObject) o).getString("status"))).count());
    }
  }

  @Test
  @DisplayName("bad uploads are refused with problem+json: not multipart, no files field, truncated body, no token")
  void badUploads() {
    Accounts.Login a = Accounts.registerAndLogin(server, "bad");
    Http.Res json = server.http().bearer(a.access()).post("/api/files/upload-batch", new JsonObject().put("a", 1));
    assertEquals(415, json.status(), json::toString);
    assertEquals("unsupported_media_type", json.code());

    HttpResponse<byte[]> noFiles = upload(a.access(), List.of(new Multipart.Part("note", null, null,
        "hi".getBytes(StandardCharsets.UTF_8))));
    assertEquals(400, noFiles.statusCode());
    assertEquals("missing_files", json(noFiles).getString("code"));
    HttpResponse<byte[]> wrongField = upload(a.access(), List.of(new Multipart.Part("file", "a.txt", null,
        "hi".getBytes(StandardCharsets.UTF_8))));
    assertEquals(400, wrongField.statusCode());

    Multipart m = new Multipart();
    byte[] whole = m.body(List.of(Multipart.Part.file("t.bin", null, random(200_000, 7))));
    byte[] cut = Arrays.copyOf(whole, 100_000);
    assertMalformed(uploadRaw(a.access(), m.contentType(), cut));

    // a part without headers after a whole file: Netty's decoder refuses the body, and the
    // request is the client's error (400), with the file it had begun discarded
    int unclosed = whole.length - m.closing().length;
    byte[] tail = ("--" + m.boundary + "\r\n\r\nno headers\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] headerless = Arrays.copyOf(whole, unclosed + tail.length + m.closing().length);
    System.arraycopy(tail, 0, headerless, unclosed, tail.length);
    System.arraycopy(m.closing(), 0, headerless, unclosed + tail.length, m.closing().length);
    assertMalformed(uploadRaw(a.access(), m.contentType(), headerless));

    // a part's headers, or the text before the first part, beyond the decoder's limits
    for (String raw : List.of(
        "--" + m.boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + "a".repeat(200_000)
            + "\"\r\n\r\nabc\r\n--" + m.boundary + "--\r\n",
        "x".repeat(100_000) + "\r\n--" + m.boundary + "--\r\n")) {
      assertMalformed(uploadRaw(a.access(), m.contentType(), raw.getBytes(StandardCharsets.US_ASCII)));
    }

    HttpResponse<byte[]> anonymous = Multipart.send(HttpRequest.newBuilder(
            URI.create(server.baseUrl() + "/api/files/upload-batch"))
        .header("Content-Type", m.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(whole)));
    assertEquals(401, anonymous.statusCode());

    assertEquals(0, rows(a.userId()));
    Poll.until(Duration.ofSeconds(5), "no temporary file is left", () -> tmpFiles() == 0);

    assertEquals(400, get("/api/files/not-a-uuid", a.access()).statusCode());
    assertEquals(400, get("/api/files/download/123", a.access()).statusCode());
    assertEquals(404, get("/api/files/00000000-0000-4000-8000-000000000000", a.access()).statusCode());
  }

  @Test
  @DisplayName("a multipart Content-Type Netty cannot read (empty boundary, unknown charset) is 400 malformed_multipart and gives back its upload slot and quota")
  void unreadableMultipartType() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "mptype");
    byte[] body = new Multipart().body(List.of(Multipart.Part.file("a.txt", null, "abc".getBytes(StandardCharsets.UTF_8))));
    // More refusals than the user's 10 upload slots here: a refusal that kept its slot would
    // leave the last ones, and the upload after them, at 429 (before the fix they never ended).
    for (int i = 0; i < 6; i++) {
      for (String type : List.of("multipart/form-data; boundary=", "multipart/form-data; boundary=xb; charset=bogus")) {
        HttpResponse<byte[]> r = Multipart.CLIENT.sendAsync(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/files/upload-batch"))
                    .header("Authorization", "Bearer " + a.access()).header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertMalformed(r);
      }
    }
    assertEquals(0L, server.http().bearer(a.access()).get("/api/files/quota").json().getLong("used_bytes"));
    uploadOne(a.access(), "after.txt", "text/plain", "fine".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("an empty file is stored with 0 bytes; a part without a file name (no file chosen) is skipped")
  void emptyFiles() {
    Accounts.Login a = Accounts.registerAndLogin(server, "empty");
    JsonArray r = uploadOk(a.access(), List.of(Multipart.Part.file("empty.txt", "text/plain", new byte[0]),
        Multipart.Part.file("", "application/octet-stream", new byte[0])));
    assertEquals(1, r.size(), r::encode);
    assertEquals(0, r.getJsonObject(0).getLong("size"));
    assertEquals(Multipart.sha256(new byte[0]), r.getJsonObject(0).getString("sha256"));
    HttpResponse<byte[]> dl = get("/api/files/download/" + r.getJsonObject(0).getString("file_id"), a.access());
    assertEquals(200, dl.statusCode());
    assertEquals(0, dl.body().length);
  }

  @Test
  @DisplayName("the quota refuses files that do not fit, lets smaller ones through, and holds under concurrent uploads")
  void quota() {
    Accounts.Login a = Accounts.registerAndLogin(server, "quota");
    int chunk = 900 * 1024;
    uploadOk(a.access(), List.of(Multipart.Part.file("1", null, random(chunk, 1)),
        Multipart.Part.file("2", null, random(chunk, 2)), Multipart.Part.file("3", null, random(chunk, 3))));
    JsonArray r = uploadOk(a.access(), List.of(Multipart.Part.file("4", null, random(chunk, 4)),
        Multipart.Part.file("5", null, random(200 * 1024, 5))));
    assertEquals("quota_exceeded", r.getJsonObject(0).getString("code"), r::encode);
    assertEquals("success", r.getJsonObject(1).getString("status"), r::encode);
    assertEquals(3L * chunk + 200 * 1024, used(a.userId()));

    Accounts.Login c = Accounts.registerAndLogin(server, "race");
    int size = 800 * 1024;
    List<CompletableFuture<JsonArray>> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int seed = i;
      all.add(CompletableFuture.supplyAsync(() -> uploadOk(c.access(),
          List.of(Multipart.Part.file("c" + seed, null, random(size, seed))))));
    }
    long ok = all.stream().map(CompletableFuture::join)
        .filter(res -> "success".equals(res.getJsonObject(0).getString("status"))).count();
    assertEquals(3, ok, "3 × 800 KB fit in 3 MB, a 4th does not");
    assertEquals(3L * size, used(c.userId()));
    assertEquals(3, rows(c.userId()));
    Poll.until(Duration.ofSeconds(5), "no temporary file is left", () -> tmpFiles() == 0);
  }

  @Test
  @DisplayName("delete removes the row, the bytes and the quota charge; the file is then 404")
  void delete() {
    Accounts.Login a = Accounts.registerAndLogin(server, "del");
    String id = uploadOne(a.access(), "gone.bin", null, random(4096, 9));
    String key = (String) server.sql("SELECT storage_key FROM files WHERE id = ?::uuid", id).get(0).get("storage_key");
    Path onDisk = stored(key);
    assertTrue(Files.exists(onDisk));
    assertEquals(4096, used(a.userId()));
    Http.Res del = server.http().bearer(a.access()).delete("/api/files/" + id);
    assertEquals(204, del.status(), del::toString);
    assertEquals(0, rows(a.userId()));
    assertEquals(0, used(a.userId()));
    assertFalse(Files.exists(onDisk));
    assertEquals(404, get("/api/files/download/" + id, a.access()).statusCode());
  }

  @Test
  @DisplayName("an administrator deleting someone's file is audited in the same change; an owner's own delete is not")
  void adminDeleteAudited() {
    Accounts.Login a = Accounts.registerAndLogin(server, "audited");
    Accounts.Login admin = Accounts.admin(server);
    String own = uploadOne(a.access(), "own.bin", null, random(100, 3));
    String theirs = uploadOne(a.access(), "theirs.bin", null, random(200, 4));
    assertEquals(204, server.http().bearer(a.access()).delete("/api/files/" + own).status());
    Http.Res del = server.http().bearer(admin.access()).delete("/api/files/" + theirs);
    assertEquals(204, del.status(), del::toString);
    Http.Res audit = server.http().bearer(admin.access()).get("/api/audit-log?action=file.delete");
    assertEquals(200, audit.status(), audit::toString);
    List<JsonObject> entries = audit.json().getJsonArray("results").stream().map(JsonObject.class::cast)
        .filter(e -> List.of(own, theirs).contains(e.getString("target_id"))).toList();
    assertEquals(1, entries.size(), audit::toString);
    JsonObject entry = entries.get(0);
    assertEquals(theirs, entry.getString("target_id"));
    assertEquals("file", entry.getString("target_type"));
    assertEquals(admin.userId(), entry.getString("actor_id"));
    assertEquals(a.userId(), entry.getJsonObject("changes").getString("owner_id"));
    assertEquals("theirs.bin", entry.getJsonObject("changes").getString("filename"));
    assertEquals(0, rows(a.userId()));
  }

  @Test
  @DisplayName("a chunked body (no Content-Length) that grows past the batch limit is cut off with 413, nothing stored")
  void chunkedTooLarge() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "chunked");
    Multipart m = new Multipart();
    byte[] body = m.body(List.of(Multipart.Part.file("ok.bin", null, random(1000, 1)),
        new Multipart.Part("other", "filler.bin", null, new byte[12 * 1024 * 1024])));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/files/upload-batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + a.access()
          + "\r\nContent-Type: " + m.contentType() + "\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      // The body is written on another thread while this one reads, so the answer is read as
      // soon as it arrives, whenever the node cuts the upload off.
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeChunked(out, body));
      String head = readHead(s.getInputStream());
      assertTrue(head.startsWith("HTTP/1.1 413 "), head);
      assertTrue(head.contains("payload_too_large"), head);
      writer.handle((v, t) -> null).join();
    }
    assertEquals(0, rows(a.userId()));
    Poll.until(Duration.ofSeconds(5), "no temporary file is left", () -> tmpFiles() == 0);
  }

  private static void writeChunked(OutputStream out, byte[] body) {
    try {
      for (int off = 0; off < body.length; off += 64 * 1024) {
        int n = Math.min(64 * 1024, body.length - off);
        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body, off, n);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException cutOff) {
      // expected: the node closes the connection once it has answered 413
    }
  }

  /** The status line, headers and (Content-Length) body of one response, as text. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    int length = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return seen.toString(StandardCharsets.UTF_8);
      }
      seen.write(b);
      String text = seen.toString(StandardCharsets.UTF_8);
      if (length < 0 && text.endsWith("\r\n\r\n")) {
        length = text.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
            .map(l -> Integer.parseInt(l.substring(15).trim())).findFirst().orElse(0);
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
      }
    }
  }

  @Test
  @DisplayName("deleting a user (rows cascade) removes their files' bytes and thumbnails from disk")
  void deletedUsersBytes() throws IOException {
    Accounts.Login a = Accounts.registerAndLogin(server, "leaver");
    String id = uploadOne(a.access(), "p.png", "image/png", png(300, 300));
    awaitProcessed(a.access(), id);
    Path bytes = stored(FileStore.storageKey(java.util.UUID.fromString(id)));
    Path thumb = stored(FileStore.thumbnailKey(FileStore.storageKey(java.util.UUID.fromString(id))));
    assertTrue(Files.exists(bytes) && Files.exists(thumb));
    server.sql("DELETE FROM users WHERE id = ?::uuid", a.userId());
    Poll.until(Duration.ofSeconds(20), "the bytes and the thumbnail are removed",
        () -> !Files.exists(bytes) && !Files.exists(thumb));
    Poll.until(Duration.ofSeconds(5), "the purge queue is drained", () -> server.sql(
        "SELECT 1 FROM file_purges WHERE file_id = ?::uuid", id).isEmpty());
  }

  @Test
  @DisplayName("a client that disconnects mid-upload leaves no temporary file, no row and no quota")
  void disconnect() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "cut");
    Multipart m = new Multipart();
    byte[] head = m.partHeader(Multipart.Part.file("half.bin", null, new byte[0]));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/files/upload-batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + a.access()
          + "\r\nContent-Type: " + m.contentType() + "\r\nContent-Length: 1000000\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(head);
      out.write(random(400_000, 10));
      out.flush();
      // local: a temporary file; S3: the part is in memory, so the sign is the quota reservation
      Poll.until(Duration.ofSeconds(10), "the upload is being received",
          () -> s3 == null ? tmpFiles() == 1 : used(a.userId()) > 0);
    }
    Poll.until(Duration.ofSeconds(10), "the temporary file is removed", () -> tmpFiles() == 0);
    assertEquals(0, rows(a.userId()));
    assertEquals(0, used(a.userId()));
    assertEquals(200, server.http().bearer(a.access()).get("/health/live").status(), "the server is fine");
  }

  @Test
  @DisplayName("a declared body over the batch limit is refused with 413 before any byte is stored")
  void declaredTooLarge() throws Exception {
    Accounts.Login a = Accounts.registerAndLogin(server, "huge");
    Multipart m = new Multipart();
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/files/upload-batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + a.access()
          + "\r\nContent-Type: " + m.contentType() + "\r\nContent-Length: " + (20 * MB) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(m.partHeader(Multipart.Part.file("x.bin", null, new byte[0])));
      out.flush();
      // The answer comes from the declared length alone, before any of the body is read; a body
      // written now could meet the closed connection (broken pipe) before the answer is read.
      InputStream in = s.getInputStream();
      String response = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 413", response);
    }
    assertEquals(0, tmpFiles());
    assertEquals(0, rows(a.userId()));
  }
}
