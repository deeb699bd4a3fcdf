package dev.eve4j.servlet.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.eve4j.auth.Authenticator;
import dev.eve4j.auth.JwtSettings;
import dev.eve4j.channel.ChannelOptions;
import dev.eve4j.channel.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Every curl command of the seed's raw-HTTP sections, copied verbatim and run against our server
 * (the host {@code https://vessels.app} replaced by the test server's, {@code $VESSELS_API_KEY},
 * {@code vsl_xxx} and {@code <jwt>} by real credentials), by the real curl when installed (see
 * {@link Curl}). Each must get the documented response shape. They run in the seed's order on one
 * server, as a reader trying them one after another would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SeedCurlExamplesTest {
  private static final byte[] JWT_SECRET = "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
  private static ChannelTestServer server;
  private static String key;
  private static String jwt;

  @BeforeAll
  static void start() throws Exception {
    server = ChannelTestServer.start(ChannelOptions.defaults(),
        ChannelServletOptions.defaults().withAdminAuthenticator(Authenticator.jwt(JwtSettings.hmac(JWT_SECRET))));
    key = server.channel().createKey(server.channel().defaultWorkspace().id(), "agent", Scope.all()).secret();
    SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("operator")
        .claim("scope", "eve4j.admin").expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    token.sign(new MACSigner(JWT_SECRET));
    jwt = token.serialize();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Runs a seed command; non-ASCII inside its JSON is sent as \\u escapes when argv cannot carry UTF-8. */
  private static Curl.Result curl(String seedCommand) {
    String cmd = seedCommand.replace("vsl_xxx", key).replace("<jwt>", jwt);
    if (!"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding", "UTF-8"))) {
      StringBuilder b = new StringBuilder();
      cmd.chars().forEach(c -> b.append(c < 128 ? String.valueOf((char) c) : String.format("\\u%04x", c)));
      cmd = b.toString();
    }
    return Curl.run(cmd, server.base(), Map.of("VESSELS_API_KEY", key));
  }

  private static JsonObject json(Curl.Result r) {
    assertTrue(r.headers().get("content-type").startsWith("application/json"), r.headers().toString());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  /** Asserts the push response {ok, messageId, vesselId, createdAt, replayed} exactly. */
  private static JsonObject pushShape(Curl.Result r) {
    assertEquals(200, r.status(), r.body());
    JsonObject o = json(r);
    assertEquals(Set.of("ok", "messageId", "vesselId", "createdAt", "replayed"), o.keySet());
    assertTrue(o.get("ok").getAsBoolean());
    assertTrue(o.get("createdAt").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    return o;
  }

  @Test
  @Order(1)
  void sendAMessage() {
    JsonObject o = pushShape(curl("""
        curl -X POST https://vessels.app/api/v1/push \\
        -H "Authorization: Bearer $VESSELS_API_KEY" \\
        -H "Content-Type: application/json" \\
        -d '{"vessel":"booking-123","message":"New booking received."}'"""));
    assertFalse(o.get("replayed").getAsBoolean());
  }

  @Test
  @Order(2)
  void withAnApprovalInteraction() {
    JsonObject o = pushShape(curl("""
        curl -X POST https://vessels.app/api/v1/push \\
        -H "Authorization: Bearer $VESSELS_API_KEY" \\
        -H "Content-Type: application/json" \\
        -d '{
        "vessel": "booking-123",
        "vesselTitle": "Sarah Martinez",
        "message": "New booking — confirm?",
        "interaction": {
        "type": "approval",
        "prompt": "Confirm this booking?",
        "approveLabel": "Confirm",
        "rejectLabel": "Decline"
        }
        }'"""));
    assertEquals("waiting", server.channel().vessel(server.channel().defaultWorkspace().id(),
        dev.eve4j.channel.VesselRef.id(o.get("vesselId").getAsString())).status().wire());
    // The human taps Confirm (our documented respond route), so the poll below has something to return.
    Http.Res tap = Http.send(server.api("/messages/" + o.get("messageId").getAsString() + "/respond"), "POST", key,
        "{\"response\":{\"action\":\"approved\"}}");
    assertEquals(200, tap.status(), tap.toString());
  }

  @Test
  @Order(3)
  void pollForResponses() {
    String poll = """
        curl "https://vessels.app/api/v1/poll?ack=true" \\
        -H "Authorization: Bearer $VESSELS_API_KEY\"""";
    Curl.Result r = curl(poll);
    assertEquals(200, r.status(), r.body());
    JsonObject o = json(r);
    assertEquals(Set.of("ok", "events"), o.keySet());
    JsonArray events = o.getAsJsonArray("events");
    assertEquals(1, events.size());
    JsonObject e = events.get(0).getAsJsonObject();
    assertEquals("interaction.response", e.get("type").getAsString());
    assertEquals("approval", e.get("interactionType").getAsString());
    assertEquals("approved", e.getAsJsonObject("response").get("action").getAsString());
    assertTrue(e.get("interactionMetadata").isJsonNull());
    assertEquals("booking-123", e.getAsJsonObject("vessel").get("externalId").getAsString());
    assertTrue(e.getAsJsonObject("vessel").get("id").getAsString().matches("[0-9a-f-]{36}"));
    assertTrue(e.getAsJsonObject("vessel").get("labels").isJsonArray());
    assertTrue(e.get("messageId").getAsString().matches("[0-9a-f-]{36}"));
    assertEquals("Confirm this booking?", e.getAsJsonObject("originMessage").getAsJsonObject("interaction")
        .get("prompt").getAsString());
    assertEquals("New booking — confirm?", e.getAsJsonObject("originMessage").get("content").getAsString());
    assertEquals(0, json(curl(poll)).getAsJsonArray("events").size(), "acked: never delivered again");
  }

  @Test
  @Order(4)
  void readTheWorkspaceConfig() {
    Curl.Result r = curl("curl https://vessels.app/api/v1/workspace -H \"Authorization: Bearer <jwt>\"");
    assertEquals(200, r.status(), r.body());
    JsonObject w = json(r).getAsJsonObject("workspace");
    assertFalse(w.get("userVesselsEnabled").getAsBoolean(), "off by default");
    assertEquals(0, w.getAsJsonArray("vesselTypes").size());
  }

  @Test
  @Order(5)
  void updateTheWorkspaceConfig() {
    Curl.Result r = curl("""
        curl -X PATCH https://vessels.app/api/v1/workspace \\
        -H "Authorization: Bearer <jwt>" \\
        -H "Content-Type: application/json" \\
        -d '{ "userVesselsEnabled": true, "vesselTypes": ["Ticket", "Enquiry", "Phone Call"] }'""");
    assertEquals(200, r.status(), r.body());
    JsonObject w = json(r).getAsJsonObject("workspace");
    assertTrue(w.get("userVesselsEnabled").getAsBoolean());
    assertEquals(List.of("Ticket", "Enquiry", "Phone Call"), w.getAsJsonArray("vesselTypes").asList().stream()
        .map(JsonElement::getAsString).collect(Collectors.toList()));
  }

  @Test
  @Order(6)
  void readMessageHistory() {
    Curl.Result r = curl("""
        curl https://vessels.app/api/v1/vessels/by-external/booking-123/messages?limit=50 \\
        -H "Authorization: Bearer $VESSELS_API_KEY\"""");
    assertEquals(200, r.status(), r.body());
    JsonObject o = json(r);
    assertEquals(Set.of("ok", "messages", "has_more"), o.keySet());
    assertFalse(o.get("has_more").getAsBoolean());
    JsonArray messages = o.getAsJsonArray("messages");
    assertEquals(List.of("New booking received.", "New booking — confirm?"), messages.asList().stream()
        .map(m -> m.getAsJsonObject().get("content").getAsString()).collect(Collectors.toList()), "newest last");
    for (JsonElement m : messages) {
      assertTrue(m.getAsJsonObject().keySet().containsAll(Set.of("id", "source", "content", "card", "interaction",
          "attachments", "suggestions", "metadata", "created_at")), m.toString());
      assertEquals("agent", m.getAsJsonObject().get("source").getAsString());
    }
    assertEquals("answered", messages.get(1).getAsJsonObject().get("interaction_status").getAsString());
  }

  @Test
  @Order(7)
  void readTheConversationTrace() {
    Curl.Result r = curl("""
        curl https://vessels.app/api/v1/vessels/by-external/booking-123/trace \\
        -H "Authorization: Bearer $VESSELS_API_KEY\"""");
    assertEquals(200, r.status(), r.body());
    JsonObject o = json(r);
    assertEquals(Set.of("ok", "trace"), o.keySet());
    JsonObject t = o.getAsJsonObject("trace");
    assertEquals(Set.of("vessel", "verbose", "summary", "events"), t.keySet());
    assertTrue(t.getAsJsonObject("summary").get("issues").isJsonArray());
    assertEquals(List.of("message", "message", "human.response"), t.getAsJsonArray("events").asList().stream()
        .map(e -> e.getAsJsonObject().get("type").getAsString()).collect(Collectors.toList()));
  }

  @Test
  @Order(8)
  void idempotentPush() {
    String cmd = """
        curl -X POST https://vessels.app/api/v1/push \\
        -H "Authorization: Bearer vsl_xxx" \\
        -H "Content-Type: application/json" \\
        -H "Idempotency-Key: booking-123-confirmation" \\
        -d '{ "vessel": "booking-123", "message": "New booking" }'""";
    Curl.Result first = curl(cmd);
    JsonObject a = pushShape(first);
    assertFalse(a.get("replayed").getAsBoolean());
    assertNull(first.headers().get("idempotent-replayed"));
    Curl.Result retry = curl(cmd);
    JsonObject b = pushShape(retry);
    assertTrue(b.get("replayed").getAsBoolean());
    assertEquals("true", retry.headers().get("idempotent-replayed"));
    assertEquals(a.get("messageId"), b.get("messageId"));
    assertEquals(3, server.channel().messages(server.channel().defaultWorkspace().id(),
        dev.eve4j.channel.VesselRef.external("booking-123"), 100, null).messages().size(), "no second message");
  }

  @Test
  @Order(9)
  void theFeatureManifest() {
    Curl.Result r = curl("curl https://vessels.app/api/v1/manifest");
    assertEquals(200, r.status(), r.body());
    JsonObject m = json(r);
    assertEquals(List.of("approval", "choice", "checklist", "text_input", "questions"),
        m.getAsJsonArray("interactionTypes").asList().stream().map(e -> e.getAsJsonObject().get("type").getAsString())
            .collect(Collectors.toList()));
    assertEquals(List.of("agent", "user", "system", "event"), names(m.getAsJsonArray("sources")));
    assertEquals(List.of("interaction.response", "message.user", "vessel.created", "vessel.archived",
        "vessel.deleted", "message.cancelled"), names(m.getAsJsonArray("webhookEvents")));
    assertEquals(List.of("bubble", "surface"), names(m.getAsJsonArray("kinds")));
    assertEquals(List.of("info", "alert", "success"), names(m.getAsJsonObject("tones").getAsJsonArray("event")));
    assertEquals(List.of("thinking", "searching", "tool_use", "browsing", "processing"),
        names(m.getAsJsonArray("activityTypes")));
  }

  private static List<String> names(JsonArray a) {
    return a.asList().stream().map(e -> e.getAsJsonObject().get("name").getAsString()).collect(Collectors.toList());
  }

  /** The raw API's non-curl examples (fetch in the seed) for the routes this face serves. */
  @Test
  @Order(10)
  void renameThenDeleteByExternalId() {
    Http.Res renamed = Http.send(server.api("/vessels/by-external/booking-123"), "PATCH", key,
        "{\"title\":\"Refund — Sarah M.\"}");
    assertEquals(200, renamed.status(), renamed.toString());
    assertEquals("Refund — Sarah M.", renamed.json().getAsJsonObject("vessel").get("title").getAsString());
    Http.Res deleted = Http.send(server.api("/vessels/by-external/booking-123"), "DELETE", key, null);
    assertEquals(200, deleted.status());
    assertEquals(404, Http.send(server.api("/vessels/by-external/booking-123/messages"), "GET", key, null).status());
  }
}
