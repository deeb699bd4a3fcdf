package dev.eve4j.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.eve4j.EveRuntime;
import dev.eve4j.agent.Agent;
import dev.eve4j.model.Models;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole session through {@link EveServer} with each real provider client, driven by the real
 * TypeScript client {@code eve/client} (npm {@code eve@0.80.1}) on Node 24: the demo agent's model is
 * {@code openai:gpt-4o-mini} / {@code anthropic:claude-haiku-4-5}, configured through
 * {@link Models#fromSettings} as the standalone jar does, and pointed at a fake provider scripted
 * here (a real HTTP server on 127.0.0.1 speaking the recorded wire formats). The driver
 * {@code provider-interop.mjs} checks an approved {@code deploy} call, a provider failure, a
 * cancel, a compaction and the turn after it; this test then checks what the fakes were sent and
 * that cancelling closed the provider's HTTP request.
 *
 * <p>Node and the npm packages are installed by the build exactly as for
 * {@link EveClientInteropTest}; when they are missing the test fails, it never skips.
 */
class ProviderInteropTest {
  private static final String KEY = "sk-test-interop-secret-0123456789";
  private static final String SUMMARY = "The user asked to deploy to production; it was approved and deployed.";
  private static final List<String> STEPS =
      List.of("info", "approval.request", "approval.approve", "model-failure", "cancel", "compact", "after-compact");
  private static final long PROCESS_TIMEOUT_SECONDS = 120;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theRealClientRunsWholeTurnsOnEachProvider() throws Exception {
    try (FakeProvider openai = new FakeProvider(Dialect.OPENAI);
        FakeProvider anthropic = new FakeProvider(Dialect.ANTHROPIC);
        EveServer openaiEve = serve(Map.of("EVE4J_MODEL", "openai:gpt-4o-mini", "OPENAI_API_KEY", KEY,
            "OPENAI_BASE_URL", openai.baseUrl() + "/v1"));
        EveServer anthropicEve = serve(Map.of("EVE4J_MODEL", "anthropic:claude-haiku-4-5", "ANTHROPIC_API_KEY", KEY,
            "ANTHROPIC_BASE_URL", anthropic.baseUrl()))) {
      JsonObject config = new JsonObject();
      config.add("openai", target(openaiEve, "openai/gpt-4o-mini"));
      config.add("anthropic", target(anthropicEve, "anthropic/claude-haiku-4-5"));
      List<String> expected = new ArrayList<>();
      for (String provider : List.of("openai", "anthropic")) {
        STEPS.forEach(s -> expected.add(provider + "." + s));
      }
      NodeDriver.run("provider-interop.mjs", List.of(config.toString()), List.of("eve"), expected,
          PROCESS_TIMEOUT_SECONDS);

      assertTrue(openai.clientClosed.await(10, TimeUnit.SECONDS), "cancelling the turn closed the OpenAI request");
      assertTrue(anthropic.clientClosed.await(10, TimeUnit.SECONDS), "cancelling the turn closed the Anthropic request");
      checkOpenAiRequests(openai.requests());
      checkAnthropicRequests(anthropic.requests());
    }
  }

  private static EveServer serve(Map<String, String> settings) throws Exception {
    Models.Configured configured = Models.fromSettings(settings);
    return EveServer.start(EveRuntime.builder().agent(Agent.demo(configured.model())).build(), "127.0.0.1", 0);
  }

  private static JsonObject target(EveServer server, String model) {
    JsonObject o = new JsonObject();
    o.addProperty("url", server.uri().toString());
    o.addProperty("model", model);
    o.addProperty("key", KEY);
    return o;
  }

  // ---- what the fakes were sent -----------------------------------------------------------------

  private static void checkOpenAiRequests(List<Received> requests) {
    Received first = requests.get(0);
    assertEquals("/v1/chat/completions", first.path);
    assertEquals("Bearer " + KEY, first.authorization);
    JsonObject body = first.body;
    assertEquals("gpt-4o-mini", body.get("model").getAsString());
    assertTrue(body.get("stream").getAsBoolean());
    assertEquals(JsonParser.parseString("{\"include_usage\":true}"), body.get("stream_options"));
    assertEquals(List.of("lookup", "deploy", "ask_question"), names(body.getAsJsonArray("tools"), "function"));
    assertEquals(JsonParser.parseString("[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
        + "{\"role\":\"user\",\"content\":\"Please deploy to production\"}]"), body.get("messages"));

    JsonArray followUp = requests.get(1).body.getAsJsonArray("messages");
    JsonObject assistant = followUp.get(2).getAsJsonObject();
    JsonObject call = assistant.getAsJsonArray("tool_calls").get(0).getAsJsonObject();
    assertEquals("deploy", call.getAsJsonObject("function").get("name").getAsString());
    assertEquals(JsonParser.parseString("{\"target\":\"production\"}"),
        JsonParser.parseString(call.getAsJsonObject("function").get("arguments").getAsString()));
    JsonObject result = followUp.get(3).getAsJsonObject();
    assertEquals("tool", result.get("role").getAsString());
    assertEquals(call.get("id"), result.get("tool_call_id"));
    assertEquals("{\"deployed\":\"production\"}", result.get("content").getAsString());

    checkCompaction(requests, r -> r.getAsJsonArray("messages").get(0).getAsJsonObject().get("content").getAsString(),
        r -> r.getAsJsonArray("messages").get(1).getAsJsonObject().get("content").getAsString());
  }

  private static void checkAnthropicRequests(List<Received> requests) {
    Received first = requests.get(0);
    assertEquals("/v1/messages", first.path);
    assertEquals(KEY, first.apiKey);
    assertEquals("2023-06-01", first.version);
    JsonObject body = first.body;
    assertEquals("claude-haiku-4-5", body.get("model").getAsString());
    assertEquals("You are a helpful assistant.", body.get("system").getAsString());
    assertEquals(8192, body.get("max_tokens").getAsInt());
    assertEquals(List.of("lookup", "deploy", "ask_question"), names(body.getAsJsonArray("tools"), null));
    assertEquals(JsonParser.parseString("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
        + "\"Please deploy to production\"}]}]"), body.get("messages"));

    JsonArray followUp = requests.get(1).body.getAsJsonArray("messages");
    JsonObject use = followUp.get(1).getAsJsonObject().getAsJsonArray("content").get(0).getAsJsonObject();
    assertEquals("tool_use", use.get("type").getAsString());
    assertEquals(JsonParser.parseString("{\"target\":\"production\"}"), use.get("input"));
    JsonObject result = followUp.get(2).getAsJsonObject().getAsJsonArray("content").get(0).getAsJsonObject();
    assertEquals("tool_result", result.get("type").getAsString());
    assertEquals(use.get("id"), result.get("tool_use_id"));
    assertEquals("{\"deployed\":\"production\"}",
        result.getAsJsonArray("content").get(0).getAsJsonObject().get("text").getAsString());

    checkCompaction(requests, r -> r.get("system").getAsString(),
        r -> r.getAsJsonArray("messages").get(0).getAsJsonObject().getAsJsonArray("content").get(0)
            .getAsJsonObject().get("text").getAsString());
  }

  /** The compaction call asked for a summary of a transcript, and the next call carried the summary. */
  private static void checkCompaction(List<Received> requests, java.util.function.Function<JsonObject, String> system,
      java.util.function.Function<JsonObject, String> firstUserText) {
    int at = -1;
    for (int i = 0; i < requests.size(); i++) {
      if (isCompaction(requests.get(i).body)) {
        at = i;
      }
    }
    assertTrue(at >= 0 && at + 1 < requests.size(), "a compaction call, then another call: " + requests.size());
    JsonObject compaction = requests.get(at).body;
    assertTrue(system.apply(compaction).contains("You are a helpful assistant."), system.apply(compaction));
    String transcript = firstUserText.apply(compaction);
    assertTrue(transcript.contains("User: Please deploy to production"), transcript);
    assertTrue(transcript.contains("Tool deploy returned: {\"deployed\":\"production\"}"), transcript);
    assertTrue(!compaction.has("tools"), "no tools in a compaction call");
    String after = requests.get(at + 1).body.toString();
    assertTrue(after.contains("Summary of the conversation so far:\\n" + SUMMARY), after);
    assertTrue(!after.contains("Please deploy to production"), "the summary replaced the conversation: " + after);
  }

  private static boolean isCompaction(JsonObject body) {
    String text = body.has("system") ? body.get("system").getAsString()
        : body.getAsJsonArray("messages").get(0).getAsJsonObject().get("content").toString();
    return text.contains("checkpoint summary");
  }

  private static List<String> names(JsonArray tools, String wrapper) {
    List<String> out = new ArrayList<>();
    for (JsonElement t : tools) {
      JsonObject o = wrapper == null ? t.getAsJsonObject() : t.getAsJsonObject().getAsJsonObject(wrapper);
      out.add(o.get("name").getAsString());
    }
    return out;
  }

  // ---- the fake providers -----------------------------------------------------------------------

  enum Dialect { OPENAI, ANTHROPIC }

  record Received(String path, String authorization, String apiKey, String version, JsonObject body) {}

  /**
   * A scripted provider: "deploy" asks for a {@code deploy} call in three input fragments; a tool
   * result gets "Deployed. The tool said: <output>"; "bad key" gets a 401; "slow" streams text until
   * the client closes the connection (counting down {@link #clientClosed}); a compaction call gets
   * the summary; anything else gets the summary found in the conversation. Usage is 21 in, 7 out.
   */
  static final class FakeProvider implements AutoCloseable {
    final CountDownLatch clientClosed = new CountDownLatch(1);
    private final Dialect dialect;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    FakeProvider(Dialect dialect) throws IOException {
      this.dialect = dialect;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(pool);
      server.createContext("/", this::handle);
      server.start();
    }

    String baseUrl() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Received> requests() {
      List<Received> out = new ArrayList<>();
      received.drainTo(out);
      return out;
    }

    @Override
    public void close() {
      closing.countDown();
      server.stop(0);
      pool.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
      JsonObject body = JsonParser.parseString(
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
      received.add(new Received(exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("authorization"), exchange.getRequestHeaders().getFirst("x-api-key"),
          exchange.getRequestHeaders().getFirst("anthropic-version"), body));
      String toolOutput = toolOutput(body);
      String userText = lastUserText(body);
      if (isCompaction(body)) {
        stream(exchange, List.of(text(SUMMARY)), "stop");
      } else if (toolOutput != null) {
        stream(exchange, List.of(text("Deployed. "), text("The tool said: " + toolOutput)), "stop");
      } else if (userText.contains("bad key")) {
        byte[] error = (dialect == Dialect.OPENAI
            ? "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ".\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"invalid_api_key\"}}"
            : "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}")
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(401, error.length);
        exchange.getResponseBody().write(error);
        exchange.close();
      } else if (userText.contains("slow")) {
        streamUntilClosed(exchange);
      } else if (userText.contains("deploy")) {
        stream(exchange, List.of(toolCall("call_fake_1", "deploy", List.of("{\"target\"", ": \"produc", "tion\"}"))),
            "tool-calls");
      } else {
        String all = body.toString();
        stream(exchange, List.of(text(all.contains(SUMMARY) ? "From the summary: " + SUMMARY : "Hello.")), "stop");
      }
    }

    /** The text of the latest user message (Anthropic: its last text block; merged messages hold several). */
    private String lastUserText(JsonObject body) {
      JsonArray messages = body.getAsJsonArray("messages");
      for (int i = messages.size() - 1; i >= 0; i--) {
        JsonObject m = messages.get(i).getAsJsonObject();
        if (!m.get("role").getAsString().equals("user")) {
          continue;
        }
        if (m.get("content").isJsonPrimitive()) {
          return m.get("content").getAsString();
        }
        String text = "";
        for (JsonElement block : m.getAsJsonArray("content")) {
          if (block.getAsJsonObject().get("type").getAsString().equals("text")) {
            text = block.getAsJsonObject().get("text").getAsString();
          }
        }
        return text;
      }
      return "";
    }

    /** The output of the tool result that ends the conversation, or null. */
    private String toolOutput(JsonObject body) {
      JsonArray messages = body.getAsJsonArray("messages");
      JsonObject last = messages.get(messages.size() - 1).getAsJsonObject();
      if (dialect == Dialect.OPENAI) {
        return last.get("role").getAsString().equals("tool") ? last.get("content").getAsString() : null;
      }
      for (JsonElement block : last.getAsJsonArray("content")) {
        JsonObject b = block.getAsJsonObject();
        if (b.get("type").getAsString().equals("tool_result")) {
          return b.getAsJsonArray("content").get(0).getAsJsonObject().get("text").getAsString();
        }
      }
      return null;
    }

    // One "part" is a list of SSE events for a text or tool-call block.
    private record Part(String text, String callId, String tool, List<String> fragments) {}

    private static Part text(String text) {
      return new Part(text, null, null, null);
    }

    private static Part toolCall(String id, String tool, List<String> fragments) {
      return new Part(null, id, tool, fragments);
    }

    private void stream(HttpExchange exchange, List<Part> parts, String finish) throws IOException {
      exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      List<String> events = dialect == Dialect.OPENAI ? openAiEvents(parts, finish) : anthropicEvents(parts, finish);
      for (String e : events) {
        out.write(e.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      exchange.close();
    }

    private void streamUntilClosed(HttpExchange exchange) throws IOException {
      exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      List<String> start = dialect == Dialect.OPENAI ? List.of() : List.of(
          anthropic("message_start", "{\"type\":\"message_start\",\"message\":{\"model\":\"claude-haiku-4-5\","
              + "\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,"
              + "\"usage\":{\"input_tokens\":21,\"output_tokens\":1}}}"),
          anthropic("content_block_start",
              "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
      try {
        for (String e : start) {
          out.write(e.getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 400; i++) {
          String delta = dialect == Dialect.OPENAI ? openAiChunk("{\"content\":\"word" + i + " \"}", null, null)
              : anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                  + "\"delta\":{\"type\":\"text_delta\",\"text\":\"word" + i + " \"}}");
          out.write(delta.getBytes(StandardCharsets.UTF_8));
          out.flush();
          // paces the deltas; returns early when the test ends
          if (closing.await(50, TimeUnit.MILLISECONDS)) {
            return;
          }
        }
        // The client never closed the stream: clientClosed stays up and the test fails on it.
      } catch (IOException closedByClient) {
        clientClosed.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static List<String> openAiEvents(List<Part> parts, String finish) {
      List<String> events = new ArrayList<>();
      events.add(openAiChunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null, null));
      int index = 0;
      for (Part p : parts) {
        if (p.text != null) {
          events.add(openAiChunk("{\"content\":" + quote(p.text) + "}", null, null));
        } else {
          events.add(openAiChunk("{\"tool_calls\":[{\"index\":" + index + ",\"id\":\"" + p.callId + "\",\"type\":"
              + "\"function\",\"function\":{\"name\":\"" + p.tool + "\",\"arguments\":\"\"}}]}", null, null));
          for (String f : p.fragments) {
            events.add(openAiChunk("{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":"
                + quote(f) + "}}]}", null, null));
          }
          index++;
        }
      }
      events.add(openAiChunk("{}", finish.equals("tool-calls") ? "tool_calls" : "stop", null));
      events.add("data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1,"
          + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":7,"
          + "\"total_tokens\":28}}\n\n");
      events.add("data: [DONE]\n\n");
      return events;
    }

    private static String openAiChunk(String delta, String finishReason, String usage) {
      return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
          + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
          + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}],\"usage\":" + usage + "}\n\n";
    }

    private static List<String> anthropicEvents(List<Part> parts, String finish) {
      List<String> events = new ArrayList<>();
      events.add(anthropic("message_start", "{\"type\":\"message_start\",\"message\":{\"model\":\"claude-haiku-4-5\","
          + "\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,"
          + "\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
          + "\"output_tokens\":1}}     }"));
      events.add(anthropic("ping", "{\"type\": \"ping\"}"));
      int index = 0;
      for (Part p : parts) {
        if (p.text != null) {
          events.add(anthropic("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
              + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
          events.add(anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
              + ",\"delta\":{\"type\":\"text_delta\",\"text\":" + quote(p.text) + "}}"));
        } else {
          events.add(anthropic("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
              + ",\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_fake_1\",\"name\":\"" + p.tool
              + "\",\"input\":{},\"caller\":{\"type\":\"direct\"}}}"));
          for (String f : p.fragments) {
            events.add(anthropic("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + quote(f) + "}}"));
          }
        }
        events.add(anthropic("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}"));
        index++;
      }
      events.add(anthropic("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\""
          + (finish.equals("tool-calls") ? "tool_use" : "end_turn") + "\",\"stop_sequence\":null},"
          + "\"usage\":{\"input_tokens\":21,\"output_tokens\":7}}"));
      events.add(anthropic("message_stop", "{\"type\":\"message_stop\"}"));
      return events;
    }

    private static String anthropic(String event, String data) {
      return "event: " + event + "\ndata: " + data + "\n\n";
    }

    private static String quote(String s) {
      return new com.google.gson.JsonPrimitive(s).toString();
    }
  }
}
