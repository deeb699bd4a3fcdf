package dev.eve4j.session;

import static dev.eve4j.session.Harness.data;
import static dev.eve4j.session.Harness.first;
import static dev.eve4j.session.Harness.type;
import static dev.eve4j.session.Harness.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.agent.Agent;
import dev.eve4j.protocol.Requests;
import dev.eve4j.protocol.UserMessage;
import dev.eve4j.session.TestAgents.Step;
import dev.eve4j.tool.ApprovalPolicy;
import dev.eve4j.tool.Tool;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Input validation, approval policies, step limits, structured output repair and tool cancellation. */
@Timeout(30)
class ToolPolicyTest {

  private static Harness harness(Agent agent, int maxSteps) {
    return new Harness(EveRuntime.builder().agent(agent).maxStepsPerTurn(maxSteps).build());
  }

  @Test
  void anInvalidToolInputFailsTheCallWithItsViolationsAndNeverRunsIt() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Tool deploy = Tool.builder("deploy").inputSchema(TestAgents.TARGET_SCHEMA).execute((in, ctx) -> {
      runs.incrementAndGet();
      return new JsonObject();
    }).build();
    Agent agent = new Agent("a", "", TestAgents.model(req -> req.trailingToolResults().isEmpty()
        ? Step.call("deploy", "{\"target\":5}", "call_1") : Step.text("saw the error")), List.of(deploy));
    try (Harness h = harness(agent, 20)) {
      String id = h.create("go");
      List<JsonObject> events = h.read(id, 0, type("session.waiting"));
      JsonObject result = data(first(events, "action.result"));
      assertEquals("failed", result.get("status").getAsString());
      assertEquals("TOOL_INPUT_INVALID", result.getAsJsonObject("error").get("code").getAsString());
      JsonObject output = result.getAsJsonObject("result").getAsJsonObject("output");
      assertEquals("/target", output.getAsJsonArray("violations").get(0).getAsJsonObject().get("instancePath")
          .getAsString());
      assertEquals(0, runs.get());
      assertTrue(types(events).contains("turn.completed"), "the model saw the failure and answered");
    }
  }

  @Test
  void anUnknownToolFailsTheCall() throws Exception {
    Agent agent = new Agent("a", "", TestAgents.model(req -> req.trailingToolResults().isEmpty()
        ? Step.call("nope", "{}", "call_1") : Step.text("ok")), List.of());
    try (Harness h = harness(agent, 20)) {
      String id = h.create("go");
      JsonObject result = data(first(h.read(id, 0, type("session.waiting")), "action.result"));
      assertEquals("TOOL_NOT_FOUND", result.getAsJsonObject("error").get("code").getAsString());
    }
  }

  @Test
  void aRunawayTurnStopsAtTheStepLimit() throws Exception {
    Tool echo = Tool.builder("echo").inputSchema(new JsonObject()).execute((in, ctx) -> in).build();
    Agent agent = new Agent("a", "", TestAgents.model(req -> Step.call("echo", "{}", "call_" + req.messages().size())),
        List.of(echo));
    try (Harness h = harness(agent, 3)) {
      String id = h.create("loop");
      List<JsonObject> events = h.read(id, 0, type("session.waiting"));
      JsonObject failed = data(first(events, "turn.failed"));
      assertEquals("STEP_LIMIT_EXCEEDED", failed.get("code").getAsString());
      assertFalse(failed.get("terminal").getAsBoolean());
      assertEquals(3, events.stream().filter(type("step.started")).count());
    }
  }

  @Test
  void oncePerSessionAsksOnlyTheFirstTime() throws Exception {
    Agent agent = new Agent("a", "", TestAgents.model(req -> req.trailingToolResults().isEmpty()
        ? Step.call("deploy", "{\"target\":\"x\"}", "call_" + req.messages().size()) : Step.text("done")),
        List.of(TestAgents.deploy(ApprovalPolicy.oncePerSession())));
    try (Harness h = harness(agent, 20)) {
      String id = h.create("first");
      List<JsonObject> parked = h.read(id, 0, type("turn.waiting"));
      String requestId = data(first(parked, "input.requested")).getAsJsonArray("requests").get(0).getAsJsonObject()
          .get("requestId").getAsString();
      h.answer(id, new Requests.InputResponse(requestId, "approve", null));
      int n = parked.size() + h.read(id, parked.size(), type("session.waiting")).size();
      h.send(id, "second");
      List<JsonObject> second = h.read(id, n, type("session.waiting"));
      assertFalse(types(second).contains("input.requested"), types(second).toString());
      assertEquals("completed", data(first(second, "action.result")).get("status").getAsString());
    }
  }

  @Test
  void aPredicatePolicyAsksOnlyWhenItHolds() throws Exception {
    Agent agent = new Agent("a", "", TestAgents.model(req -> req.trailingToolResults().isEmpty()
        ? Step.call("deploy", "{\"target\":\"" + req.latestUserText() + "\"}", "call_1") : Step.text("done")),
        List.of(TestAgents.deploy(ApprovalPolicy.when(in -> in.get("target").getAsString().equals("prod")))));
    try (Harness h = harness(agent, 20)) {
      String id = h.create("staging");
      int n = h.read(id, 0, type("session.waiting")).size();
      h.send(id, "prod");
      assertTrue(types(h.read(id, n, type("turn.waiting"))).contains("input.requested"));
    }
  }

  @Test
  void invalidStructuredOutputGetsOneRepairThenFailsWithTheViolations() throws Exception {
    AtomicInteger replies = new AtomicInteger();
    Agent agent = new Agent("a", "", TestAgents.model(req -> {
      replies.incrementAndGet();
      return Step.call("eve__reply", "{\"title\":7}", "call_" + replies.get());
    }));
    try (Harness h = harness(agent, 20)) {
      JsonObject schema = JsonParser.parseString("{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\"}},"
          + "\"required\":[\"title\"]}").getAsJsonObject();
      String id = h.sessions.create(new Requests.CreateSession(UserMessage.text("json please"), null, schema))
          .get(5, TimeUnit.SECONDS);
      List<JsonObject> events = h.read(id, 0, type("session.waiting"));
      assertEquals(2, replies.get(), "one repair attempt");
      JsonObject failed = data(first(events, "turn.failed"));
      assertEquals("OUTPUT_VALIDATION_FAILED", failed.get("code").getAsString());
      assertEquals("/title", failed.getAsJsonObject("details").getAsJsonArray("violations").get(0).getAsJsonObject()
          .get("instancePath").getAsString());
      assertFalse(types(events).contains("result.completed"));
      assertFalse(types(events).contains("actions.requested"), "the reply tool is internal");
    }
  }

  @Test
  void cancellingATurnCancelsItsRunningTools() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean sawCancel = new AtomicBoolean();
    CountDownLatch ended = new CountDownLatch(1);
    CompletableFuture<JsonElement> never = new CompletableFuture<>();
    Tool slow = Tool.builder("slow").inputSchema(new JsonObject()).executeAsync((in, ctx) -> {
      started.countDown();
      never.whenComplete((v, e) -> {
        sawCancel.set(ctx.isCancelled());
        ended.countDown();
      });
      return never;
    }).build();
    Agent agent = new Agent("a", "", TestAgents.model(req -> Step.call("slow", "{}", "call_1")), List.of(slow));
    try (Harness h = harness(agent, 20)) {
      String id = h.create("go");
      assertTrue(started.await(5, TimeUnit.SECONDS));
      h.sessions.cancel(id, new Requests.Cancel(null)).get(5, TimeUnit.SECONDS);
      List<JsonObject> events = h.read(id, 0, type("session.waiting"));
      assertEquals("turn.cancelled", types(events).get(types(events).size() - 2));
      // The tool's own stage is cancelled too (possibly by the tool thread, if the cancel raced execute()).
      assertTrue(ended.await(5, TimeUnit.SECONDS), "the tool's stage was never completed");
      assertTrue(never.isCancelled());
      assertTrue(sawCancel.get());
    }
  }
}
