package dev.eve4j.servlet.channel;

import static dev.eve4j.servlet.channel.Http.j;
import static dev.eve4j.servlet.channel.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.channel.ChannelOptions;
import dev.eve4j.channel.Idempotency;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.channel.VesselRef;
import dev.eve4j.servlet.channel.Http.Res;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelHttpTest {
  private TestClock clock;
  private ChannelTestServer server;
  private OperatorChannel channel;
  private String ws;
  private String key;

  @BeforeEach
  void start() {
    clock = new TestClock(Instant.parse("2026-06-01T09:00:00Z"));
    Authenticator admin = Authenticator.staticTokens(Map.of(
        "admin-token", new Principal("ops", Set.of("eve4j.admin")),
        "plain-token", new Principal("someone", Set.of("sessions.read"))));
    server = ChannelTestServer.start(ChannelOptions.defaults().withClock(clock),
        ChannelServletOptions.defaults().withAdminAuthenticator(admin).withMaxBodyBytes(64 * 1024));
    channel = server.channel();
    ws = channel.defaultWorkspace().id();
    key = channel.createKey(ws, "agent", Scope.all()).secret();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Res post(String path, String body, String... headers) {
    return send(server.api(path), "POST", key, body == null ? null : j(body), headers);
  }

  private Res get(String path) {
    return send(server.api(path), "GET", key, null);
  }

  @Test
  void keysAndScopes() {
    assertEquals(401, send(server.api("/poll"), "GET", null, null).status());
    Res unknown = send(server.api("/poll"), "GET", "vsl_not-a-key", null);
    assertEquals(401, unknown.status());
    assertEquals(j("{'ok':false,'error':'unauthorized'}"), unknown.raw().body());
    assertEquals("Bearer", unknown.header("www-authenticate"));
    String readOnly = channel.createKey(ws, "dashboard", Set.of(Scope.READ)).secret();
    assertEquals(200, post("/push", "{'vessel':'v','message':'hello'}").status());
    assertEquals(200, send(server.api("/poll?ack=true"), "GET", readOnly, null).status());
    assertEquals(200, send(server.api("/vessels"), "GET", readOnly, null).status());
    assertEquals(200, send(server.api("/vessels/by-external/v/messages"), "GET", readOnly, null).status());
    Res denied = send(server.api("/push"), "POST", readOnly, j("{'vessel':'v','message':'nope'}"));
    assertEquals(403, denied.status());
    assertEquals(j("{'ok':false,'error':'insufficient_scope'}"), denied.raw().body());
    assertEquals(403, send(server.api("/vessels/by-external/v"), "DELETE", readOnly, null).status());
    String pushOnly = channel.createKey(ws, "pusher", Set.of(Scope.PUSH)).secret();
    assertEquals(200, send(server.api("/push"), "POST", pushOnly, j("{'vessel':'v','message':'ok'}")).status());
    assertEquals(403, send(server.api("/poll"), "GET", pushOnly, null).status());
    assertEquals(2, channel.messages(ws, VesselRef.external("v"), 10, null).messages().size());
    assertEquals(200, send(server.api("/manifest"), "GET", null, null).status(), "the manifest needs no key");
  }

  @Test
  void managementRoutesCreateAndRevokeKeys() {
    assertEquals(401, send(server.api("/keys"), "GET", null, null).status());
    assertEquals(403, send(server.api("/keys"), "GET", "plain-token", null).status());
    assertEquals(401, send(server.api("/keys"), "GET", key, null).status(), "an API key is not an admin credential");
    Res created = send(server.api("/keys"), "POST", "admin-token", j("{'name':'ci','scopes':['read']}"));
    assertEquals(201, created.status());
    String secret = created.json().get("secret").getAsString();
    assertTrue(secret.startsWith("vsl_"));
    JsonObject k = created.json().getAsJsonObject("key");
    assertEquals(j("['read']"), k.getAsJsonArray("scopes").toString());
    assertEquals(secret.substring(0, 8), k.get("prefix").getAsString());
    assertEquals(200, send(server.api("/vessels"), "GET", secret, null).status());
    Res list = send(server.api("/keys"), "GET", "admin-token", null);
    assertFalse(list.raw().body().contains(secret), "secrets are never listed");
    assertEquals(2, list.json().getAsJsonArray("keys").size());
    Res revoked = send(server.api("/keys/" + k.get("id").getAsString()), "DELETE", "admin-token", null);
    assertEquals(200, revoked.status());
    assertTrue(revoked.json().getAsJsonObject("key").has("revokedAt"));
    assertEquals(401, send(server.api("/vessels"), "GET", secret, null).status());
    assertEquals(404, send(server.api("/keys/key_nope"), "DELETE", "admin-token", null).status());
    assertEquals(400, send(server.api("/keys"), "POST", "admin-token", j("{'scopes':['write']}")).status());
  }

  @Test
  void validationErrorsAre400WithFieldErrors() {
    Res r = post("/push", "{'vessel':'b1','labels':['a','b','c','d','e','f','g','h','i','j','k'],'interaction':"
        + "{'type':'approval','prompt':'x'}}");
    assertEquals(400, r.status());
    JsonObject o = r.json();
    assertFalse(o.get("ok").getAsBoolean());
    assertEquals("Invalid push payload", o.get("error").getAsString());
    assertEquals(j("['labels: Array must contain at most 10 element(s)','message: Required: a push needs one of "
        + "message, title, agentActivity or tokenStream']"), o.getAsJsonArray("errors").toString());
    assertTrue(o.getAsJsonObject("details").getAsJsonObject("fieldErrors").has("labels"));
    Res malformed = send(server.api("/push"), "POST", key, "{'vessel':");
    assertEquals(400, malformed.status());
    assertTrue(malformed.json().get("error").getAsString().startsWith("Malformed JSON"), malformed.toString());
    assertEquals(413, post("/push", "{'vessel':'v','message':'" + "x".repeat(70_000) + "'}").status());
    assertTrue(channel.vessels(ws, null, null).isEmpty(), "nothing was created");
  }

  @Test
  void routesAndMethods() {
    assertEquals(404, get("/nope").status());
    assertEquals(405, send(server.api("/push"), "GET", key, null).status());
    assertEquals(404, get("/vessels/by-external/unknown").status());
    assertEquals(404, get("/messages/unknown").status());
    assertEquals(400, get("/poll?limit=0").status());
    assertEquals(400, get("/vessels?status=sleeping").status());
  }

  @Test
  void fiftyConcurrentPushesWithOneKeyCreateExactlyOneMessage() throws Exception {
    List<CompletableFuture<Res>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(Http.sendAsync(server.api("/push"), "POST", key, j("{'vessel':'booking-123','message':'New booking'}"),
          "Idempotency-Key", "booking-123-confirmation"));
    }
    List<Res> results = new ArrayList<>();
    for (CompletableFuture<Res> f : all) {
      results.add(f.get(30, TimeUnit.SECONDS));
    }
    assertEquals(1, channel.messages(ws, VesselRef.external("booking-123"), 100, null).messages().size());
    List<Res> created = results.stream().filter(r -> r.status() == 200 && r.header("idempotent-replayed") == null)
        .collect(Collectors.toList());
    assertEquals(1, created.size(), "exactly one request did the work");
    String messageId = created.get(0).json().get("messageId").getAsString();
    for (Res r : results) {
      if (r.status() == 200) {
        assertEquals(messageId, r.json().get("messageId").getAsString());
      } else {
        assertEquals(409, r.status(), r.toString());
        assertEquals(j("{'ok':false,'error':'Idempotent request in progress'}"), r.raw().body());
      }
    }
    Res replay = post("/push", "{'vessel':'booking-123','message':'New booking'}", "Idempotency-Key",
        "booking-123-confirmation");
    assertEquals(200, replay.status());
    assertEquals("true", replay.header("idempotent-replayed"));
    assertTrue(replay.json().get("replayed").getAsBoolean());
    JsonObject original = created.get(0).json();
    assertFalse(original.get("replayed").getAsBoolean());
    original.addProperty("replayed", true);
    assertEquals(original, replay.json(), "the original response, replayed");
  }

  @Test
  void aKeyStillInProgressGets409() {
    Idempotency.Started held = assertInstanceOf(Idempotency.Started.class,
        channel.idempotency().begin(ws, "slow-one"));
    Res r = post("/push", "{'vessel':'v','message':'m'}", "Idempotency-Key", "slow-one");
    assertEquals(409, r.status());
    assertEquals(j("{'ok':false,'error':'Idempotent request in progress'}"), r.raw().body());
    assertTrue(channel.vessels(ws, null, null).isEmpty());
    channel.idempotency().abandon(held);
    assertEquals(200, post("/push", "{'vessel':'v','message':'m'}", "Idempotency-Key", "slow-one").status());
  }

  @Test
  void keysExpireAfter24HoursAndAreCheckedForLength() {
    Res first = post("/push", "{'vessel':'v','message':'m'}", "Idempotency-Key", "daily");
    clock.advance(Duration.ofHours(23));
    Res replay = post("/push", "{'vessel':'v','message':'m'}", "Idempotency-Key", "daily");
    assertEquals(first.json().get("messageId"), replay.json().get("messageId"));
    clock.advance(Duration.ofHours(1));
    Res fresh = post("/push", "{'vessel':'v','message':'m'}", "Idempotency-Key", "daily");
    assertNull(fresh.header("idempotent-replayed"));
    assertFalse(first.json().get("messageId").equals(fresh.json().get("messageId")));
    assertEquals(2, channel.messages(ws, VesselRef.external("v"), 10, null).messages().size());
    Res tooLong = post("/push", "{'vessel':'v','message':'m'}", "Idempotency-Key", "k".repeat(256));
    assertEquals(400, tooLong.status());
    assertEquals(j("{'ok':false,'error':'Idempotency-Key must be 1-255 characters'}"), tooLong.raw().body());
    assertEquals(200, post("/push", "{'vessel':'v','message':'m'}", "Idempotency-Key", "k".repeat(255)).status());
    Res invalid = post("/push", "{'vessel':'v'}", "Idempotency-Key", "fix-me");
    assertEquals(400, invalid.status());
    assertEquals(200, post("/push", "{'vessel':'v','message':'fixed'}", "Idempotency-Key", "fix-me").status(),
        "a failed request does not burn its key");
  }

  @Test
  void respondCancelAndDeleteAreIdempotent() {
    String ask = post("/push", "{'vessel':'b','message':'Confirm?','interaction':{'type':'approval','prompt':'OK?'}}")
        .json().get("messageId").getAsString();
    Res r1 = post("/messages/" + ask + "/respond", "{'response':{'action':'approved'}}", "Idempotency-Key", "tap-1");
    assertEquals(200, r1.status());
    Res r2 = post("/messages/" + ask + "/respond", "{'response':{'action':'approved'}}", "Idempotency-Key", "tap-1");
    assertEquals("true", r2.header("idempotent-replayed"));
    assertEquals(r1.json(), r2.json());
    assertEquals(1, channel.poll(ws, 50, false).size(), "one interaction.response, not two");
    Res again = post("/messages/" + ask + "/respond", "{'response':{'action':'approved'}}");
    assertEquals(409, again.status());
    String working = post("/push", "{'vessel':'b','agentActivity':{'type':'thinking'}}").json().get("messageId")
        .getAsString();
    Res c1 = post("/messages/" + working + "/cancel", null, "Idempotency-Key", "stop-1");
    assertEquals(200, c1.status());
    assertFalse(c1.json().get("delivered").getAsBoolean());
    assertEquals("true", post("/messages/" + working + "/cancel", null, "Idempotency-Key", "stop-1")
        .header("idempotent-replayed"));
    Res d1 = send(server.api("/vessels/by-external/b"), "DELETE", key, null, "Idempotency-Key", "del-1");
    assertEquals(200, d1.status());
    Res d2 = send(server.api("/vessels/by-external/b"), "DELETE", key, null, "Idempotency-Key", "del-1");
    assertEquals(200, d2.status());
    assertEquals("true", d2.header("idempotent-replayed"));
    assertEquals(404, send(server.api("/vessels/by-external/b"), "DELETE", key, null).status());
  }

  @Test
  void humanSideAndPollAck() {
    String ask = post("/push", "{'vessel':'booking-123','vesselTitle':'Sarah','labels':['vip'],'message':'Pick',"
        + "'interaction':{'type':'questions','prompt':'Details','questions':[{'id':'date','question':'Which?',"
        + "'options':[{'id':'sat','label':'Sat'},{'id':'sun','label':'Sun'}]}]}}").json().get("messageId")
        .getAsString();
    Res bad = post("/messages/" + ask + "/respond",
        "{'response':{'answers':[{'questionId':'date','selected':['mon']}]}}");
    assertEquals(400, bad.status());
    assertEquals("response.answers[0].selected[0]: Invalid option 'mon'. Expected 'sat' | 'sun'",
        bad.json().getAsJsonArray("errors").get(0).getAsString());
    assertEquals(1, bad.json().getAsJsonArray("errors").size());
    assertEquals(200, post("/messages/" + ask + "/respond", "{'response':{'answers':[{'questionId':'date','selected':"
        + "['sun']}]}}").status());
    Res human = post("/vessels/by-external/booking-123/messages", "{'content':'Make it 3pm'}");
    assertEquals(201, human.status());
    Res polled = get("/poll");
    assertEquals(List.of("interaction.response", "message.user"), types(polled));
    assertEquals(types(polled), types(get("/poll")), "not acked: delivered again");
    JsonObject response = polled.json().getAsJsonArray("events").get(0).getAsJsonObject();
    assertEquals("questions", response.get("interactionType").getAsString());
    assertEquals(j("{'answers':[{'questionId':'date','selected':['sun']}]}"), response.get("response").toString());
    Res acked = get("/poll?ack=true&limit=1");
    assertEquals(List.of("interaction.response"), types(acked));
    String userEventId = get("/poll").json().getAsJsonArray("events").get(0).getAsJsonObject().get("id").getAsString();
    Res ack = post("/poll/ack", "{'ids':['" + userEventId + "']}");
    assertEquals(1, ack.json().get("acked").getAsInt());
    assertEquals(List.of(), types(get("/poll?ack=true")));
    Res vessels = get("/vessels?status=active");
    assertEquals(1, vessels.json().getAsJsonArray("vessels").size());
    JsonObject row = vessels.json().getAsJsonArray("vessels").get(0).getAsJsonObject();
    assertEquals("booking-123", row.get("external_id").getAsString());
    assertEquals("active", row.get("status").getAsString());
    assertEquals(0, get("/vessels?status=waiting").json().getAsJsonArray("vessels").size());
    Res opened = post("/vessels", "{'message':'hello'}");
    assertEquals(403, opened.status());
    assertEquals(j("{'ok':false,'error':'user_vessels_disabled'}"), opened.raw().body());
  }

  private static List<String> types(Res poll) {
    assertEquals(200, poll.status(), poll.toString());
    List<String> out = new ArrayList<>();
    poll.json().getAsJsonArray("events").forEach(e -> out.add(e.getAsJsonObject().get("type").getAsString()));
    return out;
  }

  @Test
  void surfacesEventsAndPushMany() {
    Res s = post("/surface", "{'vessel':'inv-42','title':'Invoice','body':'| a | b |','interaction':{'type':'approval',"
        + "'prompt':'Pay?'}}");
    assertEquals(200, s.status(), s.toString());
    Res e = post("/event", "{'vessel':'monitoring','title':'Stock Alert','tone':'alert'}");
    assertEquals(200, e.status(), e.toString());
    JsonObject row = get("/messages/" + e.json().get("messageId").getAsString()).json().getAsJsonObject("message");
    assertEquals("event", row.get("source").getAsString());
    Res many = post("/push/many", "{'vessels':['booking-101','booking-102'],'message':'Closed Saturday.'}");
    assertEquals(200, many.status());
    assertEquals(2, many.json().getAsJsonArray("results").size());
    assertEquals("booking-102", many.json().getAsJsonArray("results").get(1).getAsJsonObject().get("vessel")
        .getAsString());
    assertFalse(many.json().get("replayed").getAsBoolean());
  }

  @Test
  void workspaceConfigAndUserVessels() {
    Res patched = send(server.api("/workspace"), "PATCH", "admin-token", j("{'userVesselsEnabled':true,"
        + "'vesselTypes':['Ticket']}"));
    assertEquals(200, patched.status(), patched.toString());
    Res opened = post("/vessels", "{'message':'broken link','type':'Ticket'}");
    assertEquals(201, opened.status(), opened.toString());
    assertTrue(opened.json().get("externalId").getAsString().startsWith("web-"));
    JsonObject event = JsonParser.parseString(get("/poll?ack=true").raw().body()).getAsJsonObject()
        .getAsJsonArray("events").get(0).getAsJsonObject();
    assertEquals("vessel.created", event.get("type").getAsString());
    assertEquals("Ticket", event.getAsJsonObject("vessel").get("type").getAsString());
  }
}
