package dev.eve4j.servlet.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.Principal;
import dev.eve4j.auth.Scopes;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Request validation, routes, status codes and the auth layer of the gateway. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayRequestsTest {
  private static GatewayTestServer server;

  @BeforeAll
  static void start() {
    server = GatewayTestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A 400 (or other error) reply: JSON {"error": …} and nothing else; returns the message. */
  private static String error(HttpResponse<String> r, int status) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
    JsonObject o = GatewayTestServer.json(r);
    assertEquals(Set.of("error"), o.keySet(), r.body());
    return o.get("error").getAsString();
  }

  private static void badChat(String body, String expected) {
    HttpResponse<String> r = server.request("POST", "/chat", body);
    String message = error(r, 400);
    assertTrue(message.contains(expected), "for " + body + ": " + message);
  }

  @Test
  void invalidChatBodiesAre400() {
    badChat("{\"message\":", "Invalid JSON body.");
    badChat("", "Invalid JSON body.");
    badChat("{\"message\":\"a\"} trailing", "Invalid JSON body.");
    badChat("[]", "Expected a JSON object.");
    badChat("{}", "Expected 'message' (a string) or 'messages'");
    badChat("{\"model\":\"eve4j/scripted\"}", "Expected 'message' (a string) or 'messages'");
    badChat("{\"message\":\"\"}", "Expected 'message' to be a non-empty string");
    badChat("{\"message\":42}", "Expected 'message' to be a non-empty string");
    badChat("{\"message\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]}", "mutually exclusive");
    badChat("{\"messages\":[]}", "Expected 'messages' to be a non-empty array");
    badChat("{\"messages\":\"hi\"}", "Expected 'messages' to be a non-empty array");
    badChat("{\"messages\":[\"hi\"]}", "Expected 'messages[0]' to be an object");
    badChat("{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "'messages[0].role' to be one of");
    badChat("{\"messages\":[{\"role\":\"user\"}]}", "Missing 'messages[0].content'");
    badChat("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]}",
        "last entry of 'messages' to have role 'user'");
    badChat("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\"}]}]}",
        "'messages[0].content[0].text'");
    badChat("{\"message\":[{\"type\":\"video\"}]}", "'message[0].type' to be text, image, document or file");
    badChat("{\"message\":[{\"type\":\"image\",\"mediaType\":\"image/png\",\"data\":\"%%%\"}]}",
        "'message[0]': Expected file part 'data' to be base64");
    badChat("{\"message\":\"a\",\"model\":\"\"}", "Expected 'model' to be a non-empty string.");
    badChat("{\"message\":\"a\",\"model\":\"gpt-9\"}", "Unknown model 'gpt-9'. This server serves eve4j/scripted");
    badChat("{\"message\":\"a\",\"sessionId\":5}", "Expected 'sessionId' to be a non-empty string.");
    assertEquals(0, server.gateway().openRuns());
  }

  @Test
  void unknownSessionIs404() {
    assertEquals("Session 'ses_nope' not found.",
        error(server.request("POST", "/chat", "{\"sessionId\":\"ses_nope\",\"message\":\"hi\"}"), 404));
  }

  @Test
  void unknownRoutesAre404() {
    error(server.request("GET", "/chat", null), 404);
    error(server.request("POST", "/models", "{}"), 404);
    error(server.request("POST", "/chat/relay/", "{}"), 404);
    error(server.request("POST", "/chat/relay/a/b", "{}"), 404);
    error(server.request("POST", "/chat/other", "{}"), 404);
    // The eve routes beside it are untouched.
    assertEquals(200, server.request("GET", "/eve/v1/health", null).statusCode());
  }

  @Test
  void filePartsReachTheSession() {
    String body = "{\"message\":[{\"type\":\"text\",\"text\":\"look\"},"
        + "{\"type\":\"image\",\"mediaType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}]}";
    List<SseClient.Frame> frames = server.chat(body).rest();
    assertEquals("completed", frames.get(frames.size() - 1).string("status"));
    JsonObject received = server.journal(frames.get(0).string("sessionId")).stream()
        .filter(e -> e.get("type").getAsString().equals("message.received")).findFirst().orElseThrow();
    assertEquals(JsonParser.parseString("[{\"type\":\"text\",\"text\":\"look\"},"
        + "{\"type\":\"file\",\"mediaType\":\"image/png\",\"size\":8}]"), received.getAsJsonObject("data").get("parts"));
  }

  @Test
  void tooLargeBodyIs413() {
    try (GatewayTestServer small = GatewayTestServer.start(GatewayOptions.defaults().withMaxBodyBytes(64))) {
      HttpResponse<String> r = small.request("POST", "/chat", "{\"message\":\"" + "x".repeat(100) + "\"}");
      assertTrue(error(r, 413).contains("64 bytes"));
    }
  }

  @Test
  void authScopesAndOwnership() {
    Authenticator tokens = Authenticator.staticTokens(Map.of(
        "alice-token", new Principal("alice", Set.of(Scopes.SESSIONS_READ, Scopes.SESSIONS_WRITE)),
        "carol-token", new Principal("carol", Set.of(Scopes.SESSIONS_READ, Scopes.SESSIONS_WRITE)),
        "reader-token", new Principal("reader", Set.of(Scopes.SESSIONS_READ))));
    try (GatewayTestServer secured = GatewayTestServer.start(GatewayOptions.defaults().withAuthenticator(tokens))) {
      HttpResponse<String> anonymous = secured.request("GET", "/models", null);
      assertEquals("Authorization is required for this route.", error(anonymous, 401));
      assertEquals("Bearer", anonymous.headers().firstValue("www-authenticate").orElse(null));
      error(secured.request("POST", "/chat", "{\"message\":\"hi\"}"), 401);
      assertEquals(200, secured.request("GET", "/models", null, "authorization", "Bearer reader-token").statusCode());
      assertEquals("Forbidden.", error(secured.request("POST", "/chat", "{\"message\":\"hi\"}",
          "authorization", "Bearer reader-token"), 403));
      error(secured.request("POST", "/chat/relay/x", "{\"response\":{\"approved\":true}}",
          "authorization", "Bearer reader-token"), 403);

      SseClient sse = secured.chat("{\"message\":\"approve: alice-only\"}", "authorization", "Bearer alice-token");
      List<SseClient.Frame> seen = sse.until("relay");
      String sessionId = seen.get(0).string("sessionId");
      assertEquals("alice", secured.runtime().sessions().owner(sessionId).orElseThrow());
      String relayId = seen.get(seen.size() - 1).string("relayId");
      // Another principal sees neither the relay nor the session.
      error(secured.relay(relayId, "{\"response\":{\"approved\":true}}", "authorization", "Bearer carol-token"), 404);
      error(secured.request("POST", "/chat", "{\"sessionId\":\"" + sessionId + "\",\"message\":\"mine now\"}",
          "authorization", "Bearer carol-token"), 404);
      assertEquals(200, secured.relay(relayId, "{\"response\":{\"approved\":true}}",
          "authorization", "Bearer alice-token").statusCode());
      List<SseClient.Frame> rest = sse.rest();
      assertEquals("completed", rest.get(rest.size() - 1).string("status"));
    }
  }
}
