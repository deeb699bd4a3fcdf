package dev.eve4j.servlet.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.RequestParser;
import java.nio.charset.StandardCharsets;

/**
 * A validated {@code POST /chat/relay/:relayId} body: {@code {"sessionId"?, "response": {"approved",
 * "reason"?}}} for a permission relay, {@code {"sessionId"?, "response": {"answer"}}} for a question.
 * {@code response.always} (the original gateway's "add to the allowlist") is accepted and ignored:
 * whether a tool needs approval is its own policy.
 *
 * @param sessionId the session the caller expects the relay to belong to, or null
 * @param approved the decision on a permission relay, or null when absent
 * @param reason why it was denied (ignored when approved), or null
 * @param answer the answer to a question relay, or null when absent
 */
record RelayAnswer(String sessionId, Boolean approved, String reason, String answer) {

  static RelayAnswer parse(byte[] body) {
    if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
      throw EveException.badRequest("Invalid JSON body.");
    }
    JsonObject o = RequestParser.object(body);
    String sessionId = null;
    if (present(o, "sessionId")) {
      JsonElement s = o.get("sessionId");
      if (!isString(s) || s.getAsString().isEmpty()) {
        throw EveException.badRequest("Expected 'sessionId' to be a non-empty string.");
      }
      sessionId = s.getAsString();
    }
    if (!present(o, "response")) {
      throw EveException.badRequest("Missing 'response': {\"approved\": true|false, \"reason\"?: \"…\"}.");
    }
    if (!o.get("response").isJsonObject()) {
      throw EveException.badRequest("Expected 'response' to be an object {approved, reason?}.");
    }
    JsonObject r = o.getAsJsonObject("response");
    Boolean approved = null;
    if (present(r, "approved")) {
      JsonElement a = r.get("approved");
      if (!a.isJsonPrimitive() || !a.getAsJsonPrimitive().isBoolean()) {
        throw EveException.badRequest("Expected 'response.approved' to be a boolean.");
      }
      approved = a.getAsBoolean();
    }
    String reason = optionalString(r, "reason");
    String answer = optionalString(r, "answer");
    if (present(r, "always") && !(r.get("always").isJsonPrimitive() && r.get("always").getAsJsonPrimitive().isBoolean())) {
      throw EveException.badRequest("Expected 'response.always' to be a boolean.");
    }
    return new RelayAnswer(sessionId, approved, reason, answer);
  }

  /** Checks that the answer fits the relay's kind (the relay stays open when it does not). */
  void checkFits(Relays.Relay relay) {
    if (relay.question()) {
      if (answer == null || answer.isEmpty()) {
        throw EveException.badRequest("Relay " + relay.relayId() + " is a question: answer with 'response.answer'.");
      }
    } else if (approved == null) {
      throw EveException.badRequest("Missing 'response.approved' (a boolean).");
    }
  }

  private static String optionalString(JsonObject o, String key) {
    if (!present(o, key)) {
      return null;
    }
    if (!isString(o.get(key))) {
      throw EveException.badRequest("Expected 'response." + key + "' to be a string.");
    }
    return o.get(key).getAsString();
  }

  private static boolean present(JsonObject o, String key) {
    return o.has(key) && !o.get(key).isJsonNull();
  }

  private static boolean isString(JsonElement e) {
    return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
  }
}
