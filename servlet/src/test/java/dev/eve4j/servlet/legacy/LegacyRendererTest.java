package dev.eve4j.servlet.legacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.protocol.Event;
import dev.eve4j.protocol.EventData;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.TokenUsage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical-to-legacy mapping, event by event, on lines encoded as the journal stores them. */
class LegacyRendererTest {
  private static final ContinuationTokens TOKENS =
      new ContinuationTokens("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private static final String SID = "wrun_TEST";

  /** An approval turn: reasoning, text, a tool call, the park, and the resumed step after it. */
  private static List<byte[]> approvalTurn() {
    TokenUsage usage = TokenUsage.of(10, 5);
    EventData.ActionRequest call = new EventData.ActionRequest("call_1", new JsonObject(), "tool-call", "deploy");
    List<EventData> data = List.of(
        new EventData.SessionStarted(new EventData.Runtime("a", "a", "0.80.1")),                       // 0
        new EventData.TurnStarted(0, "turn_0"),                                                         // 1
        new EventData.MessageReceived("approve: x", List.of(EventData.Part.text("approve: x")), 0, "turn_0"),
        new EventData.StepStarted("m", 0, 0, "turn_0"),                                                 // 3
        new EventData.ReasoningAppended("Think", 0, 0, "turn_0"),
        new EventData.ReasoningAppended("ing.", 0, 0, "turn_0"),                                        // 5
        new EventData.ReasoningCompleted("Thinking.", 0, 0, "turn_0"),
        new EventData.MessageAppended("Deploying ", 0, 0, "turn_0"),                                    // 7
        new EventData.MessageAppended("now.", 0, 0, "turn_0"),
        new EventData.MessageCompleted("tool-calls", "Deploying now.", 0, 0, "turn_0"),
        new EventData.ActionsRequested(List.of(call), 0, 0, "turn_0"),                                  // 10
        new EventData.StepCompleted("tool-calls", 0, 0, "turn_0", usage),
        new EventData.InputRequested(List.of(new EventData.InputRequest(call, false, "confirmation", "tool-approval",
            List.of(new EventData.InputOption(null, "approve", "Approve")), "Approve deploy?", "req_1")), 0, 0,
            "turn_0", "call_1"),
        new EventData.TurnWaiting("input", 0, "turn_0", usage),                                         // 13
        new EventData.InputResolved(List.of(), 0, 0, "turn_0"),
        new EventData.StepStarted("m", 0, 1, "turn_0"),                                                 // 15
        new EventData.MessageAppended("Done", 0, 1, "turn_0"),
        new EventData.MessageAppended(".", 0, 1, "turn_0"),
        new EventData.MessageCompleted("stop", "Done.", 0, 1, "turn_0"),
        new EventData.StepCompleted("stop", 0, 1, "turn_0", usage),
        new EventData.TurnCompleted(0, "turn_0"),                                                       // 20
        new EventData.SessionWaiting(SID, usage, "next-user-message"),
        new EventData.TurnWaiting("tasks", 1, "turn_1", usage));                                        // 22
    List<byte[]> lines = new ArrayList<>();
    for (EventData d : data) {
      lines.add(Json.encodeLine(new Event(d, new Event.Meta("2026-01-01T00:00:00.000Z", "evt_" + lines.size(),
          List.of("d1")))));
    }
    return lines;
  }

  private static List<byte[]> renderAll(List<byte[]> lines, int from) {
    LegacyRenderer r = new LegacyRenderer(SID, TOKENS);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (i < from) {
        r.skip(i, lines.get(i));
      } else {
        out.add(r.render(i, lines.get(i)));
      }
    }
    return out;
  }

  private static JsonObject json(byte[] line) {
    String s = new String(line, StandardCharsets.UTF_8);
    assertTrue(s.endsWith("\n") && s.indexOf('\n') == s.length() - 1, "one line: " + s);
    return JsonParser.parseString(s).getAsJsonObject();
  }

  @Test
  void eachEventMapsToOneLegacyLine() {
    List<byte[]> in = approvalTurn();
    List<byte[]> out = renderAll(in, 0);
    assertEquals(in.size(), out.size());

    JsonObject r5 = json(out.get(5)).getAsJsonObject("data");
    assertEquals("ing.", r5.get("reasoningDelta").getAsString());
    assertEquals("Thinking.", r5.get("reasoningSoFar").getAsString());
    JsonObject m8 = json(out.get(8)).getAsJsonObject("data");
    assertEquals("[messageDelta, messageSoFar, sequence, stepIndex, turnId]", m8.keySet().toString());
    assertEquals("Deploying now.", m8.get("messageSoFar").getAsString());
    assertEquals("Done.", json(out.get(17)).getAsJsonObject("data").get("messageSoFar").getAsString(),
        "the text so far restarts with each step");

    JsonObject requested = json(out.get(12)).getAsJsonObject("data");
    assertFalse(requested.has("callId"));
    JsonObject request = requested.getAsJsonArray("requests").get(0).getAsJsonObject();
    assertFalse(request.has("kind"));
    assertEquals("req_1", request.get("requestId").getAsString());
    assertEquals("deploy", request.getAsJsonObject("action").get("toolName").getAsString());

    JsonObject park = json(out.get(13));
    assertEquals("session.waiting", park.get("type").getAsString());
    assertEquals(13, TOKENS.indexOf(SID, park.getAsJsonObject("data").get("continuationToken").getAsString()));
    assertEquals("next-user-message", park.getAsJsonObject("data").get("wait").getAsString());
    assertEquals(10, park.getAsJsonObject("data").getAsJsonObject("usage").get("inputTokens").getAsInt());
    assertEquals("evt_13", park.getAsJsonObject("meta").get("id").getAsString());

    JsonObject waiting = json(out.get(21)).getAsJsonObject("data");
    assertEquals(21, TOKENS.indexOf(SID, waiting.get("continuationToken").getAsString()));

    for (int i : new int[] {0, 1, 2, 3, 6, 9, 10, 11, 14, 15, 18, 19, 20, 22}) {
      assertArrayEquals(in.get(i), out.get(i), "served as stored: event " + i);
    }
  }

  @Test
  void boundariesAreTheSessionWaitingLinesOnly() {
    List<byte[]> in = approvalTurn();
    LegacyRenderer r = new LegacyRenderer(SID, TOKENS);
    List<Integer> boundaries = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      r.render(i, in.get(i));
      if (r.atBoundary()) {
        boundaries.add(i);
      }
      assertEquals(r.atBoundary(), CanonicalLine.isLegacyBoundary(in.get(i)), "event " + i);
    }
    assertEquals(List.of(13, 21), boundaries, "turn.waiting{on:tasks} is not a boundary");
  }

  @Test
  void startingAtAnyResetPointGivesTheSameLines() {
    List<byte[]> in = approvalTurn();
    List<String> full = new ArrayList<>();
    renderAll(in, 0).forEach(b -> full.add(new String(b, StandardCharsets.UTF_8)));
    for (int from = 0; from <= in.size(); from++) {
      int resetPoint = 0;
      for (int i = 0; i < from; i++) {
        if (CanonicalLine.isRendererResetPoint(in.get(i))) {
          resetPoint = i;
        }
      }
      List<String> part = new ArrayList<>();
      renderAll(in.subList(resetPoint, in.size()), from - resetPoint).forEach(b -> part.add(
          new String(b, StandardCharsets.UTF_8)));
      // Tokens depend on the index: renderAll on a sublist counts from 0, so compare types and text only.
      for (int k = 0; k < part.size(); k++) {
        JsonObject a = JsonParser.parseString(full.get(from + k)).getAsJsonObject();
        JsonObject b = JsonParser.parseString(part.get(k)).getAsJsonObject();
        a.getAsJsonObject("data").remove("continuationToken");
        b.getAsJsonObject("data").remove("continuationToken");
        assertEquals(a, b, "from " + from + ", line " + (from + k));
      }
    }
  }

  @Test
  void theTypeIsReadWithoutParsingAndWithoutTheFastPathAlike() {
    assertEquals("session.waiting", CanonicalLine.type("{\"type\":\"session.waiting\",\"data\":{}}\n"
        .getBytes(StandardCharsets.UTF_8)));
    assertEquals("turn.waiting", CanonicalLine.type("{\"data\":{\"on\":\"input\"},\"type\":\"turn.waiting\"}\n"
        .getBytes(StandardCharsets.UTF_8)));
    assertTrue(CanonicalLine.isInputPark("{\"data\":{\"on\":\"input\"},\"type\":\"turn.waiting\"}\n"
        .getBytes(StandardCharsets.UTF_8)));
  }
}
