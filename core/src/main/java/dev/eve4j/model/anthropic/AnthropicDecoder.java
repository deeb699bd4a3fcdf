package dev.eve4j.model.anthropic;

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
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a Messages event stream: {@code message_start}, then per content block
 * {@code content_block_start}/{@code _delta}/{@code _stop} (text, thinking with its signature,
 * redacted thinking, {@code tool_use} with {@code input_json_delta}s), {@code message_delta} with
 * the stop reason and usage, {@code message_stop}; {@code ping}s are skipped, an {@code error}
 * event fails the call, unknown events and block types are ignored. Each tool call is reported when
 * its block stops, so calls come in the model's order and before {@code onFinish}. One per
 * response; called one event at a time.
 */
final class AnthropicDecoder implements Transport.EventDecoder {
  private final ModelListener sink;
  private final String label;
  private final ThinkingMemory memory;
  private final Map<Integer, Block> blocks = new HashMap<>();
  private final JsonArray thinking = new JsonArray();
  private String firstToolUseId;
  private boolean anyToolUse;
  private String stopReason;
  private long inputTokens;
  private long outputTokens;
  private long cacheRead;
  private long cacheWrite;
  private boolean done;

  AnthropicDecoder(ModelListener sink, String label, ThinkingMemory memory) {
    this.sink = sink;
    this.label = label;
    this.memory = memory;
  }

  private static final class Block {
    final String type;
    String id;
    String name;
    JsonObject initialInput;
    final StringBuilder text = new StringBuilder();
    String signature;
    String data;

    Block(String type) {
      this.type = type;
    }
  }

  @Override
  public void onEvent(String event, String data) {
    if (done) {
      return;
    }
    JsonObject o = Jsons.parseObject(data);
    if (o == null) {
      throw new ModelException(ModelException.PROVIDER_ERROR,
          label + " sent a '" + event + "' event that is not a JSON object");
    }
    String type = Jsons.str(o, "type");
    switch (type != null ? type : event) {
      case "message_start" -> usage(Jsons.obj(Jsons.obj(o, "message"), "usage"));
      case "content_block_start" -> start((int) Jsons.count(o, "index"), Jsons.obj(o, "content_block"));
      case "content_block_delta" -> delta(blocks.get((int) Jsons.count(o, "index")), Jsons.obj(o, "delta"));
      case "content_block_stop" -> stop(blocks.remove((int) Jsons.count(o, "index")));
      case "message_delta" -> {
        String reason = Jsons.str(Jsons.obj(o, "delta"), "stop_reason");
        if (reason != null) {
          stopReason = reason;
        }
        usage(Jsons.obj(o, "usage"));
      }
      case "message_stop" -> finish();
      case "error" -> throw streamError(o);
      default -> {
        // ping, and events added after this was written
      }
    }
  }

  private void start(int index, JsonObject block) {
    String type = Jsons.str(block, "type");
    if (type == null) {
      return;
    }
    Block b = new Block(type);
    blocks.put(index, b);
    switch (type) {
      case "text" -> {
        String text = Jsons.str(block, "text");
        if (text != null && !text.isEmpty()) {
          sink.onTextDelta(text);
        }
      }
      case "thinking" -> {
        String text = Jsons.str(block, "thinking");
        if (text != null && !text.isEmpty()) {
          b.text.append(text);
          sink.onReasoningDelta(text);
        }
        b.signature = Jsons.str(block, "signature");
      }
      case "redacted_thinking" -> b.data = Jsons.str(block, "data");
      case "tool_use" -> {
        b.id = Jsons.str(block, "id");
        b.name = Jsons.str(block, "name");
        if (b.id == null || b.name == null) {
          throw new ModelException(ModelException.PROVIDER_ERROR, label + " sent a tool_use block without id or name");
        }
        b.initialInput = Jsons.obj(block, "input");
        anyToolUse = true;
        if (firstToolUseId == null) {
          firstToolUseId = b.id;
        }
      }
      default -> {
        // server tools, citations, …: not ours
      }
    }
  }

  private void delta(Block b, JsonObject delta) {
    if (b == null || delta == null) {
      return;
    }
    String type = Jsons.str(delta, "type");
    if (type == null) {
      return;
    }
    switch (type) {
      case "text_delta" -> {
        String text = Jsons.str(delta, "text");
        if (text != null && !text.isEmpty()) {
          sink.onTextDelta(text);
        }
      }
      case "thinking_delta" -> {
        String text = Jsons.str(delta, "thinking");
        if (text != null && !text.isEmpty()) {
          b.text.append(text);
          sink.onReasoningDelta(text);
        }
      }
      case "signature_delta" -> b.signature = Jsons.str(delta, "signature");
      case "input_json_delta" -> {
        String partial = Jsons.str(delta, "partial_json");
        if (partial != null && !partial.isEmpty() && b.type.equals("tool_use")) {
          b.text.append(partial);
          sink.onToolInputDelta(b.id, b.name, partial);
        }
      }
      default -> {
        // citations_delta and later additions
      }
    }
  }

  private void stop(Block b) {
    if (b == null) {
      return;
    }
    switch (b.type) {
      case "tool_use" -> sink.onToolCall(new ToolCall(b.id, b.name, input(b)));
      case "thinking" -> {
        JsonObject block = new JsonObject();
        block.addProperty("type", "thinking");
        block.addProperty("thinking", b.text.toString());
        block.addProperty("signature", b.signature == null ? "" : b.signature);
        thinking.add(block);
      }
      case "redacted_thinking" -> {
        JsonObject block = new JsonObject();
        block.addProperty("type", "redacted_thinking");
        block.addProperty("data", b.data == null ? "" : b.data);
        thinking.add(block);
      }
      default -> {
        // text needs nothing at its end
      }
    }
  }

  private JsonObject input(Block b) {
    String text = b.text.toString().trim();
    if (text.isEmpty()) {
      return b.initialInput != null ? b.initialInput : new JsonObject();
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
        label + " sent tool call '" + b.name + "' with an input that is not a JSON object");
  }

  /** Fields present in this usage object replace earlier values (message_delta's are cumulative). */
  private void usage(JsonObject u) {
    if (u == null) {
      return;
    }
    long v;
    if ((v = Jsons.count(u, "input_tokens")) >= 0) {
      inputTokens = v;
    }
    if ((v = Jsons.count(u, "output_tokens")) >= 0) {
      outputTokens = v;
    }
    if ((v = Jsons.count(u, "cache_read_input_tokens")) >= 0) {
      cacheRead = v;
    }
    if ((v = Jsons.count(u, "cache_creation_input_tokens")) >= 0) {
      cacheWrite = v;
    }
  }

  private void finish() {
    done = true;
    if (memory != null && firstToolUseId != null && thinking.size() > 0) {
      memory.remember(firstToolUseId, thinking);
    }
    sink.onFinish(finishReason(), new TokenUsage(inputTokens + cacheRead + cacheWrite, outputTokens, cacheRead,
        cacheWrite));
  }

  @Override
  public void onEnd() {
    if (!done && stopReason != null) {
      finish();
    }
  }

  private String finishReason() {
    if (anyToolUse) {
      return "tool-calls";
    }
    if (stopReason == null) {
      return "other";
    }
    return switch (stopReason) {
      case "end_turn", "stop_sequence" -> "stop";
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool-calls";
      case "refusal" -> "content-filter";
      default -> "other";
    };
  }

  private ModelException streamError(JsonObject event) {
    JsonObject error = Jsons.obj(event, "error");
    String type = Jsons.str(error, "type");
    String message = Jsons.str(error, "message");
    return new ModelException(ProviderErrors.codeForType(type, ModelException.PROVIDER_ERROR),
        label + " reported an error mid-stream" + (type != null ? " (" + type + ")" : "") + ": "
            + (message != null ? message : "no message"));
  }
}
