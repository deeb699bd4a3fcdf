package dev.eve4j.session;

import com.google.gson.JsonObject;
import dev.eve4j.agent.Agent;
import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.ToolCall;
import dev.eve4j.protocol.TokenUsage;
import dev.eve4j.tool.ApprovalPolicy;
import dev.eve4j.tool.Tool;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.function.Function;

/** Agents with hand-written models for the cases the scripted model does not cover. */
final class TestAgents {
  private TestAgents() {}

  static final JsonObject TARGET_SCHEMA = JsonParser.parseString(
      "{\"type\":\"object\",\"properties\":{\"target\":{\"type\":\"string\"}},\"required\":[\"target\"]}")
      .getAsJsonObject();

  /** A model that answers each request with what {@code script} returns, synchronously. */
  static LanguageModel model(Function<ModelRequest, Step> script) {
    return new LanguageModel() {
      @Override
      public String id() {
        return "test/model";
      }

      @Override
      public ModelCall stream(ModelRequest request, ModelListener listener) {
        Step step = script.apply(request);
        if (step.text != null) {
          listener.onTextDelta(step.text);
        }
        step.calls.forEach(listener::onToolCall);
        listener.onFinish(step.calls.isEmpty() ? "stop" : "tool-calls", TokenUsage.of(1, 1));
        return () -> {};
      }
    };
  }

  record Step(String text, List<ToolCall> calls) {
    static Step text(String t) {
      return new Step(t, List.of());
    }

    static Step call(String tool, String inputJson, String callId) {
      return new Step(null, List.of(new ToolCall(callId, tool, JsonParser.parseString(inputJson).getAsJsonObject())));
    }
  }

  static Tool deploy(ApprovalPolicy policy) {
    return Tool.builder("deploy").description("Deploy.").inputSchema(TARGET_SCHEMA).approval(policy)
        .execute((in, ctx) -> {
          JsonObject o = new JsonObject();
          o.addProperty("deployed", in.get("target").getAsString());
          return o;
        }).build();
  }

  /** Calls deploy twice in its first step, then summarises. */
  static Agent twoDeploys() {
    return new Agent("two", "", model(req -> req.trailingToolResults().isEmpty()
        ? new Step(null, List.of(
            new ToolCall("call_a", "deploy", JsonParser.parseString("{\"target\":\"a\"}").getAsJsonObject()),
            new ToolCall("call_b", "deploy", JsonParser.parseString("{\"target\":\"b\"}").getAsJsonObject())))
        : Step.text("done")), List.of(deploy(ApprovalPolicy.always())));
  }
}
