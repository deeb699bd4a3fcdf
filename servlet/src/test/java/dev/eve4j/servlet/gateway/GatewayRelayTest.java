package dev.eve4j.servlet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Permission relays: a tool that needs approval parks the run until {@code POST /chat/relay/{id}}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayRelayTest {
  private static GatewayTestServer server;

  @BeforeAll
  static void start() {
    server = GatewayTestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static List<SseClient.Frame> ofType(List<SseClient.Frame> frames, String type) {
    return frames.stream().filter(f -> f.type().equals(type)).collect(Collectors.toList());
  }

  private static String text(List<SseClient.Frame> frames) {
    return ofType(frames, "text").stream().map(f -> f.string("content")).collect(Collectors.joining());
  }

  /** Starts {@code approve: <target>} and reads up to its relay. */
  private static SseClient parkedRun(String target, List<SseClient.Frame> seen) {
    SseClient sse = server.chat("{\"message\":\"approve: " + target + "\"}");
    seen.addAll(sse.until("relay"));
    return sse;
  }

  @Test
  void approvedRelayRunsTheToolAndTheStreamGoesOn() {
    List<SseClient.Frame> seen = new java.util.ArrayList<>();
    SseClient sse = parkedRun("prod", seen);
    SseClient.Frame call = ofType(seen, "tool_call").get(0);
    SseClient.Frame relay = seen.get(seen.size() - 1);
    assertEquals("permission", relay.string("kind"));
    assertEquals("deploy", relay.string("tool"));
    assertEquals(call.string("id"), relay.string("toolCallId"));
    assertEquals(JsonParser.parseString("{\"target\":\"prod\"}"), relay.data().get("params"));
    String relayId = relay.string("relayId");
    assertEquals(1, server.gateway().openRelays());

    String sessionId = seen.get(0).string("sessionId");
    HttpResponse<String> r = server.relay(relayId,
        "{\"sessionId\":\"" + sessionId + "\",\"response\":{\"approved\":true}}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(JsonParser.parseString("{\"success\":true}"), JsonParser.parseString(r.body()));

    List<SseClient.Frame> rest = sse.rest();
    SseClient.Frame result = ofType(rest, "tool_result").get(0);
    assertEquals("completed", result.string("status"));
    assertEquals(JsonParser.parseString("{\"deployed\":\"prod\"}"), result.data().get("output"));
    assertTrue(text(rest).startsWith("Tool results: deploy -> "), text(rest));
    assertEquals("completed", rest.get(rest.size() - 1).string("status"));
    assertEquals(0, server.gateway().openRelays());
  }

  @Test
  void deniedRelayReportsTheReasonAndTheToolNeverRuns() {
    List<SseClient.Frame> seen = new java.util.ArrayList<>();
    SseClient sse = parkedRun("staging", seen);
    String relayId = seen.get(seen.size() - 1).string("relayId");
    HttpResponse<String> r = server.relay(relayId, "{\"response\":{\"approved\":false,\"reason\":\"not today\"}}");
    assertEquals(200, r.statusCode(), r.body());
    List<SseClient.Frame> rest = sse.rest();
    SseClient.Frame result = ofType(rest, "tool_result").get(0);
    assertEquals("rejected", result.string("status"));
    assertTrue(result.data().get("isError").getAsBoolean());
    JsonObject error = result.data().getAsJsonObject("error");
    assertEquals("TOOL_EXECUTION_DENIED", error.get("code").getAsString());
    assertTrue(error.get("message").getAsString().contains("not today"), error.toString());
    assertTrue(text(rest).contains("denied"), text(rest));
    assertEquals("completed", rest.get(rest.size() - 1).string("status"));
  }

  @Test
  void aRelayAnsweredTwiceRunsTheToolOnce() throws Exception {
    List<SseClient.Frame> seen = new java.util.ArrayList<>();
    SseClient sse = parkedRun("twice", seen);
    String sessionId = seen.get(0).string("sessionId");
    String relayId = seen.get(seen.size() - 1).string("relayId");
    String approve = "{\"response\":{\"approved\":true}}";
    String deny = "{\"response\":{\"approved\":false}}";
    // Two answers at once: exactly one is taken.
    CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> server.relay(relayId, approve));
    CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> server.relay(relayId, deny));
    List<Integer> statuses = List.of(a.get(20, TimeUnit.SECONDS).statusCode(), b.get(20, TimeUnit.SECONDS).statusCode());
    assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
    assertEquals(1, statuses.stream().filter(s -> s == 404).count(), statuses.toString());
    HttpResponse<String> loser = a.get().statusCode() == 404 ? a.get() : b.get();
    assertTrue(GatewayTestServer.json(loser).get("error").getAsString().contains(relayId), loser.body());

    List<SseClient.Frame> rest = sse.rest();
    assertEquals(1, ofType(rest, "tool_result").size(), rest.toString());
    // And once more after the run: still 404, still one result in the session.
    HttpResponse<String> late = server.relay(relayId, approve);
    assertEquals(404, late.statusCode());
    long results = server.journal(sessionId).stream().filter(e -> e.get("type").getAsString().equals("action.result"))
        .count();
    assertEquals(1, results);
  }

  @Test
  void unknownRelayIs404() {
    HttpResponse<String> r = server.relay("aitxt-nope", "{\"response\":{\"approved\":true}}");
    assertEquals(404, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    assertEquals("Relay 'aitxt-nope' not found or already answered.",
        GatewayTestServer.json(r).get("error").getAsString());
  }

  @Test
  void badRelayBodiesAre400AndLeaveTheRelayOpen() {
    List<SseClient.Frame> seen = new java.util.ArrayList<>();
    SseClient sse = parkedRun("carefully", seen);
    String relayId = seen.get(seen.size() - 1).string("relayId");
    assertBad(server.relay(relayId, "{\"response\":"), "Invalid JSON body.");
    assertBad(server.relay(relayId, "[]"), "Expected a JSON object.");
    assertBad(server.relay(relayId, "{}"), "Missing 'response'");
    assertBad(server.relay(relayId, "{\"response\":true}"), "Expected 'response' to be an object");
    assertBad(server.relay(relayId, "{\"response\":{}}"), "Missing 'response.approved'");
    assertBad(server.relay(relayId, "{\"response\":{\"approved\":\"yes\"}}"), "'response.approved' to be a boolean");
    assertBad(server.relay(relayId, "{\"response\":{\"approved\":false,\"reason\":7}}"), "'response.reason'");
    // Another session's id in the body does not find it.
    assertEquals(404, server.relay(relayId, "{\"sessionId\":\"ses_other\",\"response\":{\"approved\":true}}")
        .statusCode());
    assertEquals(1, server.gateway().openRelays());
    assertEquals(200, server.relay(relayId, "{\"response\":{\"approved\":true}}").statusCode());
    List<SseClient.Frame> rest = sse.rest();
    assertEquals("completed", ofType(rest, "tool_result").get(0).string("status"));
  }

  private static void assertBad(HttpResponse<String> r, String error) {
    assertEquals(400, r.statusCode(), r.body());
    String message = GatewayTestServer.json(r).get("error").getAsString();
    assertTrue(message.contains(error), message);
  }

  @Test
  void aQuestionIsARelayAnsweredWithText() {
    SseClient sse = server.chat("{\"message\":\"ask: which colour?\"}");
    List<SseClient.Frame> seen = sse.until("relay");
    SseClient.Frame relay = seen.get(seen.size() - 1);
    assertEquals("question", relay.string("kind"));
    assertEquals(JsonParser.parseString("[\"Red\",\"Blue\"]"), relay.data().get("options"));
    String relayId = relay.string("relayId");
    assertEquals(400, server.relay(relayId, "{\"response\":{\"approved\":true}}").statusCode());
    assertEquals(200, server.relay(relayId, "{\"response\":{\"answer\":\"Blue\"}}").statusCode());
    List<SseClient.Frame> rest = sse.rest();
    SseClient.Frame result = ofType(rest, "tool_result").get(0);
    assertEquals("ask_question", result.string("name"));
    assertTrue(result.data().get("output").toString().contains("Blue"), result.toString());
    assertEquals("completed", rest.get(rest.size() - 1).string("status"));
  }

  @Test
  void aSessionWithARunGoingIsBusy() {
    List<SseClient.Frame> seen = new java.util.ArrayList<>();
    SseClient sse = parkedRun("busy", seen);
    String sessionId = seen.get(0).string("sessionId");
    SseClient second = server.chat("{\"sessionId\":\"" + sessionId + "\",\"message\":\"me too\"}");
    assertEquals(409, second.status);
    assertTrue(JsonParser.parseString(second.body).getAsJsonObject().get("error").getAsString().contains("busy"),
        second.body);
    String relayId = seen.get(seen.size() - 1).string("relayId");
    assertEquals(200, server.relay(relayId, "{\"response\":{\"approved\":true}}").statusCode());
    assertEquals("completed", sse.rest().stream().filter(f -> f.type().equals("harness_end")).findFirst()
        .orElseThrow().string("status"));
  }
}
