package dev.eve4j.servlet.channel;

import static dev.eve4j.servlet.channel.Http.j;
import static dev.eve4j.servlet.channel.Http.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.channel.ChannelOptions;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.servlet.channel.Http.Res;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inbound files over HTTP on a real Jetty: {@code POST /files}, attaching, the signed {@code GET
 * /files/{id}} without a key, {@code POST /files/{id}/resolve}, expiry by the channel's clock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InboundFilesHttpTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Http.TIMEOUT).build();
  private static final byte[] PDF = "%PDF-1.4 the quarterly report".getBytes(StandardCharsets.UTF_8);
  private static final int LIMIT = 256 * 1024;

  @TempDir
  Path dir;

  private TestClock clock;
  private ChannelTestServer server;
  private OperatorChannel channel;
  private String key;

  @BeforeEach
  void start() {
    clock = new TestClock(Instant.parse("2026-06-01T09:00:00Z"));
    channel = OperatorChannel.open(EventJournal.inMemory(), ChannelOptions.defaults().withClock(clock)
        .withFilesDir(dir.resolve("files")).withMaxFileBytes(LIMIT));
    server = ChannelTestServer.start(channel, ChannelServletOptions.defaults());
    key = channel.createKey(channel.defaultWorkspace().id(), "agent", Scope.all()).secret();
  }

  @AfterEach
  void stop() {
    server.close();
    channel.close();
  }

  private Res post(String path, String body, String... headers) {
    return send(server.api(path), "POST", key, body == null ? null : j(body), headers);
  }

  private Res get(String path) {
    return send(server.api(path), "GET", key, null);
  }

  /** {@code POST /files?filename=} with raw bytes (chunked when {@code chunked}, else with a Content-Length). */
  private Res upload(String filename, String contentType, byte[] bytes, boolean chunked) {
    HttpRequest.BodyPublisher body = chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(
        bytes)) : HttpRequest.BodyPublishers.ofByteArray(bytes);
    HttpRequest r = HttpRequest.newBuilder(server.api("/files?filename=" + java.net.URLEncoder.encode(filename,
        StandardCharsets.UTF_8))).timeout(Http.TIMEOUT).header("Authorization", "Bearer " + key)
        .header("Content-Type", contentType).POST(body).build();
    try {
      HttpResponse<String> res = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
      return new Res(res.statusCode(), res);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String uploaded(String filename, String contentType, byte[] bytes) {
    Res r = upload(filename, contentType, bytes, false);
    assertEquals(201, r.status(), r.toString());
    return r.json().get("fileId").getAsString();
  }

  /** A GET of a downloadUrl (a path here: no publicUrl is configured), without any Authorization. */
  private HttpResponse<byte[]> download(String downloadUrl) {
    HttpRequest r = HttpRequest.newBuilder(URI.create(server.base() + downloadUrl)).timeout(Http.TIMEOUT).GET()
        .build();
    try {
      return CLIENT.send(r, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private JsonArray messages(String vessel) {
    return get("/vessels/by-external/" + vessel + "/messages").json().getAsJsonArray("messages");
  }

  @Test
  void uploadAttachPollDownloadResolveOverHttp() {
    assertEquals(200, post("/push", "{'vessel':'booking-123','message':'Send me the report'}").status());
    Res up = upload("report 2026 – Q1.pdf", "application/pdf", PDF, false);
    assertEquals(201, up.status(), up.toString());
    JsonObject u = up.json();
    String id = u.get("fileId").getAsString();
    assertEquals(JsonParser.parseString(j("{'ok':true,'fileId':'" + id + "','filename':'report 2026 – Q1.pdf',"
        + "'type':'file','contentType':'application/pdf','size':" + PDF.length + ",'expiresAt':"
        + "'2026-06-01T10:00:00.000Z'}")), u);
    assertArrayEquals(PDF, readFile(id));

    assertEquals(201, post("/vessels/by-external/booking-123/messages", "{'content':'here','attachments':['" + id
        + "']}").status());
    JsonObject event = get("/poll?ack=true").json().getAsJsonArray("events").get(0).getAsJsonObject();
    JsonObject att = event.getAsJsonArray("attachments").get(0).getAsJsonObject();
    assertEquals(id, att.get("fileId").getAsString());
    String url = att.get("downloadUrl").getAsString();
    assertTrue(url.startsWith("/api/v1/files/" + id + "?expires="), url);

    HttpResponse<byte[]> d = download(url);
    assertEquals(200, d.statusCode());
    assertArrayEquals(PDF, d.body());
    assertEquals("application/pdf", d.headers().firstValue("content-type").orElse(null));
    assertEquals("attachment; filename=\"report 2026 _ Q1.pdf\"; filename*=UTF-8''report%202026%20%E2%80%93%20Q1.pdf",
        d.headers().firstValue("content-disposition").orElse(null));
    assertEquals("nosniff", d.headers().firstValue("x-content-type-options").orElse(null));
    assertEquals("private, no-store", d.headers().firstValue("cache-control").orElse(null));

    JsonObject info = get("/files/" + id).json();
    assertEquals("attached", info.get("status").getAsString());
    assertEquals(200, download(info.get("downloadUrl").getAsString()).statusCode(), "a fresh link for a key");
    assertEquals(401, send(server.api("/files/" + id), "GET", null, null).status(), "no sig: a key is needed");

    Res resolved = post("/files/" + id + "/resolve", "{'url':'https://files.example.com/r/report.pdf'}",
        "Idempotency-Key", "resolve-" + id);
    assertEquals(j("{'ok':true,'replayed':false}"), resolved.raw().body());
    JsonObject shown = messages("booking-123").get(1).getAsJsonObject().getAsJsonArray("attachments").get(0)
        .getAsJsonObject();
    assertEquals(JsonParser.parseString(j("{'type':'file','filename':'report 2026 – Q1.pdf','url':"
        + "'https://files.example.com/r/report.pdf'}")), shown);
    assertFalse(Files.exists(dir.resolve("files").resolve(id)), "the transient copy is deleted");
    HttpResponse<byte[]> gone = download(url);
    assertEquals(410, gone.statusCode());
    assertEquals(j("{'ok':false,'error':'File already resolved: the transient copy is deleted'}"), text(gone));
    assertEquals(j("{'ok':true,'replayed':true}"), post("/files/" + id + "/resolve",
        "{'url':'https://elsewhere.example.com/x'}").raw().body());
    Res keyed = post("/files/" + id + "/resolve", "{'url':'https://files.example.com/r/report.pdf'}",
        "Idempotency-Key", "resolve-" + id);
    assertEquals("true", keyed.header("idempotent-replayed"));
    assertEquals(j("{'ok':true,'replayed':true}"), keyed.raw().body());
  }

  private byte[] readFile(String id) {
    try {
      return Files.readAllBytes(dir.resolve("files").resolve(id));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aFileOfManyChunksStreamsBackByteForByte() {
    byte[] zip = new byte[LIMIT];
    new java.util.Random(11).nextBytes(zip);
    String id = uploaded("archive.zip", "application/zip", zip);
    assertEquals(200, post("/push", "{'vessel':'v','message':'hi'}").status());
    assertEquals(201, post("/vessels/by-external/v/messages", "{'attachments':['" + id + "']}").status());
    HttpResponse<byte[]> d = download(get("/files/" + id).json().get("downloadUrl").getAsString());
    assertEquals(200, d.statusCode());
    assertEquals(String.valueOf(LIMIT), d.headers().firstValue("content-length").orElse(null));
    assertArrayEquals(zip, d.body());
  }

  @Test
  void aUserOpenedVesselCarriesItsFilesOnVesselCreated() {
    channel.updateWorkspace(channel.defaultWorkspace().id(), JsonParser.parseString(j("{'userVesselsEnabled':true}")));
    String id = uploaded("receipt.jpg", "image/jpeg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});
    Res opened = post("/vessels", "{'message':'my receipt','attachments':['" + id + "']}");
    assertEquals(201, opened.status(), opened.toString());
    JsonObject e = get("/poll?ack=true").json().getAsJsonArray("events").get(0).getAsJsonObject();
    assertEquals("vessel.created", e.get("type").getAsString());
    JsonObject att = e.getAsJsonArray("attachments").get(0).getAsJsonObject();
    assertEquals("image", att.get("type").getAsString());
    assertEquals("receipt.jpg", att.get("filename").getAsString());
    HttpResponse<byte[]> d = download(att.get("downloadUrl").getAsString());
    assertEquals(200, d.statusCode());
    assertEquals("image/jpeg", d.headers().firstValue("content-type").orElse(null));
  }

  @Test
  void badSignaturesAndExpiredLinksAreForbidden() {
    assertEquals(200, post("/push", "{'vessel':'v','message':'hi'}").status());
    String id = uploaded("notes.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
    assertEquals(201, post("/vessels/by-external/v/messages", "{'attachments':['" + id + "']}").status());
    String url = get("/files/" + id).json().get("downloadUrl").getAsString();
    String tampered = url.substring(0, url.length() - 1) + (url.endsWith("0") ? "1" : "0");
    HttpResponse<byte[]> bad = download(tampered);
    assertEquals(403, bad.statusCode());
    assertEquals(j("{'ok':false,'error':'Invalid download signature'}"), text(bad));
    assertEquals(403, download("/api/v1/files/" + id + "?expires=9999999999").statusCode(), "no sig");
    clock.advance(Duration.ofMinutes(16));
    HttpResponse<byte[]> expired = download(url);
    assertEquals(403, expired.statusCode());
    assertEquals(j("{'ok':false,'error':'Download link expired'}"), text(expired));
  }

  @Test
  void uploadsAreRefusedByTypeSizeAndCount() {
    Res type = upload("tool.exe", "application/x-msdownload", new byte[] {1}, false);
    assertEquals(415, type.status());
    assertEquals("Unsupported file type", type.json().get("error").getAsString());
    assertTrue(type.json().getAsJsonArray("allowed").toString().contains("application/pdf"));
    Res big = upload("big.txt", "text/plain", new byte[LIMIT + 1], false);
    assertEquals(413, big.status());
    assertEquals(j("{'ok':false,'error':'File too large','maxBytes':" + LIMIT + "}"), big.raw().body());
    Res chunked = upload("big.txt", "text/plain", new byte[4 * LIMIT], true);
    assertEquals(413, chunked.status(), "without a Content-Length the read stops past the limit");
    assertEquals(400, upload("empty.txt", "text/plain", new byte[0], false).status());
    assertEquals(201, upload("fits.txt", "text/plain", new byte[LIMIT], true).status(),
        "exactly the limit fits");
    Res noKey = send(server.api("/files?filename=a.txt"), "POST", null, "x");
    assertEquals(401, noKey.status());

    assertEquals(200, post("/push", "{'vessel':'v','message':'hi'}").status());
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      ids.append(i == 0 ? "" : ",").append("'").append(uploaded("f" + i + ".csv", "text/csv", new byte[] {'a'}))
          .append("'");
    }
    Res tooMany = post("/vessels/by-external/v/messages", "{'content':'all','attachments':[" + ids + "]}");
    assertEquals(400, tooMany.status());
    assertEquals("Invalid message payload", tooMany.json().get("error").getAsString());
    assertEquals(List.of("attachments: Array must contain at most 10 element(s)"), List.of(tooMany.json()
        .getAsJsonArray("errors").get(0).getAsString()));
    Res unknown = post("/vessels/by-external/v/messages", "{'content':'x','attachments':['nope']}");
    assertEquals(400, unknown.status());
    assertEquals(j("{'formErrors':[],'fieldErrors':{'attachments[0]':['File not found']}}"), unknown.json()
        .get("details").toString());
    assertEquals(404, post("/files/nope/resolve", "{'url':'https://x.example.com/a'}").status());
    Res badUrl = post("/files/nope/resolve", "{'url':'not a url'}");
    assertEquals(400, badUrl.status());
  }

  @Test
  void anUnresolvedFileExpiresAndTheHumanIsToldOverHttp() {
    assertEquals(200, post("/push", "{'vessel':'v','message':'hi'}").status());
    String id = uploaded("scan.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    assertEquals(201, post("/vessels/by-external/v/messages", "{'content':'scan','attachments':['" + id + "']}")
        .status());
    String url = get("/files/" + id).json().get("downloadUrl").getAsString();
    clock.advance(Duration.ofHours(1));
    assertEquals(1, channel.files().sweep());
    assertFalse(Files.exists(dir.resolve("files").resolve(id)));
    JsonArray rows = messages("v");
    JsonObject notice = rows.get(rows.size() - 1).getAsJsonObject();
    assertEquals("system", notice.get("source").getAsString());
    assertEquals("Couldn't deliver scan.png: the agent didn't pick it up within 1 hour.", notice.get("content")
        .getAsString());
    assertEquals(JsonParser.parseString(j("{'type':'image','filename':'scan.png','status':'expired'}")), rows.get(
        rows.size() - 2).getAsJsonObject().getAsJsonArray("attachments").get(0));
    Res late = post("/files/" + id + "/resolve", "{'url':'https://x.example.com/scan.png'}");
    assertEquals(410, late.status());
    assertEquals(j("{'ok':false,'error':'File expired'}"), late.raw().body());
    assertEquals(403, download(url).statusCode(), "the link itself expired with the file");
    JsonObject info = get("/files/" + id).json();
    assertEquals("expired", info.get("status").getAsString());
    assertTrue(info.get("downloadUrl").isJsonNull());
  }

  @Test
  void theManifestListsTheFileLimits() {
    JsonObject files = send(server.api("/manifest"), "GET", null, null).json().getAsJsonObject("limits")
        .getAsJsonObject("files");
    assertEquals(LIMIT, files.get("maxBytes").getAsLong());
    assertEquals(10, files.get("perMessage").getAsInt());
    assertEquals(3600, files.get("ttlSeconds").getAsLong());
    assertEquals(900, files.get("downloadUrlTtlSeconds").getAsLong());
    assertTrue(files.getAsJsonArray("types").toString().contains("image/heic"));
  }
}
