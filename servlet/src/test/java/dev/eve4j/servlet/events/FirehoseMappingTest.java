package dev.eve4j.servlet.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.servlet.EventsServletOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The canonical-to-firehose mapping, as a client of {@code /v1/events} sees it, turn by turn. */
@Timeout(60)
class FirehoseMappingTest {
  private static FirehoseServer server;

  @BeforeAll
  static void start() {
    server = FirehoseServer.start(EventsServletOptions.defaults());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aToolTurnStreamsInputStartResultTextAndTheCompleteMessage() throws Exception {
    String id = server.prewarm(null);
    try (Sse feed = server.firehose("conversationKey=" + id)) {
      server.send(id, "{\"message\":\"tool: capitals\"}", null);
      List<Sse.Frame> frames = feed.eventsUntil("message_complete");
      List<String> types = types(frames);
      assertEquals(List.of("tool_input_delta", "tool_input_delta", "tool_use_start", "tool_result",
          "assistant_thinking_delta", "assistant_thinking_delta"), types.subList(0, 6));
      assertTrue(types.subList(6, types.size() - 1).stream().allMatch("assistant_text_delta"::equals), types::toString);
      for (Sse.Frame f : frames) {
        assertEquals(id, f.conversationKey());
        assertEquals("turn_0", f.message().get("turnId").getAsString());
      }

      JsonObject start = frames.get(2).message();
      String callId = start.get("toolUseId").getAsString();
      assertEquals(obj("{\"type\":\"tool_use_start\",\"turnId\":\"turn_0\",\"toolUseId\":\"" + callId
          + "\",\"toolName\":\"lookup\",\"input\":{\"query\":\"capitals\"}}"), start);
      assertEquals("{\"query\":\"capitals\"}", text(frames.subList(0, 2)), "input deltas concatenate to the input");
      assertEquals(callId, frames.get(0).message().get("toolUseId").getAsString());
      assertEquals(obj("{\"type\":\"tool_result\",\"turnId\":\"turn_0\",\"toolUseId\":\"" + callId
          + "\",\"toolName\":\"lookup\",\"status\":\"completed\",\"isError\":false,"
          + "\"output\":{\"query\":\"capitals\",\"hits\":8}}"), frames.get(3).message());
      assertEquals("Summarising tool results.", text(frames.subList(4, 6)));
      String answer = "Tool results: lookup -> {\"query\":\"capitals\",\"hits\":8}";
      assertEquals(answer, text(frames.subList(6, frames.size() - 1)));
      JsonObject done = new JsonObject();
      done.addProperty("type", "message_complete");
      done.addProperty("turnId", "turn_0");
      done.addProperty("message", answer);
      done.add("attachments", new JsonArray());
      assertEquals(done, last(frames).message());
      // ids are the journal indexes of the canonical events
      assertEquals(List.of("4", "5", "6", "7"), frames.subList(0, 4).stream().map(Sse.Frame::id)
          .collect(Collectors.toList()));
    }
  }

  @Test
  void anApprovalIsAConfirmationRequestAndTheAnswerResumesTheTurn() throws Exception {
    String id = server.prewarm(null);
    try (Sse feed = server.firehose("conversationKey=" + id)) {
      server.send(id, "{\"message\":\"approve: production\"}", null);
      List<Sse.Frame> frames = feed.eventsUntil("confirmation_request");
      assertEquals(List.of("tool_input_delta", "tool_input_delta", "tool_use_start", "confirmation_request"),
          types(frames));
      JsonObject request = frames.get(3).message();
      String requestId = request.get("requestId").getAsString();
      String callId = request.get("toolUseId").getAsString();
      assertEquals(obj("{\"type\":\"confirmation_request\",\"turnId\":\"turn_0\",\"requestId\":\"" + requestId
          + "\",\"kind\":\"tool-approval\",\"prompt\":\"Approve Deploy?\",\"toolUseId\":\"" + callId
          + "\",\"toolName\":\"deploy\",\"input\":{\"target\":\"production\"},"
          + "\"options\":[{\"id\":\"approve\",\"label\":\"Approve\"},{\"id\":\"cancel\",\"label\":\"Cancel\"}],"
          + "\"allowFreeform\":false}"), request);

      server.send(id, "{\"inputResponses\":[{\"requestId\":\"" + requestId + "\",\"optionId\":\"approve\"}]}", null);
      List<Sse.Frame> rest = feed.eventsUntil("message_complete");
      assertEquals("tool_result", rest.get(0).type());
      assertEquals(obj("{\"deployed\":\"production\"}"), rest.get(0).message().get("output"));
      assertEquals("Tool results: deploy -> {\"deployed\":\"production\"}",
          rest.get(rest.size() - 1).message().get("message").getAsString());
    }
  }

  @Test
  void twoApprovalsInOneEventAreTwoFramesWithPartIdsAndResumeBetweenThem() throws Exception {
    String id = server.prewarm(null);
    try (Sse feed = server.firehose("conversationKey=" + id)) {
      server.send(id, "{\"message\":\"approveboth: edge\"}", null);
      List<Sse.Frame> frames = feed.eventsUntil("confirmation_request");
      Sse.Frame first = frames.get(frames.size() - 1);
      Sse.Frame second = feed.nextEvent(Sse.WAIT);
      assertEquals("confirmation_request", second.type());
      assertEquals(first.id() + ".1", second.id(), "the second frame of one canonical event");
      assertEquals("edge #2", second.message().getAsJsonObject("input").get("target").getAsString());
      try (Sse resumed = server.firehose("conversationKey=" + id, "Last-Event-ID", first.id())) {
        Sse.Frame again = resumed.nextEvent(Sse.WAIT);
        assertEquals(second.toString(), again.toString(), "resuming after part 0 starts at part 1");
      }
    }
  }

  @Test
  void aQuestionIsAConfirmationRequestWithItsOptions() throws Exception {
    String id = server.prewarm(null);
    try (Sse feed = server.firehose("conversationKey=" + id)) {
      server.send(id, "{\"message\":\"ask: favourite colour?\"}", null);
      JsonObject q = last(feed.eventsUntil("confirmation_request")).message();
      assertEquals("question", q.get("kind").getAsString());
      assertEquals("favourite colour?", q.get("prompt").getAsString());
      assertEquals("ask_question", q.get("toolName").getAsString());
      assertTrue(q.get("allowFreeform").getAsBoolean());
      assertEquals(obj("[{\"description\":\"Pick the color red.\",\"id\":\"Red\",\"label\":\"Red\"},"
          + "{\"description\":\"Pick the color blue.\",\"id\":\"Blue\",\"label\":\"Blue\"}]"), q.get("options"));
      server.send(id, "{\"inputResponses\":[{\"requestId\":\"" + q.get("requestId").getAsString()
          + "\",\"optionId\":\"Blue\"}]}", null);
      List<Sse.Frame> rest = feed.eventsUntil("message_complete");
      assertEquals(obj("{\"answer\":\"Blue\",\"status\":\"answered\"}"), rest.get(0).message().get("output"));
    }
  }

  @Test
  void aCancelledTurnIsGenerationCancelled() throws Exception {
    String id = server.prewarm(null);
    try (Sse feed = server.firehose("conversationKey=" + id)) {
      server.send(id, "{\"message\":\"slow: tortoise\"}", null);
      feed.eventsUntil("assistant_text_delta");
      server.cancel(id, null);
      List<Sse.Frame> rest = feed.eventsUntil("generation_cancelled");
      assertEquals(obj("{\"type\":\"generation_cancelled\",\"turnId\":\"turn_0\"}"), last(rest).message());
      assertFalse(types(rest).contains("message_complete"));
    }
  }

  @Test
  void structuredOutputIsTheResultOfMessageComplete() throws Exception {
    String id = server.prewarm(null);
    try (Sse feed = server.firehose("conversationKey=" + id)) {
      server.send(id, "{\"message\":\"count\",\"outputSchema\":{\"type\":\"object\",\"properties\":"
          + "{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}}", null);
      JsonObject done = last(feed.eventsUntil("message_complete")).message();
      assertNull(done.get("message"), "no assistant text in a structured-output turn");
      assertTrue(done.getAsJsonObject("result").get("n").getAsJsonPrimitive().isNumber(), done::toString);
    }
  }

  /**
   * Canonical events eve4j does not emit yet ({@code agent.started}, {@code action.partial}) and a
   * two-call {@code actions.requested}, written straight into the journal and read by a resumed
   * conversation feed (which maps journal lines, exactly as the live path does).
   */
  @Test
  void handoffsPartialOutputAndMultiCallRequestsMapFromTheJournal() throws Exception {
    String id = server.prewarm(null);
    String meta = ",\"meta\":{\"at\":\"2026-01-01T00:00:00.000Z\",\"id\":\"evt_x\",\"deliveryIds\":[]}}\n";
    for (String line : List.of(
        "{\"type\":\"turn.started\",\"data\":{\"sequence\":0,\"turnId\":\"turn_0\"}",
        "{\"type\":\"agent.started\",\"data\":{\"callId\":\"call_1\",\"turnId\":\"turn_0\",\"name\":\"researcher\","
            + "\"sessionId\":\"wrun_child\",\"streamPath\":\"/x\"}",
        "{\"type\":\"action.partial\",\"data\":{\"result\":{\"kind\":\"tool-result\",\"callId\":\"call_2\","
            + "\"toolName\":\"grep\",\"output\":{\"lines\":[\"a\"]}},\"sequence\":0,\"stepIndex\":0,\"turnId\":\"turn_0\"}",
        "{\"type\":\"actions.requested\",\"data\":{\"actions\":[{\"callId\":\"c1\",\"input\":{},\"kind\":\"tool-call\","
            + "\"toolName\":\"a\"},{\"callId\":\"c2\",\"input\":{\"q\":1},\"kind\":\"tool-call\",\"toolName\":\"b\"}],"
            + "\"sequence\":0,\"stepIndex\":0,\"turnId\":\"turn_0\"}",
        "{\"type\":\"step.completed\",\"data\":{\"finishReason\":\"stop\",\"sequence\":0,\"stepIndex\":0,\"turnId\":\"turn_0\"}")) {
      server.journal().append(id, (line + meta).getBytes(StandardCharsets.UTF_8));
    }
    try (Sse feed = server.firehose("conversationKey=" + id, "Last-Event-ID", "0")) {
      Sse.Frame handoff = feed.nextEvent(Sse.WAIT);
      assertEquals("1", handoff.id());
      assertEquals(obj("{\"type\":\"generation_handoff\",\"turnId\":\"turn_0\",\"toolUseId\":\"call_1\","
          + "\"agentName\":\"researcher\",\"childConversationKey\":\"wrun_child\"}"), handoff.message());
      Sse.Frame chunk = feed.nextEvent(Sse.WAIT);
      assertEquals("2", chunk.id());
      assertEquals(obj("{\"type\":\"tool_output_chunk\",\"turnId\":\"turn_0\",\"toolUseId\":\"call_2\","
          + "\"toolName\":\"grep\",\"output\":{\"lines\":[\"a\"]}}"), chunk.message());
      Sse.Frame a = feed.nextEvent(Sse.WAIT);
      Sse.Frame b = feed.nextEvent(Sse.WAIT);
      assertEquals(List.of("3", "3.1"), List.of(a.id(), b.id()));
      assertEquals(obj("{\"type\":\"tool_use_start\",\"turnId\":\"turn_0\",\"toolUseId\":\"c2\",\"toolName\":\"b\","
          + "\"input\":{\"q\":1}}"), b.message());
      // step.completed (4) has no firehose type; the next frame is the first of a real turn
      // (session.started 5, turn.started 6, message.received 7, step.started 8, reasoning.appended 9).
      server.send(id, "{\"message\":\"hi\"}", null);
      Sse.Frame next = feed.nextEvent(Sse.WAIT);
      assertNotNull(next);
      assertEquals("9", next.id());
      assertEquals("assistant_thinking_delta", next.type());
    }
  }

  private static List<String> types(List<Sse.Frame> frames) {
    return frames.stream().map(Sse.Frame::type).collect(Collectors.toList());
  }

  private static String text(List<Sse.Frame> frames) {
    return frames.stream().map(f -> f.message().get("text").getAsString()).collect(Collectors.joining());
  }

  private static Sse.Frame last(List<Sse.Frame> frames) {
    return frames.get(frames.size() - 1);
  }

  private static com.google.gson.JsonElement obj(String json) {
    return JsonParser.parseString(json);
  }
}
