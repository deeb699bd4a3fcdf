package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Webhooks against a real HTTP receiver on 127.0.0.1 (allow-listed), as seed 003 describes them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebhookTest {
  /** The seed's own Python verification code, verbatim, run by python3 on the received bytes. */
  private static final String PYTHON = String.join("\n",
      "import hmac, hashlib, sys",
      "def verify_webhook(body: bytes, signature: str, secret: str) -> bool:",
      "    expected = \"sha256=\" + hmac.new(",
      "        secret.encode(), body, hashlib.sha256",
      "    ).hexdigest()",
      "    return hmac.compare_digest(expected, signature)",
      "raw_body = open(sys.argv[1], 'rb').read()",
      "sys.exit(0 if verify_webhook(raw_body, sys.argv[2], sys.argv[3]) else 1)", "");

  @TempDir
  Path dir;

  private final WebhookReceiver receiver;
  private final RecordingScheduler scheduler = RecordingScheduler.running();

  WebhookTest() throws IOException {
    receiver = new WebhookReceiver();
  }

  @AfterEach
  void stop() {
    receiver.close();
    scheduler.close();
  }

  private WebhookOptions options(WebhookOptions.Scheduler s) {
    return WebhookOptions.defaults().withScheduler(s).withAllowHosts(Set.of("127.0.0.1"))
        .withAttemptTimeout(Duration.ofMillis(400));
  }

  private OperatorChannel open(EventJournal j, WebhookOptions.Scheduler s) {
    return OperatorChannel.open(j, ChannelOptions.defaults(), options(s));
  }

  /** Go's verifyWebhook from the seed, line for line. */
  private static boolean goVerifyWebhook(byte[] body, String signature, String secret)
      throws NoSuchAlgorithmException, InvalidKeyException {
    Mac mac = Mac.getInstance("HmacSHA256"); // hmac.New(sha256.New, []byte(secret))
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] sum = mac.doFinal(body); // mac.Write(body); mac.Sum(nil)
    String expected = "sha256=" + HexFormat.of().formatHex(sum); // hex.EncodeToString
    return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), // hmac.Equal
        signature.getBytes(StandardCharsets.UTF_8));
  }

  private boolean pythonVerifies(byte[] body, String signature, String secret) throws Exception {
    Path script = dir.resolve("verify.py");
    Files.writeString(script, PYTHON);
    Path raw = Files.createTempFile(dir, "body", ".json");
    Files.write(raw, body);
    // No python3 is a failure, not a skip: start() throws.
    Process p = new ProcessBuilder("python3", script.toString(), raw.toString(), signature, secret)
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "python3 did not finish");
    return p.exitValue() == 0;
  }

  private static void until(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static WebhookDelivery settled(OperatorChannel c, String ws, String deliveryId) {
    until(() -> !c.webhooks().delivery(ws, deliveryId).state().equals("pending"));
    return c.webhooks().delivery(ws, deliveryId);
  }

  @Test
  void signedSnakeCaseBodiesVerifyWithTheSeedsPythonAndGoCode() throws Exception {
    OperatorChannel c = open(EventJournal.inMemory(), scheduler);
    String ws = c.defaultWorkspace().id();
    WebhookEndpoint.Created hook = c.webhooks().create(ws, receiver.url(), null);
    assertTrue(hook.secret().startsWith("whsec_"));
    assertEquals(Webhooks.EVENTS, hook.endpoint().events());

    PushResult ask = c.push(ws, o("{'vessel':'booking-123','vesselTitle':'Sarah Martinez','message':'New booking — "
        + "confirm?','interaction':{'type':'approval','prompt':'Confirm this booking?','approveLabel':'Confirm',"
        + "'metadata':{'out_tray_id':'123'}}}"));
    RespondResult answer = c.respond(ws, ask.messageId(), o("{'response':{'action':'approved'}}"));

    WebhookReceiver.Received r = receiver.next();
    assertEquals("interaction.response", r.event());
    assertTrue(pythonVerifies(r.body(), r.signature(), hook.secret()), "the seed's Python code rejects it");
    assertTrue(goVerifyWebhook(r.body(), r.signature(), hook.secret()));
    assertTrue(Webhooks.verify(r.body(), r.signature(), hook.secret()));
    byte[] tampered = r.text().replace("approved", "rejected").getBytes(StandardCharsets.UTF_8);
    assertFalse(pythonVerifies(tampered, r.signature(), hook.secret()));
    assertFalse(goVerifyWebhook(r.body(), r.signature(), "whsec_wrong"));

    JsonObject p = JsonParser.parseString(r.text()).getAsJsonObject();
    assertEquals(Set.of("event", "vessel_id", "workspace_id", "data", "timestamp"), p.keySet());
    assertEquals("interaction.response", p.get("event").getAsString());
    assertEquals(ask.vesselId(), p.get("vessel_id").getAsString());
    assertEquals(ws, p.get("workspace_id").getAsString());
    JsonObject d = p.getAsJsonObject("data");
    assertEquals(ask.messageId(), d.get("message_id").getAsString());
    assertEquals("approval", d.get("interaction_type").getAsString());
    assertEquals(o("{'action':'approved'}"), d.get("response"));
    assertEquals(answer.responseId(), d.get("response_id").getAsString());
    assertEquals(o("{'out_tray_id':'123'}"), d.get("metadata"));
    assertEquals("Confirm this booking?", d.getAsJsonObject("message").getAsJsonObject("interaction")
        .get("prompt").getAsString());
    assertEquals(Set.of("id", "content", "interaction", "metadata", "created_at"), d.getAsJsonObject("message")
        .keySet());
    assertEquals(o("{'id':'" + ask.vesselId() + "','external_id':'booking-123','title':'Sarah Martinez',"
        + "'type':null,'metadata':{}}"), d.get("vessel"));

    // message.user: context (the last 10, oldest first) and the card the human walked past
    for (int i = 0; i < 11; i++) {
      c.push(ws, o("{'vessel':'booking-123','message':'m" + i + "'}"));
    }
    PushResult pick = c.push(ws, o("{'vessel':'booking-123','message':'Pick','interaction':{'type':'choice',"
        + "'prompt':'Pick a new time','options':[{'id':'a','label':'A'}]}}"));
    PushResult said = c.postUserMessage(ws, VesselRef.external("booking-123"), o("{'content':'I want to "
        + "reschedule'}"));
    WebhookReceiver.Received u = receiver.next();
    assertEquals("message.user", u.event());
    assertTrue(pythonVerifies(u.body(), u.signature(), hook.secret()));
    JsonObject ud = JsonParser.parseString(u.text()).getAsJsonObject().getAsJsonObject("data");
    assertEquals(said.messageId(), ud.get("message_id").getAsString());
    assertEquals("I want to reschedule", ud.get("content").getAsString());
    assertEquals(10, ud.getAsJsonArray("context").size());
    assertEquals("m2", ud.getAsJsonArray("context").get(0).getAsJsonObject().get("content").getAsString());
    assertEquals(Set.of("source", "content", "created_at"), ud.getAsJsonArray("context").get(0).getAsJsonObject()
        .keySet());
    assertEquals(o("{'message_id':'" + pick.messageId() + "','interaction_type':'choice','prompt':'Pick a new "
        + "time'}"), ud.get("superseded_interaction"));

    c.postUserMessage(ws, VesselRef.external("booking-123"), o("{'content':'again'}"));
    JsonObject again = JsonParser.parseString(receiver.next().text()).getAsJsonObject().getAsJsonObject("data");
    assertFalse(again.has("superseded_interaction"), "omitted when nothing was superseded");
  }

  @Test
  void subscriptionsFilterAndLifecycleEventsFire() throws Exception {
    OperatorChannel c = open(EventJournal.inMemory(), scheduler);
    String ws = c.defaultWorkspace().id();
    WebhookEndpoint.Created hook = c.webhooks().create(ws, receiver.url(), Set.of("vessel.archived",
        "vessel.deleted"));
    c.push(ws, o("{'vessel':'b1','message':'hi'}"));
    c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'not subscribed'}"));
    c.updateVessel(ws, VesselRef.external("b1"), o("{'archived':true}"));
    WebhookReceiver.Received a = receiver.next();
    assertEquals("vessel.archived", a.event());
    JsonObject ad = JsonParser.parseString(a.text()).getAsJsonObject().getAsJsonObject("data");
    assertEquals(Set.of("vessel"), ad.keySet());
    assertEquals("b1", ad.getAsJsonObject("vessel").get("external_id").getAsString());
    c.updateVessel(ws, VesselRef.external("b1"), o("{'archived':true}")); // already archived: no second event
    c.deleteVessel(ws, VesselRef.external("b1"));
    WebhookReceiver.Received del = receiver.next();
    assertEquals("vessel.deleted", del.event());
    assertTrue(Webhooks.verify(del.body(), del.signature(), hook.secret()));
    assertNull(receiver.poll(300), "message.user was not subscribed, archiving twice fires once");

    assertThrows(ChannelException.class, () -> c.webhooks().create(ws, receiver.url(), Set.of("message.sent")));
  }

  @Test
  void retriesOn5xxAndTimeoutsWithTheStatedBackoffButNotOn4xx() throws Exception {
    OperatorChannel c = open(EventJournal.inMemory(), scheduler);
    String ws = c.defaultWorkspace().id();
    c.webhooks().create(ws, receiver.url(), Set.of("message.user"));
    c.push(ws, o("{'vessel':'b1','message':'hi'}"));

    receiver.answer(500, 0); // a 500, then no answer within the attempt timeout, then 200
    c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'one'}"));
    WebhookReceiver.Received first = receiver.next();
    WebhookReceiver.Received second = receiver.next();
    WebhookReceiver.Received third = receiver.next();
    assertEquals(first.text(), third.text(), "every attempt sends the same bytes");
    assertEquals(first.signature(), second.signature());
    String id = first.delivery();
    WebhookDelivery d = settled(c, ws, id);
    assertEquals("delivered", d.state());
    assertEquals(3, d.attempts().size());
    assertEquals(500, d.attempts().get(0).status());
    assertNull(d.attempts().get(1).status());
    assertEquals("timeout", d.attempts().get(1).error());
    assertEquals(200, d.attempts().get(2).status());
    assertEquals(List.of(Duration.ofMillis(500), Duration.ofSeconds(2)), scheduler.waits());

    scheduler.delays.clear();
    receiver.answer(404);
    c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'two'}"));
    WebhookDelivery four = settled(c, ws, receiver.next().delivery());
    assertEquals("failed", four.state());
    assertEquals(1, four.attempts().size(), "a 4xx is final");
    assertEquals(List.of(), scheduler.waits());

    receiver.answer(503, 503, 503);
    c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'three'}"));
    String failing = receiver.next().delivery();
    assertEquals(failing, receiver.next().delivery());
    assertEquals(failing, receiver.next().delivery());
    WebhookDelivery gaveUp = settled(c, ws, failing);
    assertEquals("failed", gaveUp.state());
    assertEquals(3, gaveUp.attempts().size(), "3 attempts in all");
    JsonObject trace = c.trace(ws, VesselRef.external("b1"));
    assertEquals(2, trace.getAsJsonObject("summary").getAsJsonObject("counts").get("webhookFailures").getAsInt(),
        "the 404 and the exhausted 503s");
    assertEquals("webhook_failed", trace.getAsJsonObject("summary").getAsJsonArray("issues").get(0)
        .getAsJsonObject().get("code").getAsString());

    // Replay re-sends the same body as a new, logged delivery
    WebhookDelivery replay = c.webhooks().replay(ws, failing);
    assertEquals(failing, replay.replayOf());
    WebhookReceiver.Received resent = receiver.next();
    assertEquals(replay.id(), resent.delivery());
    assertEquals(gaveUp.body(), resent.text());
    assertEquals("delivered", settled(c, ws, replay.id()).state());
    assertEquals(List.of(replay.id(), failing), c.webhooks().deliveries(ws, null, null, 2).stream()
        .map(WebhookDelivery::id).collect(Collectors.toList()));
  }

  @Test
  void aRestartMidRetryStillDelivers() throws Exception {
    Path data = dir.resolve("data");
    String ws;
    String deliveryId;
    RecordingScheduler held = RecordingScheduler.held();
    try (EventJournal j = EventJournal.file(data, FileJournalOptions.defaults())) {
      OperatorChannel c = open(j, held);
      ws = c.defaultWorkspace().id();
      c.webhooks().create(ws, receiver.url(), null);
      receiver.answer(500);
      c.push(ws, o("{'vessel':'b1','message':'hi'}"));
      c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'survive me'}"));
      held.runNext(); // attempt 1: sends
      deliveryId = receiver.next().delivery();
      held.runNext(); // its outcome (500) is recorded and attempt 2 is scheduled in 500 ms
      assertEquals(List.of(Duration.ofMillis(500)), held.waits());
      WebhookDelivery d = c.webhooks().delivery(ws, deliveryId);
      assertEquals("pending", d.state());
      assertEquals(1, d.attempts().size());
    } // the process "dies" before attempt 2 runs
    held.close();
    try (EventJournal j = EventJournal.file(data, FileJournalOptions.defaults())) {
      OperatorChannel c = open(j, scheduler);
      WebhookReceiver.Received again = receiver.next();
      assertEquals(deliveryId, again.delivery());
      WebhookDelivery d = settled(c, ws, deliveryId);
      assertEquals("delivered", d.state());
      assertEquals(List.of(500, 200), d.attempts().stream().map(WebhookDelivery.Attempt::status)
          .collect(Collectors.toList()));
    }
  }

  @Test
  void privateLoopbackLinkLocalAndMetadataUrlsAreRefusedUnlessAllowListed() {
    OperatorChannel strict = OperatorChannel.open(EventJournal.inMemory(), ChannelOptions.defaults(),
        WebhookOptions.defaults().withScheduler(scheduler));
    String ws = strict.defaultWorkspace().id();
    for (String url : List.of("https://localhost/hooks", "https://127.0.0.1/x", "https://10.0.0.5/x",
        "https://192.168.1.10/x", "https://172.16.0.1/x", "https://169.254.169.254/latest/meta-data",
        "https://[::1]/x", "https://[fd00::1]/x", "https://0.0.0.0/x", "http://example.com/hooks", "ftp://x/y",
        "not a url", receiver.url())) {
      ChannelException e = assertThrows(ChannelException.class, () -> strict.webhooks().create(ws, url, null), url);
      assertEquals(400, e.status(), url);
    }
    assertTrue(strict.webhooks().endpoints(ws).isEmpty());

    OperatorChannel allowed = open(EventJournal.inMemory(), scheduler);
    String aws = allowed.defaultWorkspace().id();
    assertNotNull(allowed.webhooks().create(aws, receiver.url(), null));
    assertThrows(ChannelException.class, () -> allowed.webhooks().create(aws, "https://10.0.0.5/x", null));
  }

  @Test
  void messageCancelledGoesToEveryActiveEndpointSynchronously() throws Exception {
    OperatorChannel c = open(EventJournal.inMemory(), scheduler);
    String ws = c.defaultWorkspace().id();
    PushResult working = c.push(ws, o("{'vessel':'b1','agentActivity':{'type':'thinking'}}"));
    CancelResult none = c.cancelAndNotify(ws, working.messageId());
    assertFalse(none.delivered(), "no webhook at all: the human is told cancel is not wired");

    WebhookEndpoint.Created hook = c.webhooks().create(ws, receiver.url(), Set.of("message.user"));
    receiver.answer(404);
    CancelResult notWired = c.cancelAndNotify(ws, working.messageId());
    assertFalse(notWired.delivered());
    assertEquals(1, notWired.endpoints());
    WebhookReceiver.Received r = receiver.next();
    assertEquals("message.cancelled", r.event(), "delivered whatever the endpoint subscribes to");
    assertTrue(pythonVerifies(r.body(), r.signature(), hook.secret()));
    JsonObject p = JsonParser.parseString(r.text()).getAsJsonObject();
    assertEquals(working.messageId(), p.getAsJsonObject("data").get("message_id").getAsString());
    assertEquals(Set.of("message_id", "vessel"), p.getAsJsonObject("data").keySet());

    CancelResult wired = c.cancelAndNotify(ws, working.messageId());
    assertTrue(wired.delivered());
    receiver.next();
    c.webhooks().update(ws, hook.endpoint().id(), null, null, false);
    assertFalse(c.cancelAndNotify(ws, working.messageId()).delivered(), "a disabled endpoint is not active");
  }
}
