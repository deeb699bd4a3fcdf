package dev.eve4j.model.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.ToolCall;
import dev.eve4j.model.ToolSpec;
import dev.eve4j.model.http.Prompts;
import dev.eve4j.protocol.ContentPart;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the conversation maps to a Messages body. */
class AnthropicRequestsTest {
  private static final JsonObject SCHEMA = JsonParser.parseString(
      "{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\"}},\"required\":[\"title\"]}").getAsJsonObject();

  private static JsonObject body(int thinking, ModelRequest request) {
    return AnthropicRequests.body("claude-sonnet-4-5", 8192, thinking, new ThinkingMemory(), request);
  }

  private static ToolCall call(String id, String target) {
    return new ToolCall(id, "deploy", JsonParser.parseString("{\"target\":\"" + target + "\"}").getAsJsonObject());
  }

  @Test
  void aSummaryFirstConversationWithParallelResultsAndADenial() {
    JsonObject denied = JsonParser.parseString(
        "{\"code\":\"TOOL_EXECUTION_DENIED\",\"message\":\"Tool execution was denied.\"}").getAsJsonObject();
    ModelRequest request = new ModelRequest("Be brief.", List.of(
        ModelMessage.assistant("Summary of the conversation so far:\nThe user likes tea."),
        ModelMessage.user("Client context:\npage=/orders"),
        ModelMessage.user("deploy both"),
        ModelMessage.assistant("", List.of(call("t1", "a"), call("t2", "b"))),
        ModelMessage.toolResult("t1", "deploy", JsonParser.parseString("{\"deployed\":\"a\"}"), false),
        ModelMessage.toolResult("t2", "deploy", denied, true)),
        List.of(new ToolSpec("deploy", "Deploy.", JsonParser.parseString("{\"type\":\"object\"}").getAsJsonObject())),
        null, ModelRequest.Purpose.TURN);
    JsonObject body = body(0, request);
    assertEquals("Be brief.", body.get("system").getAsString());
    assertEquals(JsonParser.parseString("["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + AnthropicRequests.SUMMARY_PREAMBLE + "\"}]},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Summary of the conversation so far:\\nThe user likes tea.\"}]},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Client context:\\npage=/orders\"},"
        + "{\"type\":\"text\",\"text\":\"deploy both\"}]},"
        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"deploy\",\"input\":{\"target\":\"a\"}},"
        + "{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"deploy\",\"input\":{\"target\":\"b\"}}]},"
        + "{\"role\":\"user\",\"content\":["
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":[{\"type\":\"text\",\"text\":\"{\\\"deployed\\\":\\\"a\\\"}\"}]},"
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"t2\",\"content\":[{\"type\":\"text\",\"text\":"
        + "\"{\\\"code\\\":\\\"TOOL_EXECUTION_DENIED\\\",\\\"message\\\":\\\"Tool execution was denied.\\\"}\"}],\"is_error\":true}]}]"),
        body.getAsJsonArray("messages"));
  }

  @Test
  void structuredOutputForcesAToolUnlessThinking() {
    ModelRequest request = new ModelRequest("", List.of(ModelMessage.user("Summarise.")),
        List.of(new ToolSpec(ModelRequest.REPLY_TOOL, "Give your final answer.", SCHEMA)), SCHEMA,
        ModelRequest.Purpose.TURN);
    JsonObject plain = body(0, request);
    assertEquals(JsonParser.parseString("{\"type\":\"any\"}"), plain.get("tool_choice"));
    assertEquals(SCHEMA, plain.getAsJsonArray("tools").get(0).getAsJsonObject().get("input_schema"));
    JsonObject thinking = body(2048, request);
    assertFalse(thinking.has("tool_choice"), "thinking allows only auto");
    assertEquals(JsonParser.parseString("{\"type\":\"enabled\",\"budget_tokens\":2048}"), thinking.get("thinking"));
  }

  @Test
  void compactionAsksForASummaryWithoutThinkingOrTools() {
    ModelRequest request = new ModelRequest("Agent rules.", List.of(
        ModelMessage.user("hello"), ModelMessage.assistant("Hi!")), ModelRequest.Purpose.COMPACTION);
    JsonObject body = body(2048, request);
    assertEquals(Prompts.compactionSystem("Agent rules."), body.get("system").getAsString());
    JsonArray messages = body.getAsJsonArray("messages");
    assertEquals(1, messages.size());
    String text = messages.get(0).getAsJsonObject().getAsJsonArray("content").get(0).getAsJsonObject()
        .get("text").getAsString();
    assertTrue(text.contains("User: hello\n\nAssistant: Hi!"), text);
    assertFalse(body.has("thinking") || body.has("tools"));
  }

  @Test
  void filesBecomeImageDocumentTextOrFlattenedBlocks() {
    String png = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    String notes = Base64.getEncoder().encodeToString("remember the milk".getBytes(StandardCharsets.UTF_8));
    List<ContentPart> parts = List.of(ContentPart.text("look"),
        new ContentPart("file", null, "image/png", "data:image/png;base64," + png, "a.png"),
        new ContentPart("file", null, "application/pdf", "https://example.com/c.pdf", "c.pdf"),
        new ContentPart("file", null, "text/plain", notes, "notes.txt"),
        new ContentPart("file", null, "image/svg+xml", "PHN2Zy8+", "d.svg"));
    JsonObject body = body(0, new ModelRequest("", List.of(ModelMessage.user("flattened", parts)),
        ModelRequest.Purpose.TURN));
    assertEquals(JsonParser.parseString("[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"look\"},"
        + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + png + "\"}},"
        + "{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/c.pdf\"},\"title\":\"c.pdf\"},"
        + "{\"type\":\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"remember the milk\"},"
        + "\"title\":\"notes.txt\"},"
        + "{\"type\":\"text\",\"text\":\"[file: d.svg (image/svg+xml)]\\n<svg/>\"}]}]"),
        body.getAsJsonArray("messages"));
  }
}
