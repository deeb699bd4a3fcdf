package dev.eve4j.servlet.gateway;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.protocol.ContentPart;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.RequestParser;
import dev.eve4j.protocol.UserMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated {@code POST /chat} body. Two failure kinds, as on the eve routes: malformed JSON
 * ({@code Invalid JSON body.}) and well-formed JSON of the wrong shape (a message naming the JSON
 * path). Unknown fields (the original gateway's {@code permissions}, {@code mode}, …) are ignored.
 *
 * @param message the user message this run answers (the last entry of {@code messages})
 * @param context the earlier entries of {@code messages} as {@code role: text} lines, empty when there
 *     are none; given to the model as context when the request starts a session
 * @param model the requested model, or null for the default
 * @param sessionId the session to continue, or null for a new one
 */
record ChatRequest(UserMessage message, List<String> context, String model, String sessionId) {
  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "tool");
  private static final Set<String> FILE_TYPES = Set.of("image", "document", "file");

  ChatRequest {
    context = List.copyOf(context);
  }

  static ChatRequest parse(byte[] body) {
    if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
      throw EveException.badRequest("Invalid JSON body.");
    }
    JsonObject o = RequestParser.object(body);
    String model = optionalString(o, "model");
    String sessionId = optionalString(o, "sessionId");
    boolean one = present(o, "message");
    boolean many = present(o, "messages");
    if (one && many) {
      throw EveException.badRequest("'message' and 'messages' are mutually exclusive.");
    }
    if (one) {
      return new ChatRequest(userMessage(o.get("message"), "message"), List.of(), model, sessionId);
    }
    if (!many) {
      throw EveException.badRequest("Expected 'message' (a string) or 'messages' (an array of {role, content}).");
    }
    JsonElement m = o.get("messages");
    if (!m.isJsonArray() || m.getAsJsonArray().isEmpty()) {
      throw EveException.badRequest("Expected 'messages' to be a non-empty array of {role, content}.");
    }
    JsonArray entries = m.getAsJsonArray();
    List<String> context = new ArrayList<>();
    UserMessage last = null;
    for (int i = 0; i < entries.size(); i++) {
      String path = "messages[" + i + "]";
      if (!entries.get(i).isJsonObject()) {
        throw EveException.badRequest("Expected '" + path + "' to be an object {role, content}.");
      }
      JsonObject entry = entries.get(i).getAsJsonObject();
      String role = present(entry, "role") && isString(entry.get("role")) ? entry.get("role").getAsString() : null;
      if (role == null || !ROLES.contains(role)) {
        throw EveException.badRequest("Expected '" + path + ".role' to be one of user, assistant, system, tool.");
      }
      if (i == entries.size() - 1) {
        if (!role.equals("user")) {
          throw EveException.badRequest("Expected the last entry of 'messages' to have role 'user', was '" + role + "'.");
        }
        if (!present(entry, "content")) {
          throw EveException.badRequest("Missing '" + path + ".content'.");
        }
        last = userMessage(entry.get("content"), path + ".content");
      } else if (present(entry, "content")) {
        String text = contextText(entry.get("content"), path + ".content");
        if (!text.isEmpty()) {
          context.add(role + ": " + text);
        }
      }
    }
    return new ChatRequest(last, context, model, sessionId);
  }

  /** The message of the run: a non-empty string, or text and file parts. */
  private static UserMessage userMessage(JsonElement content, String path) {
    if (isString(content)) {
      if (content.getAsString().isEmpty()) {
        throw EveException.badRequest("Expected '" + path + "' to be a non-empty string or a non-empty array of parts.");
      }
      return UserMessage.text(content.getAsString());
    }
    if (!content.isJsonArray() || content.getAsJsonArray().isEmpty()) {
      throw EveException.badRequest("Expected '" + path + "' to be a non-empty string or a non-empty array of parts.");
    }
    List<ContentPart> parts = new ArrayList<>();
    JsonArray a = content.getAsJsonArray();
    for (int i = 0; i < a.size(); i++) {
      parts.add(part(a.get(i), path + "[" + i + "]"));
    }
    return new UserMessage(parts);
  }

  /**
   * {@code {type:"text", text}}, or a file: {@code {type:"image"|"document"|"file", mediaType, data,
   * filename?}} with base64, a data: URL or an http(s) URL as data (checked by the eve parser).
   */
  private static ContentPart part(JsonElement e, String path) {
    if (!e.isJsonObject()) {
      throw EveException.badRequest("Expected '" + path + "' to be an object {type, …}.");
    }
    JsonObject p = e.getAsJsonObject();
    String type = present(p, "type") && isString(p.get("type")) ? p.get("type").getAsString() : null;
    if ("text".equals(type)) {
      if (!present(p, "text") || !isString(p.get("text")) || p.get("text").getAsString().isEmpty()) {
        throw EveException.badRequest("Expected '" + path + ".text' to be a non-empty string.");
      }
      return ContentPart.text(p.get("text").getAsString());
    }
    if (type == null || !FILE_TYPES.contains(type)) {
      throw EveException.badRequest("Expected '" + path + ".type' to be text, image, document or file.");
    }
    JsonObject file = new JsonObject();
    file.addProperty("type", "file");
    for (String key : List.of("mediaType", "data", "filename")) {
      if (present(p, key)) {
        file.add(key, p.get(key));
      }
    }
    JsonArray one = new JsonArray();
    one.add(file);
    JsonObject eve = new JsonObject();
    eve.add("message", one);
    try {
      return RequestParser.parseCreate(Json.toJson(eve).getBytes(StandardCharsets.UTF_8)).message().parts().get(0);
    } catch (EveException ex) {
      throw EveException.badRequest("'" + path + "': " + ex.getMessage());
    }
  }

  /** An earlier entry as text: its text parts, files as {@code [image: image/png]}. */
  private static String contextText(JsonElement content, String path) {
    if (isString(content)) {
      return content.getAsString();
    }
    if (!content.isJsonArray()) {
      throw EveException.badRequest("Expected '" + path + "' to be a string or an array of parts.");
    }
    List<String> out = new ArrayList<>();
    for (JsonElement e : content.getAsJsonArray()) {
      if (e.isJsonObject()) {
        JsonObject p = e.getAsJsonObject();
        JsonElement text = p.get("text");
        if (text != null && isString(text)) {
          out.add(text.getAsString());
        } else if (p.get("type") != null && isString(p.get("type"))) {
          JsonElement mt = p.get("mediaType");
          out.add("[" + p.get("type").getAsString() + (mt != null && isString(mt) ? ": " + mt.getAsString() : "") + "]");
        }
      } else if (isString(e)) {
        out.add(e.getAsString());
      }
    }
    return String.join("\n", out);
  }

  private static String optionalString(JsonObject o, String key) {
    if (!present(o, key)) {
      return null;
    }
    JsonElement e = o.get(key);
    if (!isString(e) || e.getAsString().isEmpty()) {
      throw EveException.badRequest("Expected '" + key + "' to be a non-empty string.");
    }
    return e.getAsString();
  }

  private static boolean present(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull();
  }

  private static boolean isString(JsonElement e) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }
}
