package dev.eve4j.servlet.channel;

import static dev.eve4j.servlet.channel.Http.j;
import static dev.eve4j.servlet.channel.Http.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.channel.OperatorChannel;
import dev.eve4j.channel.Scope;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.servlet.channel.Http.Res;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The vessel trace over HTTP: quiet by default, verbose in debug mode with the sent-versus-applied diff. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceHttpTest {
  private ChannelTestServer server;
  private String key;

  @BeforeEach
  void start() throws Exception {
    Authenticator admin = Authenticator.staticTokens(Map.of("admin-token", new Principal("ops",
        Set.of("eve4j.admin"))));
    OperatorChannel channel = OperatorChannel.open(EventJournal.inMemory());
    server = ChannelTestServer.start(channel, ChannelServletOptions.defaults().withAdminAuthenticator(admin));
    key = channel.createKey(channel.defaultWorkspace().id(), "agent", Scope.all()).secret();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Res call(String method, String path, String body) {
    return send(server.api(path), method, key, body == null ? null : j(body));
  }

  private JsonObject trace(String vessel) {
    Res r = call("GET", "/vessels/by-external/" + vessel + "/trace", null);
    assertEquals(200, r.status(), r.toString());
    return r.json().getAsJsonObject("trace");
  }

  private static List<JsonObject> ofType(JsonObject trace, String type) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : trace.getAsJsonArray("events")) {
      if (e.getAsJsonObject().get("type").getAsString().equals(type)) {
        out.add(e.getAsJsonObject());
      }
    }
    return out;
  }

  private void debugMode(boolean on) {
    Res r = send(server.api("/workspace"), "PATCH", "admin-token", "{\"debugMode\":" + on + "}");
    assertEquals(200, r.status(), r.toString());
  }

  @Test
  void withoutDebugModeTheTraceKeepsNoRequests() {
    assertEquals(200, call("POST", "/push", "{'vessel':'b1','message':'hi'}").status());
    JsonObject t = trace("b1");
    assertFalse(t.get("verbose").getAsBoolean());
    assertTrue(ofType(t, "agent.request").isEmpty(), t.toString());
    assertEquals(1, ofType(t, "message").size());
    assertEquals(0, t.getAsJsonObject("summary").getAsJsonObject("counts").get("requests").getAsInt());
  }

  @Test
  void debugModeRecordsEachRequestWithItsVerdictAndDiagnostics() {
    debugMode(true);
    String sent = "{'vessel':'b2','message':'Confirm?','vesselTitle':'Booking 2','labels':['vip'],"
        + "'interaction':{'type':'approval','prompt':'Confirm?'}}";
    Res pushed = call("POST", "/push", sent);
    assertEquals(200, pushed.status(), pushed.toString());
    String messageId = pushed.json().get("messageId").getAsString();
    // refused: a second live-interaction field the validator rejects
    Res refused = call("POST", "/push", "{'vessel':'b2','message':'x','interaction':{'type':'approval'}}");
    assertEquals(400, refused.status(), refused.toString());
    // a token stream over 8,000 characters is kept as its last 8,000: the diff says truncated
    String longText = "x".repeat(8_100);
    Res working = call("POST", "/push", "{'vessel':'b2','agentActivity':{'type':'thinking','label':'Planning'}}");
    String workId = working.json().get("messageId").getAsString();
    assertEquals(200, call("PATCH", "/messages/" + workId, "{'tokenStream':'" + longText + "'}").status());
    // a human answer is not an agent request
    assertEquals(200, call("POST", "/messages/" + messageId + "/respond", "{'response':{'action':'approved'}}").status());

    JsonObject t = trace("b2");
    assertTrue(t.get("verbose").getAsBoolean());
    List<JsonObject> requests = ofType(t, "agent.request");
    assertEquals(List.of("POST /push", "POST /push", "POST /push", "PATCH /messages/" + workId),
        requests.stream().map(q -> q.get("method").getAsString() + " " + q.get("path").getAsString()).toList());
    JsonObject first = requests.get(0);
    assertEquals("ok", first.get("verdict").getAsString(), first.toString());
    assertEquals(messageId, first.get("messageId").getAsString());
    assertEquals(j(sent), first.get("body").getAsString(), "the verbatim bytes sent");
    List<String> applied = new ArrayList<>();
    first.getAsJsonArray("diagnostics").forEach(d -> applied.add(d.getAsJsonObject().get("field").getAsString() + ":"
        + d.getAsJsonObject().get("status").getAsString()));
    assertEquals(List.of("message:applied", "vesselTitle:applied", "labels:applied", "interaction:applied"), applied);
    assertEquals("rejected", requests.get(1).get("verdict").getAsString());
    assertEquals(400, requests.get(1).get("status").getAsInt());
    JsonObject patch = requests.get(3);
    assertEquals("degraded", patch.get("verdict").getAsString(), patch.toString());
    JsonObject diag = patch.getAsJsonArray("diagnostics").get(0).getAsJsonObject();
    assertEquals("tokenStream", diag.get("field").getAsString());
    assertEquals("field_truncated", diag.get("code").getAsString());

    JsonObject summary = t.getAsJsonObject("summary");
    JsonArray issues = summary.getAsJsonArray("issues");
    assertEquals(List.of("request_rejected", "field_truncated"),
        issues.asList().stream().map(i -> i.getAsJsonObject().get("code").getAsString()).toList(), issues.toString());
    JsonObject counts = summary.getAsJsonObject("counts");
    assertEquals(4, counts.get("requests").getAsInt());
    assertEquals(1, counts.get("degraded").getAsInt());
    assertEquals(1, counts.get("rejected").getAsInt());
    List<String> order = new ArrayList<>();
    long lastSeq = -1;
    for (JsonElement e : t.getAsJsonArray("events")) {
      long seq = e.getAsJsonObject().get("seq").getAsLong();
      assertTrue(seq > lastSeq, "seq increases");
      lastSeq = seq;
      order.add(e.getAsJsonObject().get("type").getAsString());
    }
    assertTrue(order.contains("human.response") && order.contains("activity.step"), order.toString());
  }

  @Test
  void aVesselPatchIsDiffedAgainstTheVessel() {
    debugMode(true);
    assertEquals(200, call("POST", "/push", "{'vessel':'b3','message':'hi'}").status());
    assertEquals(200, call("PATCH", "/vessels/by-external/b3", "{'title':'Renamed','pinned':true}").status());
    JsonObject q = ofType(trace("b3"), "agent.request").get(1);
    assertEquals("PATCH", q.get("method").getAsString());
    assertEquals("ok", q.get("verdict").getAsString(), q.toString());
    assertEquals(2, q.getAsJsonArray("diagnostics").size(), q.toString());
    debugMode(false);
    assertFalse(trace("b3").get("verbose").getAsBoolean());
    assertTrue(ofType(trace("b3"), "agent.request").isEmpty(), "quiet again once debug mode is off");
  }
}
