package dev.eve4j.model.anthropic;

import static dev.eve4j.model.http.FakeProvider.json;
import static dev.eve4j.model.http.FakeProvider.sse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelException;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.ToolCall;
import dev.eve4j.model.ToolSpec;
import dev.eve4j.model.http.FakeProvider;
import dev.eve4j.model.http.Fixtures;
import dev.eve4j.model.http.RecordingListener;
import dev.eve4j.protocol.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Anthropic Messages client against a fake provider replaying recorded bodies. */
@Timeout(20)
class AnthropicMessagesTest {
  private static final String DIR = "anthropic-messages/";
  private static final String WEATHER_INPUT = "{\"latitude\":\"52.5200\",\"longitude\":\"13.4050\"}";
  private FakeProvider fake;

  @AfterEach
  void stop() {
    if (fake != null) {
      fake.close();
    }
  }

  private AnthropicMessages.Builder builder(String name) {
    return AnthropicMessages.builder(name).apiKey("sk-ant-test-0123456789").baseUrl(fake.baseUrl())
        .maxTokens(64000).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5));
  }

  private static ModelRequest ask(String text, ToolSpec... tools) {
    return new ModelRequest("", List.of(ModelMessage.user(text)), List.of(tools), null, ModelRequest.Purpose.TURN);
  }

  private static RecordingListener run(LanguageModel model, ModelRequest request) throws Exception {
    RecordingListener l = new RecordingListener();
    model.stream(request, l);
    l.awaitEnd();
    assertEquals(List.of(), l.violations());
    return l;
  }

  private static JsonObject recorded(String name) {
    return JsonParser.parseString(Fixtures.read(DIR + name)).getAsJsonObject();
  }

  private static ToolSpec weatherTool() {
    JsonObject tool = recorded("07-tool-use.request.json").getAsJsonArray("tools").get(0).getAsJsonObject();
    return new ToolSpec("weather", tool.get("description").getAsString(), tool.getAsJsonObject("input_schema"));
  }

  static void assertSameFields(JsonObject expected, JsonObject actual, String... names) {
    for (String name : names) {
      assertEquals(expected.get(name), actual.get(name), "request field '" + name + "'");
    }
  }

  // ---- streams ----------------------------------------------------------------------------------

  @Test
  void streamsTextWithTheRequiredHeaders() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "06-text.sse")));
    LanguageModel model = builder("claude-haiku-4-5-20251001").build();
    assertEquals("anthropic/claude-haiku-4-5-20251001", model.id());
    RecordingListener l = run(model, ask("Count from 1 to 3"));
    assertEquals("stop", l.awaitEnd());
    assertEquals("1\n2\n3", l.text());
    assertEquals(new TokenUsage(15, 9, 0, 0), l.usage());

    FakeProvider.Request sent = fake.request();
    assertEquals("/v1/messages", sent.path());
    assertEquals("sk-ant-test-0123456789", sent.header("x-api-key"));
    assertEquals("2023-06-01", sent.header("anthropic-version"));
    assertTrue(sent.header("content-type").startsWith("application/json"));
    assertSameFields(recorded("06-text.request.json"), sent.json(), "model", "messages", "stream", "max_tokens");
    assertFalse(sent.json().has("system") || sent.json().has("tools") || sent.json().has("thinking"));
  }

  @Test
  void assemblesAToolUseBlock() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "07-tool-use.sse")), sse(Fixtures.read(DIR + "07c-tool-use-sdk.sse"), 5));
    RecordingListener l = run(builder("claude-haiku-4-5-20251001").build(),
        ask("What's the weather in Berlin? (52.5200, 13.4050)", weatherTool()));
    assertEquals("tool-calls", l.awaitEnd());
    assertEquals(List.of("input", "call", "finish"), l.shape());
    assertEquals(List.of(new ToolCall("toolu_01MKSN7NHsBVKr7Jvw5pqCQq", "weather",
        JsonParser.parseString(WEATHER_INPUT).getAsJsonObject())), l.calls());
    assertEquals("{\"latitude\": \"52.5200\", \"longitude\": \"13.4050\"}",
        l.inputDeltas().stream().map(d -> d.substring(d.lastIndexOf('|') + 1)).reduce("", String::concat));
    assertEquals(new TokenUsage(633, 75, 0, 0), l.usage());
    assertSameFields(recorded("07-tool-use.request.json"), fake.request().json(),
        "model", "messages", "stream", "max_tokens", "tools");

    RecordingListener l2 = run(builder("claude-haiku-4-5").build(), ask("What is the weather in SF?"));
    assertEquals(JsonParser.parseString("{\"location\":\"San Francisco, CA\",\"units\":\"f\"}"), l2.calls().get(0).input());
  }

  @Test
  void sendsTheToolUseAndItsResultBackAsRecorded() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "07b-tool-result-followup.sse")));
    ModelRequest request = new ModelRequest("", List.of(
        ModelMessage.user("What's the weather in Berlin? (52.5200, 13.4050)"),
        ModelMessage.assistant("", List.of(new ToolCall("toolu_01MKSN7NHsBVKr7Jvw5pqCQq", "weather",
            JsonParser.parseString(WEATHER_INPUT).getAsJsonObject()))),
        ModelMessage.toolResult("toolu_01MKSN7NHsBVKr7Jvw5pqCQq", "weather",
            new JsonPrimitive("Current weather at 52.5200, 13.4050: 15°C, Wind: 10 km/h"), false)),
        List.of(weatherTool()), null, ModelRequest.Purpose.TURN);
    RecordingListener l = run(builder("claude-haiku-4-5-20251001").build(), request);
    assertTrue(l.text().startsWith("The weather in Berlin is currently"), l.text());
    assertSameFields(recorded("07b-tool-result-followup.request.json"), fake.request().json(),
        "model", "messages", "stream", "max_tokens", "tools");
  }

  @Test
  void streamsThinkingAsReasoning() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "08-thinking.sse")), sse(Fixtures.read(DIR + "08b-thinking-sonnet4.sse"), 7));
    JsonObject recorded = recorded("08-thinking.request.json");
    String question = recorded.getAsJsonArray("messages").get(0).getAsJsonObject().getAsJsonArray("content")
        .get(0).getAsJsonObject().get("text").getAsString();
    LanguageModel model = builder("claude-haiku-4-5-20251001").thinkingBudget(1024).build();
    RecordingListener l = run(model, ask(question));
    assertEquals("stop", l.awaitEnd());
    assertEquals(List.of("reasoning", "text", "finish"), l.shape());
    assertTrue(l.reasoning().startsWith("This is a clever paradox question."), l.reasoning());
    assertTrue(l.text().endsWith("What draws you to this paradox?"), l.text());
    assertEquals(new TokenUsage(80, 638, 0, 0), l.usage());
    assertSameFields(recorded, fake.request().json(), "model", "messages", "stream", "max_tokens", "thinking");

    RecordingListener l2 = run(builder("claude-sonnet-4-0").maxTokens(4096).thinkingBudget(1024).build(),
        ask("How do I cross the street?"));
    assertEquals(List.of("reasoning", "text", "finish"), l2.shape());
    assertSameFields(recorded("08b-thinking-sonnet4.request.json"), fake.request().json(),
        "model", "messages", "stream", "max_tokens", "thinking");
  }

  @Test
  void givesTheSignedThinkingBackWithTheToolResult() throws Exception {
    // A thinking block (recorded in 08) followed by a tool_use block (recorded in 07, moved to index 1).
    List<String> thinking = events(Fixtures.read(DIR + "08-thinking.sse"));
    List<String> tool = events(Fixtures.read(DIR + "07-tool-use.sse"));
    StringBuilder body = new StringBuilder();
    for (String e : thinking.subList(0, indexOf(thinking, "content_block_stop") + 1)) {
      body.append(e).append("\n\n");
    }
    for (String e : tool.subList(indexOf(tool, "content_block_start"), tool.size())) {
      body.append(e.replace("\"index\":0", "\"index\":1")).append("\n\n");
    }
    fake = FakeProvider.start(sse(body.toString()), sse(Fixtures.read(DIR + "07b-tool-result-followup.sse")));
    LanguageModel model = builder("claude-haiku-4-5-20251001").thinkingBudget(1024).build();
    RecordingListener first = run(model, ask("Weather in Berlin?", weatherTool()));
    assertEquals(List.of("reasoning", "input", "call", "finish"), first.shape());
    ToolCall call = first.calls().get(0);

    ModelRequest followUp = new ModelRequest("", List.of(ModelMessage.user("Weather in Berlin?"),
        ModelMessage.assistant("", List.of(call)),
        ModelMessage.toolResult(call.callId(), call.toolName(), new JsonPrimitive("15°C"), false)),
        List.of(weatherTool()), null, ModelRequest.Purpose.TURN);
    run(model, followUp);
    fake.request();
    JsonObject sent = fake.request().json();
    assertTrue(sent.has("thinking"));
    JsonArray assistant = sent.getAsJsonArray("messages").get(1).getAsJsonObject().getAsJsonArray("content");
    JsonObject block = assistant.get(0).getAsJsonObject();
    assertEquals("thinking", block.get("type").getAsString());
    assertTrue(block.get("thinking").getAsString().startsWith("This is a clever paradox question."));
    String signature = JsonParser.parseString(thinking.stream().filter(e -> e.contains("signature_delta")).findFirst()
        .orElseThrow().replaceAll("(?s).*?data: ", "")).getAsJsonObject().getAsJsonObject("delta").get("signature")
        .getAsString();
    assertEquals(signature, block.get("signature").getAsString());
    assertEquals("tool_use", assistant.get(1).getAsJsonObject().get("type").getAsString());

    // Another model instance never saw that thinking: it asks without thinking rather than fail.
    fake.then(sse(Fixtures.read(DIR + "07b-tool-result-followup.sse")));
    run(builder("claude-haiku-4-5-20251001").thinkingBudget(1024).build(), followUp);
    JsonObject withoutMemory = fake.request().json();
    assertFalse(withoutMemory.has("thinking"), withoutMemory.toString());
    assertEquals("tool_use", withoutMemory.getAsJsonArray("messages").get(1).getAsJsonObject()
        .getAsJsonArray("content").get(0).getAsJsonObject().get("type").getAsString());
  }

  // ---- failures -----------------------------------------------------------------------------------

  @Test
  void anOverloadedErrorEventFailsTheCall() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "09-error-event-overloaded.sse")),
        sse(Fixtures.read(DIR + "09a-midstream-overloaded-SPLICED.sse")));
    ModelException e = run(builder("claude-haiku-4-5").build(), ask("hi")).awaitError();
    assertEquals(ModelException.OVERLOADED, e.code());
    assertTrue(e.getMessage().contains("Overloaded"), e.getMessage());

    RecordingListener l = run(builder("claude-haiku-4-5").build(), ask("hi"));
    assertEquals(ModelException.OVERLOADED, l.awaitError().code());
    assertEquals("The weather in", l.text());
    assertEquals(List.of("text", "error"), l.shape());
    assertEquals(2, fake.drain().size(), "an error after the first byte is not retried");
  }

  @Test
  void unauthorizedIsNotRetriedAndNeverShowsTheKey() throws Exception {
    fake = FakeProvider.start(json(401, Fixtures.read(DIR + "09b-error-401-authentication.json"), "x-should-retry", "false"));
    ModelException e = run(builder("claude-haiku-4-5").apiKey("sk-ant-api03-secretsecret").build(), ask("hi")).awaitError();
    assertEquals(ModelException.AUTHENTICATION, e.code());
    assertTrue(e.getMessage().contains("invalid x-api-key"), e.getMessage());
    assertTrue(e.getMessage().contains("req_011CeCGmBjaWkq37Sf5iU7so"), e.getMessage());
    assertFalse(e.getMessage().contains("secretsecret"), e.getMessage());
    assertEquals(1, fake.drain().size());
  }

  @Test
  void rateLimitedThenSuccess() throws Exception {
    fake = FakeProvider.start(json(429, Fixtures.read(DIR + "09c-error-429-rate-limit.json"), "x-should-retry", "true"),
        sse(Fixtures.read(DIR + "06-text.sse")));
    RecordingListener l = run(builder("claude-sonnet-4-5").build(), ask("Count from 1 to 3"));
    assertEquals("1\n2\n3", l.text());
    assertEquals(2, fake.drain().size());
  }

  @Test
  void overloadedOnEveryAttemptReportsOverloaded() throws Exception {
    String body = Fixtures.read(DIR + "09d-error-529-overloaded.json");
    fake = FakeProvider.start(json(529, body, "x-should-retry", "true"), json(529, body), json(529, body));
    ModelException e = run(builder("claude-sonnet-4-5").build(), ask("hi")).awaitError();
    assertEquals(ModelException.OVERLOADED, e.code());
    assertTrue(e.getMessage().contains("529") && e.getMessage().contains("Overloaded"), e.getMessage());
    assertEquals(3, fake.drain().size());
  }

  @Test
  void aStallTimesOutAndADropIsANetworkError() throws Exception {
    String body = Fixtures.read(DIR + "06-text.sse");
    String head = body.substring(0, body.indexOf("event: content_block_delta"));
    fake = FakeProvider.start();
    fake.then(fake.stallAfter(head), FakeProvider.dropAfter(head));
    LanguageModel model = builder("claude-haiku-4-5").idleTimeout(Duration.ofMillis(300)).maxRetries(0).build();
    assertEquals(ModelException.TIMEOUT, run(model, ask("hi")).awaitError().code());
    assertEquals(ModelException.NETWORK, run(model, ask("hi")).awaitError().code());
  }

  @Test
  void cancelClosesTheHttpRequest() throws Exception {
    String body = Fixtures.read(DIR + "07b-tool-result-followup.sse");
    CountDownLatch clientClosed = new CountDownLatch(1);
    fake = FakeProvider.start();
    fake.then(fake.streamUntilClientCloses(body.substring(0, body.indexOf("event: content_block_delta",
        body.indexOf("text_delta") + 1)), clientClosed));
    RecordingListener l = new RecordingListener();
    ModelCall call = builder("claude-haiku-4-5").build().stream(ask("hi"), l);
    l.awaitFirstText();
    call.cancel();
    assertTrue(clientClosed.await(5, TimeUnit.SECONDS), "the fake provider saw the connection close");
    assertFalse(l.ended());
    assertEquals(List.of(), l.violations());
  }

  @Test
  void theBuilderChecksThinkingAgainstMaxTokens() {
    assertThrows(IllegalArgumentException.class, () -> AnthropicMessages.builder("m").thinkingBudget(100));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AnthropicMessages.builder("m").maxTokens(2000).thinkingBudget(2048).build());
    assertTrue(e.getMessage().contains("below maxTokens"), e.getMessage());
  }

  /** The raw events of an SSE body (blank-line separated). */
  private static List<String> events(String sse) {
    List<String> out = new ArrayList<>();
    for (String e : sse.split("\n\n")) {
      if (!e.isBlank()) {
        out.add(e.strip());
      }
    }
    return out;
  }

  private static int indexOf(List<String> events, String type) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith("event: " + type)) {
        return i;
      }
    }
    throw new AssertionError("no " + type + " in " + Arrays.toString(events.toArray()));
  }
}
