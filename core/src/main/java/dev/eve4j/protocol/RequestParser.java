package dev.eve4j.protocol;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.eve4j.protocol.Requests.Cancel;
import dev.eve4j.protocol.Requests.CreateSession;
import dev.eve4j.protocol.Requests.InputResponse;
import dev.eve4j.protocol.Requests.Reset;
import dev.eve4j.protocol.Requests.SessionMessage;
import dev.eve4j.protocol.Requests.TurnPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates request bodies with the exact error texts of the real eve server. Two
 * failure kinds, as on the wire: malformed JSON ({@code Invalid JSON body.}) and well-formed JSON
 * of the wrong shape (a message naming the field). Every failure is a 400 {@link EveException}
 * (403 for tool stubs on create). Stateless and thread-safe.
 */
public final class RequestParser {
  private static final Pattern BASE64 = Pattern.compile("^[A-Za-z0-9+/\\r\\n]*={0,2}\\s*$");
  private static final Set<String> INPUT_RESPONSE_KEYS = Set.of("requestId", "optionId", "text");

  private RequestParser() {}

  /** {@code POST /session}: an absent or empty body is a prewarm. */
  public static CreateSession parseCreate(byte[] body) {
    if (body == null || body.length == 0) {
      return new CreateSession(null, null, null);
    }
    JsonObject o = object(body);
    rejectContinuationToken(o);
    if (o.has("inputResponses")) {
      throw EveException.badRequest("'inputResponses' is only accepted for an existing session.");
    }
    UserMessage message = null;
    if (present(o, "message")) {
      message = message(o.get("message"));
      if (message == null) {
        throw EveException.badRequest("Expected 'message' to be non-empty when provided.");
      }
    }
    if (message == null && (present(o, "clientContext") || present(o, "callback") || present(o, "outputSchema"))) {
      throw EveException.badRequest(
          "Creating a session without a message does not accept 'clientContext', 'callback', or 'outputSchema'.");
    }
    JsonElement stubs = o.get("stubs");
    if (stubs != null && !(stubs.isJsonArray() && stubs.getAsJsonArray().isEmpty()) && !stubs.isJsonNull()) {
      throw new EveException(ErrorCode.FORBIDDEN, "Tool stubbing is not permitted for this caller.");
    }
    return new CreateSession(message, clientContext(o), outputSchema(o));
  }

  /** {@code POST /session/:id}. */
  public static SessionMessage parseMessage(byte[] body) {
    if (body == null || body.length == 0) {
      throw EveException.badRequest("Invalid JSON body.");
    }
    JsonObject o = object(body);
    rejectContinuationToken(o);
    if (o.has("stubs")) {
      throw EveException.badRequest("Tool stubs are fixed at session creation.");
    }
    boolean hasMessage = present(o, "message");
    boolean hasResponses = present(o, "inputResponses");
    if (hasMessage && hasResponses) {
      throw EveException.badRequest("'message' and 'inputResponses' are mutually exclusive.");
    }
    TurnPolicy policy = null;
    if (present(o, "turnPolicy")) {
      JsonElement p = o.get("turnPolicy");
      String s = p.isJsonPrimitive() && p.getAsJsonPrimitive().isString() ? p.getAsString() : "";
      if (s.equals("queue")) {
        policy = TurnPolicy.QUEUE;
      } else if (s.equals("steer")) {
        policy = TurnPolicy.STEER;
      } else {
        throw EveException.badRequest("Expected 'turnPolicy' to be either 'queue' or 'steer'.");
      }
    }
    if (hasResponses) {
      return new SessionMessage(null, inputResponses(o.get("inputResponses")), policy, clientContext(o),
          outputSchema(o));
    }
    UserMessage message = hasMessage ? message(o.get("message")) : null;
    if (message == null) {
      throw EveException.badRequest("Expected a non-empty 'message' or a non-empty 'inputResponses' array.");
    }
    return new SessionMessage(message, null, policy, clientContext(o), outputSchema(o));
  }

  /** {@code POST /session/:id/cancel}: body optional, extra keys accepted. */
  public static Cancel parseCancel(byte[] body) {
    JsonObject o = optionalObject(body);
    return new Cancel(optionalNonEmptyString(o, "turnId"));
  }

  /** {@code POST /session/:id/reset}: body optional. */
  public static Reset parseReset(byte[] body) {
    JsonObject o = optionalObject(body);
    return new Reset(optionalNonEmptyString(o, "reason"));
  }

  /** {@code /clear} and {@code /compact}: body optional, only checked for JSON and continuationToken. */
  public static void parseControl(byte[] body) {
    optionalObject(body);
  }

  /** Parses a JSON object strictly (no lenient literals, nothing after the value). */
  public static JsonObject object(byte[] body) {
    JsonElement e;
    try (JsonReader reader = new JsonReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
      reader.setStrictness(Strictness.STRICT);
      e = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw EveException.badRequest("Invalid JSON body.");
      }
    } catch (JsonParseException | IOException | IllegalStateException ex) {
      throw EveException.badRequest("Invalid JSON body.");
    }
    if (!e.isJsonObject()) {
      throw EveException.badRequest("Expected a JSON object.");
    }
    return e.getAsJsonObject();
  }

  private static JsonObject optionalObject(byte[] body) {
    if (body == null || body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
      return new JsonObject();
    }
    JsonObject o = object(body);
    rejectContinuationToken(o);
    return o;
  }

  private static void rejectContinuationToken(JsonObject o) {
    if (o.has("continuationToken")) {
      throw EveException.badRequest("Session-ID routes do not accept 'continuationToken'.");
    }
  }

  private static boolean present(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull();
  }

  private static String optionalNonEmptyString(JsonObject o, String key) {
    if (!present(o, key)) {
      return null;
    }
    JsonElement e = o.get(key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isEmpty()) {
      throw EveException.badRequest("Expected '" + key + "' to be a non-empty string.");
    }
    return e.getAsString();
  }

  /** Null when the message is empty ({@code ""} or {@code []}). */
  private static UserMessage message(JsonElement e) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      String s = e.getAsString();
      return s.isEmpty() ? null : UserMessage.text(s);
    }
    if (!e.isJsonArray()) {
      throw EveException.badRequest("Expected 'message' to be a string or an array of text/file parts.");
    }
    JsonArray a = e.getAsJsonArray();
    if (a.isEmpty()) {
      return null;
    }
    List<ContentPart> parts = new ArrayList<>();
    for (JsonElement pe : a) {
      parts.add(part(pe));
    }
    return new UserMessage(parts);
  }

  /** A message part, checked as eve 0.80.1 checks it, with its texts; inline data must also decode. */
  private static ContentPart part(JsonElement pe) {
    if (!pe.isJsonObject()) {
      throw EveException.badRequest("Expected each message part to be an object.");
    }
    JsonObject p = pe.getAsJsonObject();
    JsonElement type = p.get("type");
    if ("text".equals(stringOrNull(p, "type"))) {
      String text = stringOrNull(p, "text");
      if (text == null || text.isEmpty()) {
        throw EveException.badRequest("Text parts require a non-empty 'text' string.");
      }
      return ContentPart.text(text);
    }
    if ("file".equals(stringOrNull(p, "type"))) {
      String mediaType = stringOrNull(p, "mediaType");
      if (mediaType == null || mediaType.isEmpty()) {
        throw EveException.badRequest("File parts require a non-empty 'mediaType' string.");
      }
      String data = stringOrNull(p, "data");
      if (data == null) {
        throw EveException.badRequest("File parts require a 'data' string (base64, data URL, or URL).");
      }
      if (data.startsWith("eve-url:") || data.startsWith("eve-sandbox:")) {
        throw EveException.badRequest("File part 'data' must not use a framework-internal ref scheme.");
      }
      String filename = stringOrNull(p, "filename");
      ContentPart part = new ContentPart("file", null, mediaType, data,
          filename == null || filename.isEmpty() ? null : filename);
      if (!part.isUrl()) {
        // Stricter than eve, which hands undecodable data to the model: a client error is said at once.
        boolean malformed = data.isEmpty() || (data.startsWith("data:") ? data.indexOf(',') < 0
            : !BASE64.matcher(data).matches());
        if (!malformed) {
          try {
            part.inlineBytes();
          } catch (IllegalArgumentException ex) {
            malformed = true;
          }
        }
        if (malformed) {
          throw EveException.badRequest("Expected file part 'data' to be base64, a data: URL or an http(s) URL.");
        }
      }
      return part;
    }
    String shown = type == null || type.isJsonNull() ? "undefined"
        : type.isJsonPrimitive() ? type.getAsString() : type.isJsonArray() ? "" : "[object Object]";
    throw EveException.badRequest("Unsupported message part type \"" + shown + "\". Use 'text' or 'file'.");
  }

  /** The string at {@code key}, or null when it is absent or not a string. */
  private static String stringOrNull(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw EveException.badRequest("Expected '" + key + "' to be a string.");
    }
    return e.getAsString();
  }

  private static List<InputResponse> inputResponses(JsonElement e) {
    if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      throw EveException.badRequest("Expected 'inputResponses' to be a non-empty array.");
    }
    List<InputResponse> out = new ArrayList<>();
    for (JsonElement re : e.getAsJsonArray()) {
      out.add(inputResponse(re));
    }
    return out;
  }

  private static InputResponse inputResponse(JsonElement re) {
    EveException bad = EveException.badRequest(
        "Expected every 'inputResponses' entry to match the HITL response schema.");
    if (!re.isJsonObject()) {
      throw bad;
    }
    JsonObject r = re.getAsJsonObject();
    for (Map.Entry<String, JsonElement> entry : r.entrySet()) {
      if (!INPUT_RESPONSE_KEYS.contains(entry.getKey())) {
        throw bad;
      }
      JsonElement v = entry.getValue();
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
        throw bad;
      }
    }
    if (!r.has("requestId")) {
      throw bad;
    }
    return new InputResponse(r.get("requestId").getAsString(),
        r.has("optionId") ? r.get("optionId").getAsString() : null,
        r.has("text") ? r.get("text").getAsString() : null);
  }

  private static JsonElement clientContext(JsonObject o) {
    if (!present(o, "clientContext")) {
      return null;
    }
    JsonElement c = o.get("clientContext");
    String bad = "Expected 'clientContext' to be a non-empty string, an array of non-empty strings, or a JSON object.";
    if (c.isJsonPrimitive() && c.getAsJsonPrimitive().isString()) {
      if (c.getAsString().isEmpty()) {
        throw EveException.badRequest(bad);
      }
      return c;
    }
    if (c.isJsonArray()) {
      for (JsonElement s : c.getAsJsonArray()) {
        if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isString() || s.getAsString().isEmpty()) {
          throw EveException.badRequest(bad);
        }
      }
      return c;
    }
    if (c.isJsonObject()) {
      return c;
    }
    throw EveException.badRequest(bad);
  }

  private static JsonObject outputSchema(JsonObject o) {
    if (!present(o, "outputSchema")) {
      return null;
    }
    JsonElement s = o.get("outputSchema");
    if (!s.isJsonObject()) {
      throw EveException.badRequest("Expected 'outputSchema' to be a JSON object.");
    }
    return s.getAsJsonObject();
  }
}
