package dev.eve4j.servlet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code POST /chat} runs of the demo agent on a real Jetty, read as SSE as they stream. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayChatTest {
  private static GatewayTestServer server;

  @BeforeAll
  static void start() {
    server = GatewayTestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String text(List<SseClient.Frame> frames, String type) {
    return frames.stream().filter(f -> f.type().equals(type)).map(f -> f.string("content"))
        .collect(Collectors.joining());
  }

  private static List<SseClient.Frame> ofType(List<SseClient.Frame> frames, String type) {
    return frames.stream().filter(f -> f.type().equals(type)).collect(Collectors.toList());
  }

  private static List<String> types(List<SseClient.Frame> frames) {
    return frames.stream().map(SseClient.Frame::type).distinct().collect(Collectors.toList());
  }

  @Test
  void textOnlyRunStreamsAndEnds() {
    SseClient sse = server.chat("{\"message\":\"hello there\"}");
    assertEquals(200, sse.status);
    assertTrue(sse.contentType.startsWith("text/event-stream"), sse.contentType);
    List<SseClient.Frame> frames = sse.rest();
    assertEquals(List.of("connected", "harness_start", "reasoning", "text", "usage", "harness_end"), types(frames));
    String sessionId = frames.get(0).string("sessionId");
    assertTrue(server.runtime().sessions().state(sessionId).isPresent(), sessionId);
    SseClient.Frame start = frames.get(1);
    String runId = start.string("runId");
    assertEquals("eve4j-agent", start.string("agentId"));
    assertEquals("eve4j/scripted", start.string("model"));
    assertEquals("Echo: hello there", text(frames, "text"));
    assertEquals("Thinking about it.", text(frames, "reasoning"));
    for (SseClient.Frame f : frames.subList(1, frames.size())) {
      assertEquals(runId, f.string("runId"), f.toString());
      assertEquals(f.type(), f.string("type"));
    }
    SseClient.Frame usage = ofType(frames, "usage").get(0);
    assertTrue(usage.data().get("inputTokens").getAsLong() > 0, usage.toString());
    assertTrue(usage.data().has("outputTokens"), usage.toString());
    SseClient.Frame end = frames.get(frames.size() - 1);
    assertEquals("harness_end", end.type());
    assertEquals("completed", end.string("status"));
    GatewayTestServer.await("the run is released", () -> server.gateway().openRuns() == 0);
    // The run is an eve session like any other, owned by the caller.
    assertEquals("anonymous", server.runtime().sessions().owner(sessionId).orElseThrow());
  }

  @Test
  void aSessionIdContinuesTheConversation() {
    List<SseClient.Frame> first = server.chat("{\"message\":\"first\"}").rest();
    String sessionId = first.get(0).string("sessionId");
    String firstRun = first.get(1).string("runId");
    // The response ends once the session is idle again: the next message can follow at once.
    assertEquals(dev.eve4j.session.SessionState.WAITING, server.runtime().sessions().state(sessionId).orElseThrow());
    List<SseClient.Frame> second = server.chat("{\"sessionId\":\"" + sessionId + "\",\"message\":\"and again\"}").rest();
    assertEquals(sessionId, second.get(0).string("sessionId"));
    assertEquals("harness_start", second.get(1).type());
    assertNotEquals(firstRun, second.get(1).string("runId"));
    assertEquals("Echo: and again", text(second, "text"), "only the new run is streamed");
    assertEquals("completed", second.get(second.size() - 1).string("status"));
  }

  @Test
  void messagesListGivesTheLastUserMessageAndEarlierContext() {
    String body = "{\"model\":\"eve4j/scripted\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
        + "{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"Echo: hi\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"tell me\"}]}]}";
    List<SseClient.Frame> frames = server.chat(body).rest();
    assertEquals("Echo: tell me", text(frames, "text"));
    String sessionId = frames.get(0).string("sessionId");
    JsonObject received = server.journal(sessionId).stream()
        .filter(e -> e.get("type").getAsString().equals("message.received")).findFirst().orElseThrow();
    assertEquals("tell me", received.getAsJsonObject("data").get("message").getAsString());
  }

  @Test
  void toolCallAndResult() {
    List<SseClient.Frame> frames = server.chat("{\"message\":\"tool: weather\"}").rest();
    SseClient.Frame call = ofType(frames, "tool_call").get(0);
    assertEquals("lookup", call.string("name"));
    assertEquals("weather", call.data().getAsJsonObject("input").get("query").getAsString());
    SseClient.Frame result = ofType(frames, "tool_result").get(0);
    assertEquals(call.string("id"), result.string("id"));
    assertEquals("lookup", result.string("name"));
    assertEquals("completed", result.string("status"));
    assertFalse(result.data().get("isError").getAsBoolean());
    assertEquals(JsonParser.parseString("{\"query\":\"weather\",\"hits\":7}"), result.data().get("output"));
    assertTrue(frames.indexOf(call) < frames.indexOf(result));
    assertTrue(text(frames, "text").startsWith("Tool results: lookup -> "), text(frames, "text"));
    assertEquals(2, ofType(frames, "usage").size(), "one usage per model step");
    assertEquals("completed", frames.get(frames.size() - 1).string("status"));
  }

  @Test
  void modelFailureIsAnErrorEventThenTheEnd() {
    List<SseClient.Frame> frames = server.chat("{\"message\":\"fail: boom\"}").rest();
    SseClient.Frame error = ofType(frames, "error").get(0);
    assertEquals("error", error.string("type"));
    assertTrue(error.string("message").contains("boom"), error.toString());
    SseClient.Frame end = frames.get(frames.size() - 1);
    assertEquals("harness_end", end.type());
    assertEquals("failed", end.string("status"));
  }

  @Test
  void aResetSessionEndsTheRunWithAnError() {
    SseClient sse = server.chat("{\"message\":\"slow: steps\"}");
    List<SseClient.Frame> seen = sse.until("text");
    String sessionId = seen.get(0).string("sessionId");
    HttpResponse<String> reset = server.request("POST", "/eve/v1/session/" + sessionId + "/reset", "{}");
    assertEquals(200, reset.statusCode(), reset.body());
    List<SseClient.Frame> rest = sse.rest();
    SseClient.Frame error = ofType(rest, "error").get(0);
    assertEquals("The session ended before the run finished.", error.string("message"));
    assertEquals("cancelled", rest.get(rest.size() - 1).string("status"));
    GatewayTestServer.await("the run is released", () -> server.gateway().openRuns() == 0);
  }

  @Test
  void modelsListsTheRuntimesModel() {
    HttpResponse<String> r = server.request("GET", "/models", null);
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    assertEquals(JsonParser.parseString(
        "{\"models\":[{\"id\":\"eve4j/scripted\",\"provider\":\"eve4j\"}],\"defaultModel\":\"eve4j/scripted\"}"),
        JsonParser.parseString(r.body()));
    // Its spellings are accepted; another model is not.
    assertEquals("completed", last(server.chat("{\"model\":\"eve4j:scripted\",\"message\":\"a\"}").rest()));
    assertEquals("completed", last(server.chat("{\"model\":\"scripted\",\"message\":\"a\"}").rest()));
  }

  private static String last(List<SseClient.Frame> frames) {
    return frames.get(frames.size() - 1).string("status");
  }
}
