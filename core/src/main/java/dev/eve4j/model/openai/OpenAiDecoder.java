package dev.eve4j.model.openai;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import dev.eve4j.model.ModelException;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ToolCall;
import dev.eve4j.model.http.Jsons;
import dev.eve4j.model.http.ProviderErrors;
import dev.eve4j.model.http.Transport;
import dev.eve4j.protocol.TokenUsage;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Reads a Chat Completions event stream: {@code data:} chunks, then {@code data: [DONE]}. Text and
 * reasoning ({@code reasoning_content} as DeepSeek, vLLM and llama.cpp name it, {@code reasoning}
 * as Groq, OpenRouter and Ollama do) are forwarded as they come; tool-call fragments are
 * forwarded and assembled by {@code index}; the calls are reported, in index order, once the
 * finish reason arrives; {@code onFinish} waits for {@code [DONE]}, since usage comes after the
 * finish reason. An {@code error} member or {@code event: error} fails the call. One per response;
 * called one event at a time.
 */
final class OpenAiDecoder implements Transport.EventDecoder {
  private final ModelListener sink;
  private final String label;
  private final TreeMap<Integer, PendingCall> calls = new TreeMap<>();
  private String finishReason;
  private TokenUsage usage;
  private boolean callsReported;
  private boolean done;

  OpenAiDecoder(ModelListener sink, String label) {
    this.sink = sink;
    this.label = label;
  }

  private static final class PendingCall {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
    /** Fragments that arrived before the call's id and name (some servers send them late). */
    final StringBuilder unsent = new StringBuilder();
  }

  @Override
  public void onEvent(String event, String data) {
    if (done) {
      return;
    }
    String trimmed = data.trim();
    if (trimmed.equals("[DONE]")) {
      finish();
      return;
    }
    JsonObject chunk = Jsons.parseObject(trimmed);
    if (chunk == null) {
      throw new ModelException(ModelException.PROVIDER_ERROR,
          label + " sent an event that is not a JSON object: " + abbreviate(trimmed));
    }
    if (event.equals("error") || chunk.has("error")) {
      throw streamError(chunk);
    }
    JsonArray choices = Jsons.arr(chunk, "choices");
    if (choices != null) {
      for (JsonElement c : choices) {
        if (c.isJsonObject() && Jsons.count(c.getAsJsonObject(), "index") <= 0) {
          choice(c.getAsJsonObject());
        }
      }
    }
    JsonObject u = Jsons.obj(chunk, "usage");
    if (u != null) {
      usage = usage(u);
    }
  }

  private void choice(JsonObject choice) {
    JsonObject delta = Jsons.obj(choice, "delta");
    if (delta != null) {
      String reasoning = Jsons.str(delta, "reasoning_content");
      if (reasoning == null) {
        reasoning = Jsons.str(delta, "reasoning");
      }
      if (reasoning != null && !reasoning.isEmpty()) {
        sink.onReasoningDelta(reasoning);
      }
      String content = Jsons.str(delta, "content");
      if (content != null && !content.isEmpty()) {
        sink.onTextDelta(content);
      }
      String refusal = Jsons.str(delta, "refusal");
      if (refusal != null && !refusal.isEmpty()) {
        sink.onTextDelta(refusal);
      }
      JsonArray toolCalls = Jsons.arr(delta, "tool_calls");
      if (toolCalls != null) {
        int position = 0;
        for (JsonElement e : toolCalls) {
          if (e.isJsonObject()) {
            toolCallFragment(e.getAsJsonObject(), position);
          }
          position++;
        }
      }
    }
    String reason = Jsons.str(choice, "finish_reason");
    if (reason != null) {
      finishReason = reason;
      reportCalls();
    }
  }

  private void toolCallFragment(JsonObject fragment, int position) {
    long index = Jsons.count(fragment, "index");
    String id = Jsons.str(fragment, "id");
    PendingCall call = calls.computeIfAbsent(index >= 0 ? (int) index : slotWithoutIndex(id, position),
        i -> new PendingCall());
    if (id != null && !id.isEmpty() && call.id == null) {
      call.id = id;
    }
    JsonObject function = Jsons.obj(fragment, "function");
    String name = Jsons.str(function, "name");
    if (name != null && !name.isEmpty() && call.name == null) {
      call.name = name;
    }
    String arguments = Jsons.str(function, "arguments");
    if (arguments != null) {
      call.arguments.append(arguments);
      call.unsent.append(arguments);
    }
    if (call.name != null && call.unsent.length() > 0) {
      if (call.id == null) {
        call.id = "call_" + UUID.randomUUID().toString().replace("-", "");
      }
      String delta = call.unsent.toString();
      call.unsent.setLength(0);
      sink.onToolInputDelta(call.id, call.name, delta);
    }
  }

  /**
   * Where a fragment without {@code index} goes (some compatible servers omit it): to the call with
   * its id, else a new call when it has an id, else the latest call (or its position).
   */
  private int slotWithoutIndex(String id, int position) {
    if (id != null && !id.isEmpty()) {
      for (Map.Entry<Integer, PendingCall> e : calls.entrySet()) {
        if (id.equals(e.getValue().id)) {
          return e.getKey();
        }
      }
      return calls.isEmpty() ? position : calls.lastKey() + 1;
    }
    return calls.isEmpty() ? position : calls.lastKey();
  }

  private void reportCalls() {
    if (callsReported) {
      return;
    }
    callsReported = true;
    for (PendingCall call : calls.values()) {
      if (call.name == null) {
        throw new ModelException(ModelException.PROVIDER_ERROR, label + " sent a tool call without a name");
      }
      if (call.id == null) {
        call.id = "call_" + UUID.randomUUID().toString().replace("-", "");
      }
      if (call.unsent.length() > 0) {
        sink.onToolInputDelta(call.id, call.name, call.unsent.toString());
        call.unsent.setLength(0);
      }
      sink.onToolCall(new ToolCall(call.id, call.name, input(call)));
    }
  }

  private JsonObject input(PendingCall call) {
    String text = call.arguments.toString().trim();
    if (text.isEmpty()) {
      return new JsonObject();
    }
    try {
      JsonElement parsed = JsonParser.parseString(text);
      if (parsed.isJsonObject()) {
        return parsed.getAsJsonObject();
      }
    } catch (JsonSyntaxException e) {
      // reported below
    }
    throw new ModelException(ModelException.PROVIDER_ERROR,
        label + " sent tool call '" + call.name + "' with arguments that are not a JSON object");
  }

  private void finish() {
    reportCalls();
    done = true;
    sink.onFinish(finishReason(), usage != null ? usage : TokenUsage.ZERO);
  }

  @Override
  public void onEnd() {
    // Some compatible servers end the body without [DONE]: a finish reason is enough.
    if (!done && finishReason != null) {
      finish();
    }
  }

  private String finishReason() {
    if (!calls.isEmpty()) {
      return "tool-calls";
    }
    if (finishReason == null) {
      return "other";
    }
    switch (finishReason) {
      case "stop":
        return "stop";
      case "length":
        return "length";
      case "content_filter":
        return "content-filter";
      case "tool_calls":
      case "function_call":
        return "tool-calls";
      default:
        return "other";
    }
  }

  /** prompt_tokens (cached ones included), completion_tokens, cached_tokens or DeepSeek's cache hits. */
  static TokenUsage usage(JsonObject u) {
    long input = Math.max(0, Jsons.count(u, "prompt_tokens"));
    long output = Math.max(0, Jsons.count(u, "completion_tokens"));
    long cached = Jsons.count(Jsons.obj(u, "prompt_tokens_details"), "cached_tokens");
    if (cached < 0) {
      cached = Jsons.count(u, "prompt_cache_hit_tokens");
    }
    return new TokenUsage(input, output, Math.max(0, cached), 0);
  }

  private ModelException streamError(JsonObject chunk) {
    JsonElement e = chunk.get("error");
    JsonObject error = e != null && e.isJsonObject() ? e.getAsJsonObject() : chunk;
    String message = e != null && e.isJsonPrimitive() ? e.getAsString() : Jsons.str(error, "message");
    String type = Jsons.str(error, "type");
    String code = Jsons.str(error, "code");
    String kind = code != null ? code : type;
    String text = label + " reported an error mid-stream" + (kind != null ? " (" + kind + ")" : "") + ": "
        + (message != null ? message : "no message");
    return new ModelException(ProviderErrors.codeForType(type + " " + code, ModelException.PROVIDER_ERROR), text);
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
