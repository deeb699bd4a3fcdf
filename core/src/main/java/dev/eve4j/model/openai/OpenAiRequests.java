package dev.eve4j.model.openai;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.ToolCall;
import dev.eve4j.model.ToolSpec;
import dev.eve4j.model.http.Parts;
import dev.eve4j.model.http.Prompts;
import dev.eve4j.protocol.ContentPart;
import dev.eve4j.protocol.Json;

/** Maps a {@link ModelRequest} to a streaming Chat Completions request body. Stateless. */
final class OpenAiRequests {
  private OpenAiRequests() {}

  static JsonObject body(String model, ModelRequest request) {
    JsonObject body = new JsonObject();
    body.addProperty("model", model);
    JsonArray messages = new JsonArray();
    boolean compaction = request.purpose() == ModelRequest.Purpose.COMPACTION;
    if (compaction) {
      messages.add(message("system", Prompts.compactionSystem(request.instructions())));
      messages.add(message("user", Prompts.compactionRequest(request.messages())));
    } else {
      if (request.instructions() != null && !request.instructions().isBlank()) {
        messages.add(message("system", request.instructions()));
      }
      for (ModelMessage m : request.messages()) {
        JsonObject mapped = map(m);
        if (mapped != null) {
          messages.add(mapped);
        }
      }
    }
    body.add("messages", messages);
    body.addProperty("stream", true);
    if (!compaction && !request.tools().isEmpty()) {
      JsonArray tools = new JsonArray();
      boolean offersReply = false;
      for (ToolSpec t : request.tools()) {
        JsonObject function = new JsonObject();
        function.addProperty("name", t.name());
        function.addProperty("description", t.description());
        function.add("parameters", parameters(t.inputSchema()));
        JsonObject tool = new JsonObject();
        tool.addProperty("type", "function");
        tool.add("function", function);
        tools.add(tool);
        offersReply |= t.name().equals(ModelRequest.REPLY_TOOL);
      }
      body.add("tools", tools);
      if (request.outputSchema() != null && offersReply) {
        // The answer must come through eve__reply, so every step ends in a tool call.
        body.addProperty("tool_choice", "required");
      }
    }
    JsonObject options = new JsonObject();
    options.addProperty("include_usage", true);
    body.add("stream_options", options);
    return body;
  }

  /** The schema as OpenAI takes it: {@code $schema} dropped (validators there reject unknown drafts). */
  static JsonObject parameters(JsonObject schema) {
    if (!schema.has("$schema")) {
      return schema;
    }
    JsonObject copy = schema.deepCopy();
    copy.remove("$schema");
    return copy;
  }

  private static JsonObject map(ModelMessage m) {
    switch (m.role()) {
      case SYSTEM:
        return message("system", m.text());
      case USER:
        if (m.parts().isEmpty()) {
          return message("user", m.text());
        }
        JsonObject user = new JsonObject();
        user.addProperty("role", "user");
        user.add("content", parts(m));
        return user;
      case ASSISTANT: {
        if (m.text().isEmpty() && m.toolCalls().isEmpty()) {
          return null;
        }
        JsonObject a = message("assistant", m.text());
        if (!m.toolCalls().isEmpty()) {
          JsonArray calls = new JsonArray();
          for (ToolCall c : m.toolCalls()) {
            JsonObject function = new JsonObject();
            function.addProperty("name", c.toolName());
            function.addProperty("arguments", Json.toJson(c.input()));
            JsonObject call = new JsonObject();
            call.addProperty("id", c.callId());
            call.addProperty("type", "function");
            call.add("function", function);
            calls.add(call);
          }
          a.add("tool_calls", calls);
        }
        return a;
      }
      case TOOL: {
        JsonObject t = message("tool", Prompts.toolOutputText(m.toolOutput()));
        t.addProperty("tool_call_id", m.toolCallId());
        return t;
      }
      default:
        throw new IllegalStateException("unknown role " + m.role());
    }
  }

  /**
   * A user message with files: images as {@code image_url} (URL or data: URL), inline PDFs as
   * {@code file} parts, inline text files as text, anything else as its flattened line.
   */
  private static JsonArray parts(ModelMessage m) {
    JsonArray content = new JsonArray();
    for (ContentPart p : m.parts()) {
      if (p.isText()) {
        content.add(text(p.text()));
      } else if (Parts.isImage(p)) {
        JsonObject url = new JsonObject();
        url.addProperty("url", p.isUrl() ? p.data() : Parts.dataUrl(p));
        JsonObject image = new JsonObject();
        image.addProperty("type", "image_url");
        image.add("image_url", url);
        content.add(image);
      } else if (Parts.isPdf(p) && !p.isUrl()) {
        JsonObject file = new JsonObject();
        file.addProperty("filename", p.filename() != null ? p.filename() : "document.pdf");
        file.addProperty("file_data", Parts.dataUrl(p));
        JsonObject part = new JsonObject();
        part.addProperty("type", "file");
        part.add("file", file);
        content.add(part);
      } else if (Parts.isTextLike(p) && !p.isUrl()) {
        content.add(text(Parts.inlineText(p)));
      } else {
        content.add(text(Parts.flattened(p)));
      }
    }
    return content;
  }

  private static JsonObject text(String text) {
    JsonObject t = new JsonObject();
    t.addProperty("type", "text");
    t.addProperty("text", text);
    return t;
  }

  private static JsonObject message(String role, String content) {
    JsonObject m = new JsonObject();
    m.addProperty("role", role);
    m.addProperty("content", content);
    return m;
  }
}
