package dev.eve4j.model.openai;

import static dev.eve4j.model.http.FakeProvider.json;
import static dev.eve4j.model.http.FakeProvider.sse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelException;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.ToolCall;
import dev.eve4j.model.http.FakeProvider;
import dev.eve4j.model.http.Fixtures;
import dev.eve4j.model.http.RecordingListener;
import dev.eve4j.protocol.TokenUsage;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The OpenAI Chat Completions client against a fake provider replaying recorded bodies. */
@Timeout(20)
class OpenAiChatTest {
  private static final String DIR = "openai-chat/";
  private FakeProvider fake;

  @AfterEach
  void stop() {
    if (fake != null) {
      fake.close();
    }
  }

  private LanguageModel model(String name) {
    return OpenAiChat.builder(name).apiKey("sk-test-0123456789abcdef").baseUrl(fake.baseUrl() + "/v1")
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).idleTimeout(Duration.ofSeconds(5)).build();
  }

  private static ModelRequest ask(String text) {
    return new ModelRequest("", List.of(ModelMessage.user(text)), ModelRequest.Purpose.TURN);
  }

  private static RecordingListener run(LanguageModel model, ModelRequest request) throws Exception {
    RecordingListener l = new RecordingListener();
    model.stream(request, l);
    l.awaitEnd();
    assertEquals(List.of(), l.violations());
    return l;
  }

  // ---- streams ----------------------------------------------------------------------------------

  @Test
  void streamsTextAndUsage() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "01-text-include-usage.sse")));
    RecordingListener l = run(model("gpt-5-nano"), ask("Count from 1 to 3"));
    assertEquals("1\n2\n3", l.text());
    assertEquals(List.of("text", "finish"), l.shape());
    assertEquals(new TokenUsage(13, 142, 0, 0), l.usage());

    FakeProvider.Request sent = fake.request();
    assertEquals("POST", sent.method());
    assertEquals("/v1/chat/completions", sent.path());
    assertEquals("Bearer sk-test-0123456789abcdef", sent.header("authorization"));
    assertTrue(sent.header("content-type").startsWith("application/json"));
    assertSameFields(JsonParser.parseString(Fixtures.read(DIR + "01-text-include-usage.request.json")).getAsJsonObject(),
        sent.json(), "model", "messages", "stream", "stream_options");
    assertFalse(sent.json().has("tools"));
  }

  @Test
  void readsThe2024ChunkFormat() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "01b-text-usage-gpt4o-2024.sse"), 7));
    RecordingListener l = run(model("gpt-4o-2024-08-06"), ask("What's the weather like in SF?"));
    assertTrue(l.text().startsWith("I'm unable to provide real-time weather"), l.text());
    assertEquals("stop", l.awaitEnd());
    assertTrue(l.usage().inputTokens() > 0 && l.usage().outputTokens() > 0, String.valueOf(l.usage()));
  }

  @Test
  void assemblesOneToolCallAndSendsToolsAsFunctions() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "02-single-tool-call.sse")));
    JsonObject recorded = JsonParser.parseString(Fixtures.read(DIR + "02-single-tool-call.request.json")).getAsJsonObject();
    JsonObject fn = recorded.getAsJsonArray("tools").get(0).getAsJsonObject().getAsJsonObject("function");
    ModelRequest request = new ModelRequest("", List.of(ModelMessage.user("What's the weather in Berlin? (52.5200, 13.4050)")),
        List.of(new dev.eve4j.model.ToolSpec("weather", fn.get("description").getAsString(), fn.getAsJsonObject("parameters"))),
        null, ModelRequest.Purpose.TURN);

    RecordingListener l = run(model("gpt-5-nano"), request);

    assertEquals("tool-calls", l.awaitEnd());
    assertEquals(List.of("input", "call", "finish"), l.shape());
    JsonObject input = JsonParser.parseString("{\"latitude\":\"52.5200\",\"longitude\":\"13.4050\"}").getAsJsonObject();
    assertEquals(List.of(new ToolCall("call_N2fJZh6fGguUrjbTlDD9mkbh", "weather", input)), l.calls());
    String streamed = l.inputDeltas().stream().map(d -> d.substring(d.lastIndexOf('|') + 1)).reduce("", String::concat);
    assertEquals("{\"latitude\":\"52.5200\",\"longitude\":\"13.4050\"}", streamed);
    assertTrue(l.inputDeltas().stream().allMatch(d -> d.startsWith("call_N2fJZh6fGguUrjbTlDD9mkbh|weather|")));
    assertSameFields(recorded, fake.request().json(), "model", "messages", "tools", "stream", "stream_options");
  }

  @Test
  void sendsTheToolCallAndItsResultBackAsRecorded() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "02b-tool-result-followup.sse")));
    JsonObject recorded = JsonParser.parseString(Fixtures.read(DIR + "02b-tool-result-followup.request.json")).getAsJsonObject();
    JsonObject fn = recorded.getAsJsonArray("tools").get(0).getAsJsonObject().getAsJsonObject("function");
    JsonObject input = JsonParser.parseString("{\"latitude\":\"52.5200\",\"longitude\":\"13.4050\"}").getAsJsonObject();
    ModelRequest request = new ModelRequest("", List.of(
        ModelMessage.user("What's the weather in Berlin? (52.5200, 13.4050)"),
        ModelMessage.assistant("", List.of(new ToolCall("call_N2fJZh6fGguUrjbTlDD9mkbh", "weather", input))),
        ModelMessage.toolResult("call_N2fJZh6fGguUrjbTlDD9mkbh", "weather",
            new com.google.gson.JsonPrimitive("Current weather at 52.5200, 13.4050: 15°C, Wind: 10 km/h"), false)),
        List.of(new dev.eve4j.model.ToolSpec("weather", fn.get("description").getAsString(), fn.getAsJsonObject("parameters"))),
        null, ModelRequest.Purpose.TURN);

    RecordingListener l = run(model("gpt-5-nano"), request);

    assertEquals("stop", l.awaitEnd());
    assertTrue(l.text().contains("15°C"), l.text());
    assertSameFields(recorded, fake.request().json(), "model", "messages", "tools", "stream", "stream_options");
  }

  @Test
  void assemblesParallelToolCallsByIndex() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "03-parallel-tool-calls.sse")),
        sse(Fixtures.read(DIR + "03b-parallel-tool-calls-pydantic.sse")));
    RecordingListener l = run(model("gpt-4o-2024-08-06"), ask("What's the weather like in Edinburgh? And AAPL?"));
    assertEquals("tool-calls", l.awaitEnd());
    assertEquals(List.of("GetWeatherArgs", "get_stock_price"), l.calls().stream().map(ToolCall::toolName).toList());
    assertEquals("Edinburgh", l.calls().get(0).input().get("city").getAsString());
    assertEquals("call_JMW1whyEaYG438VE1OIflxA2", l.calls().get(0).callId());
    assertEquals("NASDAQ", l.calls().get(1).input().get("exchange").getAsString());
    assertEquals(List.of("input", "call", "finish"), l.shape());

    RecordingListener l2 = run(model("gpt-4o"), ask("Tell me"));
    assertEquals(List.of("get_country", "get_product_name"), l2.calls().stream().map(ToolCall::toolName).toList());
    assertEquals(new JsonObject(), l2.calls().get(0).input());
    assertEquals(new TokenUsage(364, 40, 0, 0), l2.usage());
  }

  @Test
  void wholeToolCallsWithoutIndexAndNoDoneLineAsSomeLocalServersSendThem() throws Exception {
    String chunk = "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"%s\",\"type\":\"function\","
        + "\"function\":{\"name\":\"lookup\",\"arguments\":\"{\\\"query\\\":\\\"%s\\\"}\"}}]},"
        + "\"finish_reason\":null}]}\n\n";
    fake = FakeProvider.start(sse(String.format(chunk, "call_a", "x") + String.format(chunk, "call_b", "y")
        + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"));
    RecordingListener l = run(model("llama3.2"), ask("look up x and y"));
    assertEquals("tool-calls", l.awaitEnd());
    assertEquals(List.of("call_a", "call_b"), l.calls().stream().map(ToolCall::callId).toList());
    assertEquals("y", l.calls().get(1).input().get("query").getAsString());
    assertEquals(TokenUsage.ZERO, l.usage());
  }

  @Test
  void forwardsReasoningContentThenTextWithUsageOnTheFinishChunk() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "04-reasoning-content-deepseek.sse"), 13));
    RecordingListener l = run(model("deepseek-reasoner"), ask("Hello"));
    assertEquals("stop", l.awaitEnd());
    assertEquals(List.of("reasoning", "text", "finish"), l.shape());
    assertTrue(l.reasoning().startsWith("Hmm,"), l.reasoning());
    assertTrue(l.text().endsWith("today?"), l.text());
    assertTrue(l.text().codePoints().anyMatch(c -> c > 0xFFFF), "the non-BMP emoji survived the byte splits");
    assertEquals(new TokenUsage(6, 212, 0, 0), l.usage());
    assertSameFields(JsonParser.parseString(Fixtures.read(DIR + "04-reasoning-content-deepseek.request.json"))
        .getAsJsonObject(), fake.request().json(), "model", "messages", "stream", "stream_options");
  }

  // ---- failures -----------------------------------------------------------------------------------

  @Test
  void anErrorEventMidStreamFailsTheCall() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "05c-midstream-error-event-groq.sse")));
    RecordingListener l = run(model("openai/gpt-oss-120b"), ask("call the tool"));
    ModelException e = l.awaitError();
    assertEquals(ModelException.PROVIDER_ERROR, e.code());
    assertTrue(e.getMessage().contains("Tool call validation failed"), e.getMessage());
    assertTrue(e.getMessage().contains("tool_use_failed"), e.getMessage());
    assertFalse(l.reasoning().isEmpty(), "Groq's delta.reasoning arrives as reasoning");
  }

  @Test
  void unauthorizedIsNotRetriedAndNeverShowsTheKey() throws Exception {
    fake = FakeProvider.start(json(401, Fixtures.read(DIR + "05-error-401-invalid-api-key.json")),
        sse(Fixtures.read(DIR + "01-text-include-usage.sse")));
    LanguageModel model = OpenAiChat.builder("gpt-5-nano").apiKey("invalid-key").baseUrl(fake.baseUrl() + "/v1").build();
    RecordingListener l = run(model, ask("hi"));
    ModelException e = l.awaitError();
    assertEquals(ModelException.AUTHENTICATION, e.code());
    assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
    assertTrue(e.getMessage().contains("401"), e.getMessage());
    assertFalse(e.getMessage().contains("invalid-key"), e.getMessage());
    assertEquals("Bearer invalid-key", fake.request().header("authorization"));
    assertEquals(List.of(), fake.drain(), "a 401 is not retried");
  }

  @Test
  void rateLimitedThenSuccessRetriesBeforeTheFirstByte() throws Exception {
    fake = FakeProvider.start(json(429, Fixtures.read(DIR + "05b-error-429-rate-limit.json")),
        sse(Fixtures.read(DIR + "01-text-include-usage.sse")));
    RecordingListener l = run(model("gpt-5-nano"), ask("Count from 1 to 3"));
    assertEquals("stop", l.awaitEnd());
    assertEquals("1\n2\n3", l.text());
    String first = fake.request().body();
    assertEquals(first, fake.request().body(), "the retry sends the same request");
  }

  @Test
  void retryAfterMsFromTheProviderWinsOverTheBackoff() throws Exception {
    fake = FakeProvider.start(json(429, Fixtures.read(DIR + "05b-error-429-rate-limit.json"), "retry-after-ms", "1"),
        sse(Fixtures.read(DIR + "01-text-include-usage.sse")));
    // A backoff of a minute would outlast the test's timeout: only retry-after-ms gets it through.
    LanguageModel model = OpenAiChat.builder("gpt-5-nano").apiKey("k").baseUrl(fake.baseUrl() + "/v1")
        .retryBackoff(Duration.ofSeconds(59), Duration.ofSeconds(59)).build();
    RecordingListener l = new RecordingListener();
    model.stream(ask("hi"), l);
    assertEquals("stop", l.awaitEnd());
  }

  @Test
  void rateLimitedOnEveryAttemptReportsTheRateLimit() throws Exception {
    String body = Fixtures.read(DIR + "05b-error-429-rate-limit.json");
    fake = FakeProvider.start(json(429, body), json(429, body), json(429, body));
    ModelException e = run(model("gpt-5-nano"), ask("hi")).awaitError();
    assertEquals(ModelException.RATE_LIMITED, e.code());
    assertTrue(e.getMessage().contains("Rate limit reached"), e.getMessage());
    assertEquals(3, fake.drain().size(), "the first attempt and two retries");
  }

  @Test
  void serverErrorsAreRetriedThenReported() throws Exception {
    String body = "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}";
    fake = FakeProvider.start(json(500, body), json(500, body), json(500, body));
    ModelException e = run(model("gpt-4o"), ask("hi")).awaitError();
    assertEquals(ModelException.PROVIDER_ERROR, e.code());
    assertTrue(e.getMessage().contains("500") && e.getMessage().contains("server had an error"), e.getMessage());
    assertEquals(3, fake.drain().size());
  }

  @Test
  void aBadRequestIsReportedAtOnce() throws Exception {
    fake = FakeProvider.start(json(400, "{\"error\":{\"message\":\"Invalid schema for function 'x'\","
        + "\"type\":\"invalid_request_error\",\"param\":\"tools[0]\",\"code\":\"invalid_function_parameters\"}}"));
    ModelException e = run(model("gpt-4o"), ask("hi")).awaitError();
    assertEquals(ModelException.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains("Invalid schema"), e.getMessage());
    assertEquals(1, fake.drain().size());
  }

  @Test
  void aConnectionDroppedMidStreamIsANetworkError() throws Exception {
    String body = Fixtures.read(DIR + "01-text-include-usage.sse");
    String partial = body.substring(0, body.indexOf("data:", body.indexOf("\"content\":\"2\"")));
    fake = FakeProvider.start(FakeProvider.dropAfter(partial), sse(body));
    RecordingListener l = run(model("gpt-5-nano"), ask("Count"));
    ModelException e = l.awaitError();
    assertEquals(ModelException.NETWORK, e.code());
    assertTrue(e.getMessage().contains("mid-stream"), e.getMessage());
    assertEquals("1\n2", l.text());
    assertEquals(1, fake.drain().size(), "nothing is retried after the first byte");
  }

  @Test
  void aStreamThatStallsTimesOut() throws Exception {
    String body = Fixtures.read(DIR + "01-text-include-usage.sse");
    fake = FakeProvider.start();
    fake.then(fake.stallAfter(body.substring(0, body.indexOf("data:", 10))), fake.stallBeforeHeaders());
    LanguageModel model = OpenAiChat.builder("gpt-5-nano").baseUrl(fake.baseUrl() + "/v1")
        .idleTimeout(Duration.ofMillis(300)).maxRetries(0).build();
    ModelException afterFirstChunk = run(model, ask("Count")).awaitError();
    assertEquals(ModelException.TIMEOUT, afterFirstChunk.code());
    ModelException beforeHeaders = run(model, ask("Count")).awaitError();
    assertEquals(ModelException.TIMEOUT, beforeHeaders.code());
  }

  @Test
  void aRefusedConnectionIsANetworkError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    LanguageModel model = OpenAiChat.builder("gpt-4o").baseUrl("http://127.0.0.1:" + port + "/v1").maxRetries(0).build();
    ModelException e = run(model, ask("hi")).awaitError();
    assertEquals(ModelException.NETWORK, e.code());
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
  }

  @Test
  void cancelClosesTheHttpRequest() throws Exception {
    String body = Fixtures.read(DIR + "01-text-include-usage.sse");
    CountDownLatch clientClosed = new CountDownLatch(1);
    fake = FakeProvider.start();
    fake.then(fake.streamUntilClientCloses(body.substring(0, body.indexOf("data:", body.indexOf("\"content\":\"1\""))),
        clientClosed));
    RecordingListener l = new RecordingListener();
    ModelCall call = model("gpt-5-nano").stream(ask("Count"), l);
    l.awaitFirstText();
    call.cancel();
    assertTrue(clientClosed.await(5, TimeUnit.SECONDS), "the fake provider saw the connection close");
    assertFalse(l.ended(), "a cancelled call reports no end");
    call.cancel(); // idempotent
    assertEquals(List.of(), l.violations());
  }

  // ---- request mapping ----------------------------------------------------------------------------

  @Test
  void sendsOrganizationProjectAndExtraHeaders() throws Exception {
    fake = FakeProvider.start(sse(Fixtures.read(DIR + "01-text-include-usage.sse")));
    LanguageModel model = OpenAiChat.builder("gpt-5-nano").baseUrl(fake.baseUrl() + "/v1/")
        .organization("org-1").project("proj-1").header("x-trace", "t1").build();
    assertEquals("openai/gpt-5-nano", model.id());
    run(model, ask("hi"));
    FakeProvider.Request sent = fake.request();
    assertEquals("/v1/chat/completions", sent.path());
    assertNull(sent.header("authorization"), "no key, no authorization header");
    assertEquals("org-1", sent.header("openai-organization"));
    assertEquals("proj-1", sent.header("openai-project"));
    assertEquals("t1", sent.header("x-trace"));
  }

  /** Every named member of {@code expected} equals the same member of {@code actual}. */
  static void assertSameFields(JsonObject expected, JsonObject actual, String... names) {
    for (String name : names) {
      assertEquals(expected.get(name), actual.get(name), "request field '" + name + "'");
    }
  }
}
