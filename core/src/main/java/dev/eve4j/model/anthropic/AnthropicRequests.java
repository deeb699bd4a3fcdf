package dev.eve4j.model.anthropic;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.ToolCall;
import dev.eve4j.model.ToolSpec;
import dev.eve4j.model.http.Parts;
import dev.eve4j.model.http.Prompts;
import dev.eve4j.protocol.ContentPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Maps a {@link ModelRequest} to a streaming Messages request body. Stateless. */
final class AnthropicRequests {
  /** The image types the Messages API takes. */
  private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");
  /** Opens a conversation that starts with the assistant (a compaction summary). */
  static final String SUMMARY_PREAMBLE = "(The earlier conversation was summarised; the summary follows.)";

  private AnthropicRequests() {}

  static JsonObject body(String model, int maxTokens, int thinkingBudget, ThinkingMemory memory,
      ModelRequest request) {
    boolean compaction = request.purpose() == ModelRequest.Purpose.COMPACTION;
    boolean thinking = thinkingBudget > 0 && !compaction && thinkingAvailable(request.messages(), memory);
    JsonObject body = new JsonObject();
    body.addProperty("model", model);
    String system;
    List<Turn> turns = new ArrayList<>();
    if (compaction) {
      system = Prompts.compactionSystem(request.instructions());
      turns.add(new Turn("user", blocks(text(Prompts.compactionRequest(request.messages())))));
    } else {
      StringBuilder s = new StringBuilder(request.instructions() == null ? "" : request.instructions().strip());
      for (ModelMessage m : request.messages()) {
        if (m.role() == ModelMessage.Role.SYSTEM) {
          s.append(s.length() > 0 ? "\n\n" : "").append(m.text());
        } else {
          Turn t = map(m, thinking ? memory : null);
          if (t.content.size() > 0) {
            turns.add(t);
          }
        }
      }
      system = s.toString();
    }
    if (!system.isBlank()) {
      body.addProperty("system", system);
    }
    body.add("messages", merge(turns));
    body.addProperty("stream", true);
    body.addProperty("max_tokens", maxTokens);
    if (!compaction && !request.tools().isEmpty()) {
      JsonArray tools = new JsonArray();
      boolean offersReply = false;
      for (ToolSpec t : request.tools()) {
        JsonObject tool = new JsonObject();
        tool.addProperty("name", t.name());
        tool.addProperty("description", t.description());
        tool.add("input_schema", inputSchema(t.inputSchema()));
        tools.add(tool);
        offersReply |= t.name().equals(ModelRequest.REPLY_TOOL);
      }
      body.add("tools", tools);
      if (request.outputSchema() != null && offersReply && !thinking) {
        // The answer must come through eve__reply. Thinking allows only "auto".
        JsonObject choice = new JsonObject();
        choice.addProperty("type", "any");
        body.add("tool_choice", choice);
      }
    }
    if (thinking) {
      JsonObject t = new JsonObject();
      t.addProperty("type", "enabled");
      t.addProperty("budget_tokens", thinkingBudget);
      body.add("thinking", t);
    }
    return body;
  }

  /**
   * Whether thinking can be on: the latest assistant turn, if it called tools, must get its signed
   * thinking back, and that is only known while this model remembers it.
   */
  static boolean thinkingAvailable(List<ModelMessage> messages, ThinkingMemory memory) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      ModelMessage m = messages.get(i);
      if (m.role() == ModelMessage.Role.ASSISTANT) {
        return m.toolCalls().isEmpty() || memory.recall(m.toolCalls().get(0).callId()) != null;
      }
    }
    return true;
  }

  static JsonObject inputSchema(JsonObject schema) {
    if (!schema.has("$schema")) {
      return schema;
    }
    JsonObject copy = schema.deepCopy();
    copy.remove("$schema");
    return copy;
  }

  private record Turn(String role, JsonArray content) {}

  private static Turn map(ModelMessage m, ThinkingMemory memory) {
    switch (m.role()) {
      case USER: {
        JsonArray content = !m.parts().isEmpty() ? parts(m) : m.text().isEmpty() ? new JsonArray() : blocks(text(m.text()));
        if (content.size() == 0) {
          content.add(text("(empty message)"));
        }
        return new Turn("user", content);
      }
      case ASSISTANT: {
        JsonArray content = new JsonArray();
        if (memory != null && !m.toolCalls().isEmpty()) {
          JsonArray thinking = memory.recall(m.toolCalls().get(0).callId());
          if (thinking != null) {
            content.addAll(thinking);
          }
        }
        if (!m.text().isBlank()) {
          content.add(text(m.text()));
        }
        for (ToolCall c : m.toolCalls()) {
          JsonObject use = new JsonObject();
          use.addProperty("type", "tool_use");
          use.addProperty("id", c.callId());
          use.addProperty("name", c.toolName());
          use.add("input", c.input());
          content.add(use);
        }
        return new Turn("assistant", content);
      }
      case TOOL: {
        String output = Prompts.toolOutputText(m.toolOutput());
        JsonObject result = new JsonObject();
        result.addProperty("type", "tool_result");
        result.addProperty("tool_use_id", m.toolCallId());
        result.add("content", blocks(text(output.isEmpty() ? "(empty)" : output)));
        if (m.isError()) {
          result.addProperty("is_error", true);
        }
        return new Turn("user", blocks(result));
      }
      default:
        throw new IllegalStateException("unexpected role " + m.role());
    }
  }

  /**
   * Consecutive messages of one role become one (the API wants them alternating: parallel tool
   * results, client context and the message after it); a conversation that starts with the
   * assistant (a compaction summary) gets a short user opening.
   */
  private static JsonArray merge(List<Turn> turns) {
    JsonArray out = new JsonArray();
    JsonObject last = null;
    for (Turn t : turns) {
      if (last == null && t.role.equals("assistant")) {
        last = message("user", blocks(text(SUMMARY_PREAMBLE)));
        out.add(last);
      }
      if (last != null && last.get("role").getAsString().equals(t.role)) {
        last.getAsJsonArray("content").addAll(t.content);
      } else {
        last = message(t.role, t.content.deepCopy());
        out.add(last);
      }
    }
    return out;
  }

  /**
   * A user message with files: supported images as {@code image} blocks, PDFs and inline plain
   * text as {@code document} blocks (base64, URL or text source), other inline text files as text,
   * anything else as its flattened line.
   */
  private static JsonArray parts(ModelMessage m) {
    JsonArray content = new JsonArray();
    for (ContentPart p : m.parts()) {
      String type = Parts.mediaType(p);
      if (p.isText()) {
        if (p.text() != null && !p.text().isEmpty()) {
          content.add(text(p.text()));
        }
      } else if (IMAGE_TYPES.contains(type)) {
        JsonObject image = new JsonObject();
        image.addProperty("type", "image");
        image.add("source", source(p, type));
        content.add(image);
      } else if (Parts.isPdf(p)) {
        content.add(document(p, source(p, type)));
      } else if (type.equals("text/plain") && !p.isUrl()) {
        JsonObject source = new JsonObject();
        source.addProperty("type", "text");
        source.addProperty("media_type", "text/plain");
        source.addProperty("data", Parts.text(p));
        content.add(document(p, source));
      } else if (Parts.isTextLike(p) && !p.isUrl()) {
        content.add(text(Parts.inlineText(p)));
      } else {
        content.add(text(Parts.flattened(p)));
      }
    }
    return content;
  }

  private static JsonObject source(ContentPart p, String type) {
    JsonObject source = new JsonObject();
    if (p.isUrl()) {
      source.addProperty("type", "url");
      source.addProperty("url", p.data());
    } else {
      source.addProperty("type", "base64");
      source.addProperty("media_type", type);
      source.addProperty("data", Parts.base64(p));
    }
    return source;
  }

  private static JsonObject document(ContentPart p, JsonObject source) {
    JsonObject doc = new JsonObject();
    doc.addProperty("type", "document");
    doc.add("source", source);
    if (p.filename() != null && !p.filename().isBlank()) {
      doc.addProperty("title", p.filename());
    }
    return doc;
  }

  private static JsonObject message(String role, JsonArray content) {
    JsonObject m = new JsonObject();
    m.addProperty("role", role);
    m.add("content", content);
    return m;
  }

  private static JsonArray blocks(JsonElement... elements) {
    JsonArray a = new JsonArray();
    for (JsonElement e : elements) {
      a.add(e);
    }
    return a;
  }

  private static JsonObject text(String text) {
    JsonObject t = new JsonObject();
    t.addProperty("type", "text");
    t.addProperty("text", text);
    return t;
  }
}
