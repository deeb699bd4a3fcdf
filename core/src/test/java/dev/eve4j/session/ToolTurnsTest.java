package dev.eve4j.session;

import static dev.eve4j.session.Harness.collapsed;
import static dev.eve4j.session.Harness.data;
import static dev.eve4j.session.Harness.first;
import static dev.eve4j.session.Harness.type;
import static dev.eve4j.session.Harness.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.protocol.Requests;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tools, approvals, questions and steering with the demo agent (golden scenarios 03, 04, 05, 14, 15, 16). */
@Timeout(30)
class ToolTurnsTest {
  private final Harness h = new Harness(EveRuntime.builder().build());

  @AfterEach
  void close() {
    h.close();
  }

  private static List<JsonObject> ofType(List<JsonObject> events, String t) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject e : events) {
      if (e.get("type").getAsString().equals(t)) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void aToolCallRunsAndTheNextStepSummarises() throws Exception {
    String id = h.create("tool: weather in Paris");
    List<JsonObject> events = h.read(id, 0, type("session.waiting"));
    assertEquals(List.of("session.started", "turn.started", "message.received", "step.started",
        "action.input.appended", "actions.requested", "action.result", "step.completed", "step.started",
        "reasoning.appended", "reasoning.completed", "message.appended", "message.completed", "step.completed",
        "turn.completed", "session.waiting"), collapsed(events));
    JsonObject result = data(first(events, "action.result"));
    assertEquals("completed", result.get("status").getAsString());
    assertEquals("{\"query\":\"weather in Paris\",\"hits\":16}", result.getAsJsonObject("result").get("output").toString());
    assertEquals("Tool results: lookup -> {\"query\":\"weather in Paris\",\"hits\":16}",
        data(first(events, "message.completed")).get("message").getAsString());
    assertEquals(20, data(events.get(events.size() - 1)).getAsJsonObject("usage").get("inputTokens").getAsInt());
  }

  @Test
  void parallelCallsGetOneActionsRequestedEachAndResultsInCallOrder() throws Exception {
    String id = h.create("parallel: capitals");
    List<JsonObject> events = h.read(id, 0, type("session.waiting"));
    List<JsonObject> requested = ofType(events, "actions.requested");
    List<JsonObject> results = ofType(events, "action.result");
    assertEquals(2, requested.size());
    assertEquals(2, results.size());
    assertTrue(data(results.get(0)).getAsJsonObject("result").get("callId").getAsString().endsWith("_0"));
    assertTrue(data(results.get(1)).getAsJsonObject("result").get("callId").getAsString().endsWith("_1"));
  }

  @Test
  void anApprovalParksTheTurnAndApprovingResumesTheSameTurn() throws Exception {
    String id = h.create("approve: production");
    List<JsonObject> parked = h.read(id, 0, type("turn.waiting"));
    assertEquals(List.of("session.started", "turn.started", "message.received", "step.started",
        "action.input.appended", "actions.requested", "step.completed", "input.requested", "turn.waiting"),
        collapsed(parked));
    JsonObject request = data(first(parked, "input.requested")).getAsJsonArray("requests").get(0).getAsJsonObject();
    assertEquals("tool-approval", request.get("kind").getAsString());
    assertEquals("Approve Deploy?", request.get("prompt").getAsString());
    assertEquals("confirmation", request.get("display").getAsString());
    assertEquals("deploy", request.getAsJsonObject("action").get("toolName").getAsString());
    assertEquals(SessionState.RUNNING, h.sessions.state(id).orElseThrow());
    String requestId = request.get("requestId").getAsString();
    h.answer(id, new Requests.InputResponse(requestId, "approve", null));
    List<JsonObject> rest = h.read(id, parked.size(), type("session.waiting"));
    assertEquals(List.of("approval.settled", "input.resolved", "step.started", "action.result", "reasoning.appended",
        "reasoning.completed", "message.appended", "message.completed", "step.completed", "turn.completed",
        "session.waiting"), collapsed(rest));
    assertEquals("turn_0", data(first(rest, "step.started")).get("turnId").getAsString());
    assertEquals(1, data(first(rest, "step.started")).get("stepIndex").getAsInt());
    assertEquals("{\"deployed\":\"production\"}",
        data(first(rest, "action.result")).getAsJsonObject("result").get("output").toString());
    String original = parked.get(0).getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString();
    assertEquals(original, rest.get(0).getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString(),
        "events after an answer keep the turn's delivery id");
  }

  @Test
  void aDenialRejectsTheCallWithThePersonsNote() throws Exception {
    String id = h.create("approve: staging");
    List<JsonObject> parked = h.read(id, 0, type("turn.waiting"));
    String requestId = data(first(parked, "input.requested")).getAsJsonArray("requests").get(0).getAsJsonObject()
        .get("requestId").getAsString();
    h.answer(id, new Requests.InputResponse(requestId, "cancel", "Not today."));
    List<JsonObject> rest = h.read(id, parked.size(), type("session.waiting"));
    assertEquals(List.of("approval.settled", "input.resolved", "action.result", "step.started"),
        types(rest).subList(0, 4));
    JsonObject result = data(first(rest, "action.result"));
    assertEquals("rejected", result.get("status").getAsString());
    assertEquals("TOOL_EXECUTION_DENIED", result.getAsJsonObject("error").get("code").getAsString());
    assertEquals("Tool execution was denied. The person who denied it wrote: \"Not today.\"",
        result.getAsJsonObject("error").get("message").getAsString());
    assertEquals("denied", data(first(rest, "input.resolved")).getAsJsonArray("resolutions").get(0)
        .getAsJsonObject().get("outcome").getAsString());
    assertTrue(data(first(rest, "message.completed")).get("message").getAsString()
        .startsWith("Tool results: deploy -> denied (Tool execution was denied."));
  }

  @Test
  void fiftyConcurrentDuplicateAnswersResumeTheTurnExactlyOnce() throws Exception {
    String id = h.create("approve: production");
    List<JsonObject> parked = h.read(id, 0, type("turn.waiting"));
    String requestId = data(first(parked, "input.requested")).getAsJsonArray("requests").get(0).getAsJsonObject()
        .get("requestId").getAsString();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> posts = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        posts.add(pool.submit(() -> {
          go.await();
          return h.answer(id, new Requests.InputResponse(requestId, "approve", null));
        }));
      }
      go.countDown();
      for (Future<String> p : posts) {
        assertFalse(p.get(10, TimeUnit.SECONDS).isEmpty());
      }
    } finally {
      pool.shutdownNow();
    }
    h.read(id, parked.size(), type("session.waiting"));
    // Anything a duplicate could have started would be queued behind; a later message proves the queue is empty.
    String next = h.send(id, "after");
    h.read(id, 0, e -> type("session.waiting").test(e)
        && e.getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString().contains(next));
    List<JsonObject> all = h.all(id);
    assertEquals(1, ofType(all, "approval.settled").size());
    assertEquals(1, ofType(all, "input.resolved").size());
    assertEquals(1, ofType(all, "action.result").size());
    assertEquals(2, ofType(all, "turn.started").size(), "the duplicates started no turn: " + types(all));
  }

  @Test
  void twoParallelApprovalsAnsweredOneByOneWaitForTheSecond() throws Exception {
    h.close();
    Harness two = new Harness(EveRuntime.builder().agent(TestAgents.twoDeploys()).build());
    try {
      String id = two.create("deploy both");
      List<JsonObject> parked = two.read(id, 0, type("turn.waiting"));
      List<JsonObject> requests = new ArrayList<>();
      data(first(parked, "input.requested")).getAsJsonArray("requests").forEach(r -> requests.add(r.getAsJsonObject()));
      assertEquals(2, requests.size());
      String r0 = requests.get(0).get("requestId").getAsString();
      String r1 = requests.get(1).get("requestId").getAsString();
      assertFalse(r0.equals(r1), "each parallel call has its own request id");
      two.answer(id, new Requests.InputResponse(r0, "approve", null));
      List<JsonObject> afterFirst = two.read(id, parked.size(), type("turn.waiting"));
      assertEquals(List.of("approval.settled", "input.resolved", "turn.waiting"), types(afterFirst));
      two.answer(id, new Requests.InputResponse(r1, "cancel", null));
      List<JsonObject> rest = two.read(id, parked.size() + afterFirst.size(), type("session.waiting"));
      List<JsonObject> results = ofType(rest, "action.result");
      assertEquals(2, results.size());
      assertEquals("rejected", data(results.get(0)).get("status").getAsString(), "denial reported first");
      assertEquals("completed", data(results.get(1)).get("status").getAsString());
    } finally {
      two.close();
    }
  }

  @Test
  void twoParallelApprovalsAnsweredInOnePost() throws Exception {
    h.close();
    Harness two = new Harness(EveRuntime.builder().agent(TestAgents.twoDeploys()).build());
    try {
      String id = two.create("deploy both");
      List<JsonObject> parked = two.read(id, 0, type("turn.waiting"));
      List<String> ids = new ArrayList<>();
      data(first(parked, "input.requested")).getAsJsonArray("requests")
          .forEach(r -> ids.add(r.getAsJsonObject().get("requestId").getAsString()));
      two.answer(id, new Requests.InputResponse(ids.get(0), "approve", null),
          new Requests.InputResponse(ids.get(1), "approve", null));
      List<JsonObject> rest = two.read(id, parked.size(), type("session.waiting"));
      assertEquals(List.of("approval.settled", "approval.settled", "input.resolved", "step.started", "action.result",
          "action.result"), types(rest).subList(0, 6));
      assertEquals(2, data(first(rest, "input.resolved")).getAsJsonArray("resolutions").size());
    } finally {
      two.close();
    }
  }

  @Test
  void cancelWhileParkedEndsTheTurnAndALateAnswerChangesNothing() throws Exception {
    String id = h.create("approve: production");
    List<JsonObject> parked = h.read(id, 0, type("turn.waiting"));
    String requestId = data(first(parked, "input.requested")).getAsJsonArray("requests").get(0).getAsJsonObject()
        .get("requestId").getAsString();
    assertEquals(ControlOutcome.ACCEPTED, h.sessions.cancel(id, new Requests.Cancel(null)).get(5, TimeUnit.SECONDS));
    List<JsonObject> rest = h.read(id, parked.size(), type("session.waiting"));
    assertEquals(List.of("turn.cancelled", "session.waiting"), types(rest));
    long tail = h.sessions.tailIndex(id);
    h.answer(id, new Requests.InputResponse(requestId, "approve", null));
    h.sessions.compact(id).get(5, TimeUnit.SECONDS); // a barrier: runs after the answer was routed
    List<JsonObject> after = h.read(id, tail + 1, type("session.waiting"));
    assertEquals("compaction.requested", types(after).get(0), "the late answer started nothing: " + types(after));
  }

  @Test
  void aQuestionWithOptionsIsAnsweredByOption() throws Exception {
    String id = h.create("ask: Which color do you prefer?");
    List<JsonObject> parked = h.read(id, 0, e -> type("turn.waiting").test(e)
        && data(e).get("on").getAsString().equals("input"));
    assertEquals(List.of("session.started", "turn.started", "message.received", "step.started",
        "action.input.appended", "actions.requested", "step.completed", "turn.waiting", "input.requested",
        "turn.waiting"), collapsed(parked));
    JsonObject requested = first(parked, "input.requested");
    assertNull(requested.getAsJsonObject("meta").get("deliveryIds"), "question events carry no delivery ids");
    JsonObject request = data(requested).getAsJsonArray("requests").get(0).getAsJsonObject();
    assertEquals("question", request.get("kind").getAsString());
    assertEquals("select", request.get("display").getAsString());
    assertEquals(id + "-ask-1", request.get("requestId").getAsString());
    assertEquals("Red", request.getAsJsonArray("options").get(0).getAsJsonObject().get("id").getAsString());
    h.answer(id, new Requests.InputResponse(request.get("requestId").getAsString(), "Red", null));
    List<JsonObject> rest = h.read(id, parked.size(), type("session.waiting"));
    assertEquals(List.of("input.resolved", "action.result", "step.started"), types(rest).subList(0, 3));
    assertEquals("{\"answer\":\"Red\",\"status\":\"answered\"}",
        data(first(rest, "action.result")).getAsJsonObject("result").get("output").toString());
  }

  @Test
  void anOpenQuestionIsAnsweredByAPlainMessageThatJoinsTheTurn() throws Exception {
    String id = h.create("askfree: What is your name?");
    List<JsonObject> parked = h.read(id, 0, e -> type("turn.waiting").test(e)
        && data(e).get("on").getAsString().equals("input"));
    JsonObject request = data(first(parked, "input.requested")).getAsJsonArray("requests").get(0).getAsJsonObject();
    assertEquals("text", request.get("display").getAsString());
    String delivery = h.send(id, "Alice");
    List<JsonObject> rest = h.read(id, parked.size(), type("session.waiting"));
    assertEquals(List.of("message.received", "input.resolved", "action.result"), types(rest).subList(0, 3));
    assertEquals(2, rest.get(0).getAsJsonObject("meta").getAsJsonArray("deliveryIds").size());
    assertTrue(rest.get(rest.size() - 1).getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString()
        .contains(delivery));
    assertEquals("{\"answer\":\"Alice\",\"status\":\"answered\"}",
        data(first(rest, "action.result")).getAsJsonObject("result").get("output").toString());
  }

  @Test
  void aMessageWhileTheModelReasonsSteersTheTurn() throws Exception {
    String id = h.create("slowthink: third turn");
    h.read(id, 0, type("reasoning.appended"));
    String steer = h.send(id, "steer during reasoning");
    List<JsonObject> events = h.read(id, 0, type("session.waiting"));
    List<String> t = collapsed(events);
    assertEquals(List.of("session.started", "turn.started", "message.received", "step.started", "reasoning.appended",
        "step.completed", "message.received", "step.started", "reasoning.appended", "reasoning.completed",
        "message.appended", "message.completed", "step.completed", "turn.completed", "session.waiting"), t);
    JsonObject interrupted = data(first(events, "step.completed"));
    assertEquals("other", interrupted.get("finishReason").getAsString());
    assertNull(interrupted.get("usage"));
    JsonObject last = events.get(events.size() - 1);
    assertEquals(2, last.getAsJsonObject("meta").getAsJsonArray("deliveryIds").size());
    assertTrue(last.getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString().contains(steer));
    assertEquals("Echo: steer during reasoning", data(first(events, "message.completed")).get("message").getAsString());
  }

  @Test
  void aQueuedMessageOrAMessageAfterTextStartedWaitsForItsOwnTurn() throws Exception {
    String id = h.create("slowthink: thinking");
    h.read(id, 0, type("reasoning.appended"));
    String queued = h.sessions.send(id, new Requests.SessionMessage(
        dev.eve4j.protocol.UserMessage.text("queued message"), null, Requests.TurnPolicy.QUEUE, null, null))
        .get(5, TimeUnit.SECONDS);
    List<JsonObject> events = h.read(id, 0, e -> type("session.waiting").test(e)
        && e.getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString().contains(queued));
    assertEquals(2, ofType(events, "turn.started").size());
    assertEquals(1, ofType(ofType(events, "step.started"), "step.started").stream()
        .filter(e -> data(e).get("turnId").getAsString().equals("turn_0")).count());
  }

  @Test
  void structuredOutputIsPublishedAsResultCompleted() throws Exception {
    String id = h.create("hello");
    int n = h.read(id, 0, type("session.waiting")).size();
    JsonObject schema = JsonParser.parseString("{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\"},"
        + "\"count\":{\"type\":\"integer\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
        + "\"required\":[\"title\",\"count\",\"tags\"]}").getAsJsonObject();
    h.sessions.send(id, new Requests.SessionMessage(dev.eve4j.protocol.UserMessage.text("summarize as JSON"), null,
        null, null, schema)).get(5, TimeUnit.SECONDS);
    List<JsonObject> events = h.read(id, n, type("session.waiting"));
    assertEquals(List.of("turn.started", "message.received", "step.started", "step.completed", "result.completed",
        "turn.completed", "session.waiting"), types(events));
    assertEquals("{\"title\":\"title-value\",\"count\":3,\"tags\":[\"tags-value\"]}",
        data(first(events, "result.completed")).get("result").toString());
  }
}
