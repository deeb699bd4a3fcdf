package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inbound files (seed 003 "Receiving files from the human") on real files under a temp directory
 * and the durable file journal: upload, attach, signed download, resolve, expiry by the channel's
 * clock, restart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InboundFilesTest {
  private static final String BASE = "http://127.0.0.1:3000";
  private static final byte[] PDF = "%PDF-1.4 the quarterly report".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
  private EventJournal journal;
  private OperatorChannel c;
  private String ws;

  private ChannelOptions options() {
    return ChannelOptions.defaults().withClock(clock).withFilesDir(dir.resolve("files")).withPublicUrl(BASE);
  }

  private static EventJournal journal(Path dir) {
    return EventJournal.file(dir, FileJournalOptions.defaults().withDurability(FileJournalOptions.Durability.NONE));
  }

  private void open() {
    journal = journal(dir.resolve("journal"));
    c = OperatorChannel.open(journal, options());
    ws = c.defaultWorkspace().id();
  }

  private void restart() {
    c.close();
    journal.close();
    open();
  }

  @AfterEach
  void close() {
    if (c != null) {
      c.close();
      journal.close();
    }
  }

  private Path bytesOf(String fileId) {
    return dir.resolve("files").resolve(fileId);
  }

  /** A vessel {@code booking-123} with one agent message, and a pdf attached to a human message in it. */
  private InboundFile attachedPdf() {
    c.push(ws, o("{'vessel':'booking-123','message':'Send me the report'}"));
    InboundFile f = c.files().upload(ws, "report.pdf", "application/pdf", PDF);
    c.postUserMessage(ws, VesselRef.external("booking-123"), o("{'content':'here it is','attachments':['" + f.id()
        + "']}"));
    return f;
  }

  private static Map<String, String> query(String url) {
    Map<String, String> q = new HashMap<>();
    for (String p : URI.create(url).getRawQuery().split("&")) {
      q.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
    }
    return q;
  }

  private byte[] download(String url) throws IOException {
    Map<String, String> q = query(url);
    String fileId = URI.create(url).getPath().substring("/api/v1/files/".length());
    try (InputStream in = c.files().open(fileId, q.get("expires"), q.get("sig")).bytes()) {
      return in.readAllBytes();
    }
  }

  private static int status(Runnable r) {
    return assertThrows(ChannelException.class, r::run).status();
  }

  private JsonObject lastMessageRow(String vessel, int fromEnd) {
    List<Message> page = c.messages(ws, VesselRef.external(vessel), 50, null).messages();
    return page.get(page.size() - 1 - fromEnd).toJson();
  }

  @Test
  void uploadAttachDownloadResolveDeletesTheTransientCopyAndAResolveReplays() throws IOException {
    open();
    InboundFile f = attachedPdf();
    assertEquals("file", f.type());
    assertEquals(PDF.length, f.size());
    assertEquals(clock.instant().plus(Duration.ofHours(1)), f.expiresAt());
    assertArrayEquals(PDF, Files.readAllBytes(bytesOf(f.id())), "held on disk until resolved");

    JsonObject event = c.poll(ws, 10, true).get(0);
    assertEquals("message.user", event.get("type").getAsString());
    JsonObject att = event.getAsJsonArray("attachments").get(0).getAsJsonObject();
    assertEquals(Set.of("type", "filename", "fileId", "downloadUrl"), att.keySet());
    assertEquals("file", att.get("type").getAsString());
    assertEquals("report.pdf", att.get("filename").getAsString());
    assertEquals(f.id(), att.get("fileId").getAsString());
    String url = att.get("downloadUrl").getAsString();
    assertTrue(url.startsWith(BASE + "/api/v1/files/" + f.id() + "?expires="), url);
    assertEquals(clock.instant().plus(Duration.ofMinutes(15)).getEpochSecond(), Long.parseLong(query(url).get(
        "expires")));
    assertArrayEquals(PDF, download(url));

    JsonObject pending = lastMessageRow("booking-123", 0).getAsJsonArray("attachments").get(0).getAsJsonObject();
    assertEquals(o("{'type':'file','filename':'report.pdf','fileId':'" + f.id() + "','status':'pending'}"), pending);

    assertEquals(o("{'ok':true,'replayed':false}"), c.files().resolve(ws, f.id(), o(
        "{'url':'https://files.example.com/r/report.pdf'}")));
    assertEquals(o("{'type':'file','filename':'report.pdf','url':'https://files.example.com/r/report.pdf'}"),
        lastMessageRow("booking-123", 0).getAsJsonArray("attachments").get(0));
    assertFalse(Files.exists(bytesOf(f.id())), "the transient copy is deleted");
    assertEquals(410, status(() -> {
      try {
        download(url);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }));
    assertEquals(o("{'ok':true,'replayed':true}"), c.files().resolve(ws, f.id(), o(
        "{'url':'https://elsewhere.example.com/x'}")));
    assertEquals("https://files.example.com/r/report.pdf", lastMessageRow("booking-123", 0).getAsJsonArray(
        "attachments").get(0).getAsJsonObject().get("url").getAsString(), "the first url wins");
    assertEquals("resolved", c.files().file(ws, f.id()).status());
    assertNull(c.files().downloadUrl(f.id()));
  }

  @Test
  void anUnresolvedFileExpiresByTheClockAndTheHumanIsTold() {
    open();
    InboundFile f = attachedPdf();
    InboundFile loose = c.files().upload(ws, "photo.png", "image/png", new byte[] {1, 2, 3});
    assertEquals("image", loose.type());
    clock.advance(Duration.ofMinutes(59));
    assertEquals(0, ((JournalChannel) c).sweepFiles());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(2, c.files().sweep(), "the attached file and the one never attached");
    assertFalse(Files.exists(bytesOf(f.id())));
    assertFalse(Files.exists(bytesOf(loose.id())));
    JsonObject notice = lastMessageRow("booking-123", 0);
    assertEquals("system", notice.get("source").getAsString());
    assertEquals("Couldn't deliver report.pdf: the agent didn't pick it up within 1 hour.", notice.get("content")
        .getAsString());
    assertEquals(o("{'type':'file','filename':'report.pdf','status':'expired'}"), lastMessageRow("booking-123", 1)
        .getAsJsonArray("attachments").get(0));
    ChannelException gone = assertThrows(ChannelException.class, () -> c.files().resolve(ws, f.id(), o(
        "{'url':'https://files.example.com/late.pdf'}")));
    assertEquals(410, gone.status());
    assertEquals("File expired", gone.error());
    assertEquals(410, status(() -> c.files().resolve(ws, loose.id(), o("{'url':'https://x.example.com/a'}"))));
    assertEquals("expired", c.files().file(ws, loose.id()).status());
    ChannelException late = assertThrows(ChannelException.class, () -> c.postUserMessage(ws, VesselRef.external(
        "booking-123"), o("{'attachments':['" + loose.id() + "']}")));
    assertEquals(List.of("attachments[0]: File expired"), late.errors());
    assertEquals(0, c.files().sweep(), "nothing twice");
  }

  private static String t(Instant at) {
    return ChannelJson.time(at.toEpochMilli());
  }

  @Test
  void theTraceShowsEachFileAttachedThenResolvedOrExpiredAndAnExpiryIsAnIssue() {
    open();
    InboundFile resolved = attachedPdf();
    // a vessel's times strictly increase: the human's message is 1 ms after the agent's, at the same clock
    Instant attachedAt = clock.instant().plusMillis(1);
    clock.advance(Duration.ofMinutes(1));
    InboundFile lost = c.files().upload(ws, "photo.png", "image/png", new byte[] {1, 2, 3});
    String lostMessage = c.postUserMessage(ws, VesselRef.external("booking-123"), o("{'attachments':['" + lost.id()
        + "']}")).messageId();
    clock.advance(Duration.ofMinutes(1));
    Instant resolvedAt = clock.instant();
    c.files().resolve(ws, resolved.id(), o("{'url':'https://files.example.com/r/report.pdf'}"));
    clock.advance(Duration.ofMinutes(59));
    Instant expiredAt = clock.instant();
    assertEquals(1, c.files().sweep());

    for (int round = 0; round < 2; round++) {
      JsonObject trace = c.trace(ws, VesselRef.external("booking-123"));
      JsonArray files = new JsonArray();
      for (var e : trace.getAsJsonArray("events")) {
        JsonObject ev = e.getAsJsonObject();
        if (ev.get("type").getAsString().startsWith("file.")) {
          JsonObject row = new JsonObject();
          for (String k : List.of("type", "fileId", "filename", "url", "at")) {
            if (ev.has(k)) {
              row.add(k, ev.get(k));
            }
          }
          files.add(row);
        }
      }
      assertEquals(JsonParser.parseString("["
          + "{'type':'file.attached','fileId':'" + resolved.id() + "','filename':'report.pdf','at':'" + t(attachedAt) + "'},"
          + "{'type':'file.attached','fileId':'" + lost.id() + "','filename':'photo.png','at':'"
          + t(attachedAt.minusMillis(1).plus(Duration.ofMinutes(1))) + "'},"
          + "{'type':'file.resolved','fileId':'" + resolved.id() + "','filename':'report.pdf',"
          + "'url':'https://files.example.com/r/report.pdf','at':'" + t(resolvedAt) + "'},"
          + "{'type':'file.expired','fileId':'" + lost.id() + "','filename':'photo.png','at':'" + t(expiredAt) + "'}]"),
          files, "round " + round);
      JsonObject issue = trace.getAsJsonObject("summary").getAsJsonArray("issues").get(0).getAsJsonObject();
      assertEquals("file_expired", issue.get("code").getAsString());
      assertEquals(lostMessage, issue.get("messageId").getAsString());
      assertTrue(issue.get("message").getAsString().contains("photo.png"), issue.toString());
      JsonObject counts = trace.getAsJsonObject("summary").getAsJsonObject("counts");
      assertEquals(2, counts.get("files").getAsInt());
      assertEquals(1, counts.get("filesExpired").getAsInt());
      restart(); // the same timeline from the journal
    }
  }

  @Test
  void aRestartKeepsAPendingFileResolvableAndItsDownloadUrlValid() throws IOException {
    open();
    InboundFile f = attachedPdf();
    String url = c.poll(ws, 10, true).get(0).getAsJsonArray("attachments").get(0).getAsJsonObject().get(
        "downloadUrl").getAsString();
    restart();
    assertEquals("attached", c.files().file(ws, f.id()).status());
    assertArrayEquals(PDF, download(url), "the signing secret survived the restart");
    assertEquals(o("{'ok':true,'replayed':false}"), c.files().resolve(ws, f.id(), o(
        "{'url':'https://files.example.com/r/report.pdf'}")));
    restart();
    assertEquals("resolved", c.files().file(ws, f.id()).status());
    assertEquals(o("{'ok':true,'replayed':true}"), c.files().resolve(ws, f.id(), o(
        "{'url':'https://files.example.com/r/report.pdf'}")));
    assertEquals("https://files.example.com/r/report.pdf", lastMessageRow("booking-123", 0).getAsJsonArray(
        "attachments").get(0).getAsJsonObject().get("url").getAsString());
  }

  @Test
  void overdueFilesExpireAtOnceWhenTheChannelOpens() {
    open();
    InboundFile f = attachedPdf();
    c.close();
    journal.close();
    clock.advance(Duration.ofHours(2));
    open();
    assertEquals("expired", c.files().file(ws, f.id()).status());
    assertFalse(Files.exists(bytesOf(f.id())));
    assertEquals("system", lastMessageRow("booking-123", 0).get("source").getAsString());
    restart();
    assertEquals(1, c.messages(ws, VesselRef.external("booking-123"), 50, null).messages().stream()
        .filter(m -> m.source() == Source.SYSTEM).count(), "expired once, not on every open");
  }

  @Test
  void aBadSignatureOrAnExpiredLinkIsForbidden() throws IOException {
    open();
    InboundFile f = attachedPdf();
    String url = c.files().downloadUrl(f.id());
    Map<String, String> q = query(url);
    String sig = q.get("sig");
    String flipped = (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1);
    ChannelException bad = assertThrows(ChannelException.class, () -> c.files().open(f.id(), q.get("expires"),
        flipped));
    assertEquals(403, bad.status());
    assertEquals("Invalid download signature", bad.error());
    assertEquals(403, status(() -> c.files().open(f.id(), String.valueOf(Long.parseLong(q.get("expires")) + 3600),
        sig)), "a longer expiry is not signed");
    assertEquals(403, status(() -> c.files().open(f.id(), q.get("expires"), null)));
    clock.advance(Duration.ofMinutes(16));
    ChannelException expired = assertThrows(ChannelException.class, () -> download(url));
    assertEquals(403, expired.status());
    assertEquals("Download link expired", expired.error());
    String fresh = c.files().downloadUrl(f.id());
    assertNotEquals(url, fresh);
    assertArrayEquals(PDF, download(fresh));
    clock.advance(Duration.ofMinutes(40));
    long expires = Long.parseLong(query(c.files().downloadUrl(f.id())).get("expires"));
    assertEquals(f.expiresAt().getEpochSecond(), expires, "a link never outlives its file");
  }

  @Test
  void uploadsAreCheckedForTypeSizeAndName() throws IOException {
    journal = journal(dir.resolve("journal"));
    c = OperatorChannel.open(journal, options().withMaxFileBytes(8));
    ws = c.defaultWorkspace().id();
    ChannelException type = assertThrows(ChannelException.class, () -> c.files().upload(ws, "a.exe",
        "application/x-msdownload", new byte[] {1}));
    assertEquals(415, type.status());
    assertEquals("Unsupported file type", type.error());
    ChannelException big = assertThrows(ChannelException.class, () -> c.files().upload(ws, "a.txt", "text/plain",
        new byte[9]));
    assertEquals(413, big.status());
    assertEquals("File too large", big.error());
    assertEquals(413, status(() -> c.files().checkUpload("a.txt", "text/plain", 9)));
    assertEquals(400, status(() -> c.files().upload(ws, "a.txt", "text/plain", new byte[0])));
    assertEquals(List.of("filename: Required"), assertThrows(ChannelException.class, () -> c.files().upload(ws,
        "", "text/plain", new byte[] {1})).errors());
    InboundFile f = c.files().upload(ws, "../../etc/notes.md", "text/markdown; charset=utf-8", "# hi".getBytes(
        StandardCharsets.UTF_8));
    assertEquals("notes.md", f.filename());
    assertEquals("text/markdown", f.contentType());
    assertEquals(List.of(f.id()), names(dir.resolve("files")), "only the file id is a name on disk");
  }

  private static List<String> names(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(java.util.stream.Collectors.toList());
    }
  }

  @Test
  void attachmentsAreValidated() {
    open();
    c.push(ws, o("{'vessel':'v1','message':'hi'}"));
    VesselRef v1 = VesselRef.external("v1");
    JsonArray eleven = new JsonArray();
    for (int i = 0; i < 11; i++) {
      eleven.add(c.files().upload(ws, "f" + i + ".txt", "text/plain", new byte[] {(byte) i}).id());
    }
    JsonObject body = new JsonObject();
    body.addProperty("content", "all of them");
    body.add("attachments", eleven);
    ChannelException tooMany = assertThrows(ChannelException.class, () -> c.postUserMessage(ws, v1, body));
    assertEquals(400, tooMany.status());
    assertEquals("Invalid message payload", tooMany.error());
    assertEquals(List.of("attachments: Array must contain at most 10 element(s)"), tooMany.errors());

    Workspace other = c.createWorkspace("other");
    String foreign = c.files().upload(other.id(), "x.txt", "text/plain", new byte[] {1}).id();
    String ok = eleven.get(0).getAsString();
    assertEquals(List.of("attachments[0]: File not found", "attachments[1]: File not found"), assertThrows(
        ChannelException.class, () -> c.postUserMessage(ws, v1, o("{'content':'x','attachments':['nope','" + foreign
        + "']}"))).errors());
    assertEquals(List.of("attachments[1]: Duplicate file id '" + ok + "'"), assertThrows(ChannelException.class,
        () -> c.postUserMessage(ws, v1, o("{'content':'x','attachments':['" + ok + "','" + ok + "']}"))).errors());

    PushResult only = c.postUserMessage(ws, v1, o("{'attachments':['" + ok + "']}"));
    assertNull(c.message(ws, only.messageId()).content(), "a message of attachments only has no content");
    assertEquals(List.of("attachments[0]: File is already attached to a message"), assertThrows(
        ChannelException.class, () -> c.postUserMessage(ws, v1, o("{'content':'again','attachments':['" + ok
        + "']}"))).errors());
    assertEquals(List.of("content: Required"), assertThrows(ChannelException.class, () -> c.postUserMessage(ws, v1,
        o("{'attachments':[]}"))).errors());
    assertEquals(409, status(() -> c.files().resolve(ws, eleven.get(1).getAsString(), o(
        "{'url':'https://x.example.com/a'}"))), "a file not attached yet cannot be resolved");
    assertEquals(404, status(() -> c.files().resolve(ws, foreign, o("{'url':'https://x.example.com/a'}"))));
    assertEquals(List.of("url: Invalid url: expected an absolute http(s) URL"), assertThrows(
        ChannelException.class, () -> c.files().resolve(ws, ok, o("{'url':'ftp://x.example.com/a'}"))).errors());
    assertEquals(List.of("url: Required"), assertThrows(ChannelException.class, () -> c.files().resolve(ws, ok,
        o("{}"))).errors());
  }

  @Test
  void aUserVesselCarriesItsFilesOnVesselCreated() {
    open();
    c.updateWorkspace(ws, o("{'userVesselsEnabled':true}"));
    InboundFile img = c.files().upload(ws, "receipt.jpg", "image/jpeg", new byte[] {(byte) 0xff, (byte) 0xd8});
    PushResult r = c.openVessel(ws, o("{'attachments':['" + img.id() + "']}"));
    JsonObject e = c.poll(ws, 10, true).get(0);
    assertEquals("vessel.created", e.get("type").getAsString());
    assertTrue(e.getAsJsonObject("message").get("content").isJsonNull(), "content is null: attachments only");
    JsonObject att = e.getAsJsonArray("attachments").get(0).getAsJsonObject();
    assertEquals("image", att.get("type").getAsString());
    assertEquals("receipt.jpg", att.get("filename").getAsString());
    assertEquals(img.id(), att.get("fileId").getAsString());
    assertTrue(att.get("downloadUrl").getAsString().startsWith(BASE + "/api/v1/files/" + img.id() + "?"));
    InboundFile attached = c.files().file(ws, img.id());
    assertEquals(r.vesselId(), attached.vesselId());
    assertEquals(r.messageId(), attached.messageId());
    c.files().resolve(ws, img.id(), o("{'url':'https://cdn.example.com/receipt.jpg'}"));
    assertEquals("https://cdn.example.com/receipt.jpg", c.message(ws, r.messageId()).toJson().getAsJsonArray(
        "attachments").get(0).getAsJsonObject().get("url").getAsString());
  }

  @Test
  void deletingAMessageOrAVesselDeletesItsPendingFiles() {
    open();
    InboundFile f = attachedPdf();
    String messageId = c.message(ws, c.files().file(ws, f.id()).messageId()).id();
    c.deleteMessage(ws, messageId);
    assertEquals("deleted", c.files().file(ws, f.id()).status());
    assertFalse(Files.exists(bytesOf(f.id())));
    InboundFile g = c.files().upload(ws, "b.csv", "text/csv", "a,b".getBytes(StandardCharsets.UTF_8));
    c.postUserMessage(ws, VesselRef.external("booking-123"), o("{'attachments':['" + g.id() + "']}"));
    c.deleteVessel(ws, VesselRef.external("booking-123"));
    assertFalse(Files.exists(bytesOf(g.id())));
    restart();
    assertEquals("deleted", c.files().file(ws, f.id()).status());
    assertEquals("deleted", c.files().file(ws, g.id()).status());
    assertEquals(410, status(() -> c.files().resolve(ws, g.id(), o("{'url':'https://x.example.com/a'}"))));
  }

  @Test
  void closeStopsTheSweeperThreadStartedByTheFirstUpload() throws InterruptedException {
    open();
    Set<Thread> before = sweepers();
    c.files().upload(ws, "a.txt", "text/plain", new byte[] {1});
    Set<Thread> started = sweepers();
    started.removeAll(before);
    assertEquals(1, started.size(), "one daemon sweeper per channel");
    Thread t = started.iterator().next();
    assertTrue(t.isDaemon());
    c.close();
    t.join(10_000);
    assertFalse(t.isAlive(), "close() stopped it");
  }

  private static Set<Thread> sweepers() {
    Set<Thread> s = new java.util.HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("eve4j-channel-files")) {
        s.add(t);
      }
    }
    return s;
  }

  @Test
  void theMessageUserWebhookCarriesTheAttachmentsWithADownloadUrl() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(); RecordingScheduler scheduler = RecordingScheduler
        .running()) {
      journal = journal(dir.resolve("journal"));
      c = OperatorChannel.open(journal, options(), WebhookOptions.defaults().withScheduler(scheduler)
          .withAllowHosts(Set.of("127.0.0.1")).withAttemptTimeout(Duration.ofSeconds(5)));
      ws = c.defaultWorkspace().id();
      c.webhooks().create(ws, receiver.url(), Set.of("message.user"));
      InboundFile f = attachedPdf();
      WebhookReceiver.Received r = receiver.next();
      assertEquals("message.user", r.event());
      JsonObject data = JsonParser.parseString(r.text()).getAsJsonObject().getAsJsonObject("data");
      JsonObject att = data.getAsJsonArray("attachments").get(0).getAsJsonObject();
      assertEquals(Set.of("type", "filename", "fileId", "downloadUrl"), att.keySet(), "the seed's shape");
      assertEquals(f.id(), att.get("fileId").getAsString());
      assertArrayEquals(PDF, download(att.get("downloadUrl").getAsString()));
    }
  }
}
