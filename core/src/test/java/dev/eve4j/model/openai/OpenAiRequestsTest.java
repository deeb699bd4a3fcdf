package dev.eve4j.model.openai;

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

/** How the conversation maps to a Chat Completions body. */
class OpenAiRequestsTest {
  private static final JsonObject SCHEMA = JsonParser.parseString(
      "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
          + "\"properties\":{\"title\":{\"type\":\"string\"}},\"required\":[\"title\"]}").getAsJsonObject();

  private static JsonArray messages(JsonObject body) {
    return body.getAsJsonArray("messages");
  }

  @Test
  void aWholeConversation() {
    JsonObject failure = JsonParser.parseString(
        "{\"code\":\"TOOL_EXECUTION_DENIED\",\"message\":\"Tool execution was denied.\"}").getAsJsonObject();
    ModelRequest request = new ModelRequest("Be brief.", List.of(
        ModelMessage.assistant("Summary of the conversation so far:\nThe user likes tea."),
        ModelMessage.user("Client context:\npage=/orders"),
        ModelMessage.user("deploy it"),
        ModelMessage.assistant("Deploying.", List.of(new ToolCall("c1", "deploy",
            JsonParser.parseString("{\"target\":\"prod\"}").getAsJsonObject()))),
        ModelMessage.toolResult("c1", "deploy", failure, true)),
        List.of(new ToolSpec("deploy", "Deploy.", JsonParser.parseString("{\"type\":\"object\"}").getAsJsonObject())),
        null, ModelRequest.Purpose.TURN);
    JsonObject body = OpenAiRequests.body("gpt-4o", request);
    assertEquals(JsonParser.parseString("["
        + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
        + "{\"role\":\"assistant\",\"content\":\"Summary of the conversation so far:\\nThe user likes tea.\"},"
        + "{\"role\":\"user\",\"content\":\"Client context:\\npage=/orders\"},"
        + "{\"role\":\"user\",\"content\":\"deploy it\"},"
        + "{\"role\":\"assistant\",\"content\":\"Deploying.\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"deploy\",\"arguments\":\"{\\\"target\\\":\\\"prod\\\"}\"}}]},"
        + "{\"role\":\"tool\",\"content\":\"{\\\"code\\\":\\\"TOOL_EXECUTION_DENIED\\\",\\\"message\\\":\\\"Tool execution was denied.\\\"}\","
        + "\"tool_call_id\":\"c1\"}]"), messages(body));
    assertFalse(body.has("tool_choice"));
  }

  @Test
  void structuredOutputGoesThroughTheRequiredReplyTool() {
    ModelRequest request = new ModelRequest("", List.of(ModelMessage.user("Summarise.")),
        List.of(new ToolSpec(ModelRequest.REPLY_TOOL, "Give your final answer.", SCHEMA)), SCHEMA,
        ModelRequest.Purpose.TURN);
    JsonObject body = OpenAiRequests.body("gpt-4o", request);
    assertEquals("required", body.get("tool_choice").getAsString());
    JsonObject fn = body.getAsJsonArray("tools").get(0).getAsJsonObject().getAsJsonObject("function");
    assertEquals(ModelRequest.REPLY_TOOL, fn.get("name").getAsString());
    JsonObject expected = SCHEMA.deepCopy();
    expected.remove("$schema");
    assertEquals(expected, fn.getAsJsonObject("parameters"));
    assertTrue(SCHEMA.has("$schema"), "the caller's schema is not changed");
  }

  @Test
  void compactionAsksForASummaryOfATranscript() {
    ModelRequest request = new ModelRequest("You help with deployments.", List.of(
        ModelMessage.user("deploy prod"),
        ModelMessage.assistant("", List.of(new ToolCall("c1", "deploy",
            JsonParser.parseString("{\"target\":\"prod\"}").getAsJsonObject()))),
        ModelMessage.toolResult("c1", "deploy", JsonParser.parseString("{\"deployed\":\"prod\"}"), false),
        ModelMessage.assistant("Done.")), ModelRequest.Purpose.COMPACTION);
    JsonObject body = OpenAiRequests.body("gpt-4o", request);
    JsonArray m = messages(body);
    assertEquals(2, m.size());
    String system = m.get(0).getAsJsonObject().get("content").getAsString();
    assertTrue(system.startsWith(Prompts.COMPACTION_SYSTEM), system);
    assertTrue(system.endsWith("You help with deployments."), system);
    String transcript = m.get(1).getAsJsonObject().get("content").getAsString();
    assertEquals("Summarise the conversation below.\n\n<conversation>\n"
        + "User: deploy prod\n\n"
        + "Assistant called tool deploy: {\"target\":\"prod\"}\n\n"
        + "Tool deploy returned: {\"deployed\":\"prod\"}\n\n"
        + "Assistant: Done.\n\n</conversation>", transcript);
    assertFalse(body.has("tools"));
  }

  @Test
  void filesBecomeImagePdfTextOrFlattenedParts() {
    String png = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    String pdf = Base64.getEncoder().encodeToString("%PDF-1.7".getBytes(StandardCharsets.US_ASCII));
    List<ContentPart> parts = List.of(ContentPart.text("look"),
        new ContentPart("file", null, "image/png", png, "a.png"),
        new ContentPart("file", null, "image/jpeg", "https://example.com/b.jpg", null),
        new ContentPart("file", null, "application/pdf", "data:application/pdf;base64," + pdf, "c.pdf"),
        new ContentPart("file", null, "text/csv", Base64.getEncoder().encodeToString("a,b\n1,2".getBytes(StandardCharsets.UTF_8)), "d.csv"),
        new ContentPart("file", null, "application/zip", "UEsDBA==", "e.zip"));
    JsonObject body = OpenAiRequests.body("gpt-4o", new ModelRequest("",
        List.of(ModelMessage.user("flattened", parts)), ModelRequest.Purpose.TURN));
    assertEquals(JsonParser.parseString("[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"look\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + png + "\"}},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/b.jpg\"}},"
        + "{\"type\":\"file\",\"file\":{\"filename\":\"c.pdf\",\"file_data\":\"data:application/pdf;base64," + pdf + "\"}},"
        + "{\"type\":\"text\",\"text\":\"[file: d.csv (text/csv)]\\na,b\\n1,2\"},"
        + "{\"type\":\"text\",\"text\":\"[file: e.zip (application/zip)]\"}]}]"), messages(body));
  }
}
