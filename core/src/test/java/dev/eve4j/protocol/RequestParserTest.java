package dev.eve4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestParserTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"message\":  | Invalid JSON body.",
      "[] | Expected a JSON object.",
      "hello | Invalid JSON body.",
      "{\"message\":\"\"} | Expected 'message' to be non-empty when provided.",
      "{\"message\":[]} | Expected 'message' to be non-empty when provided.",
      "{\"message\":\"hi\",\"continuationToken\":\"abc\"} | Session-ID routes do not accept 'continuationToken'.",
      "{\"inputResponses\":[{\"requestId\":\"r1\"}]} | 'inputResponses' is only accepted for an existing session.",
      "{\"outputSchema\":{\"type\":\"object\"}} | Creating a session without a message does not accept 'clientContext', 'callback', or 'outputSchema'.",
      "{\"message\":[{\"type\":\"image\",\"image\":\"x\"}]} | Unsupported message part type \"image\". Use 'text' or 'file'.",
      "{\"message\":[{\"text\":\"x\"}]} | Unsupported message part type \"undefined\". Use 'text' or 'file'.",
      "{\"message\":42} | Expected 'message' to be a string or an array of text/file parts.",
      "{\"message\":[\"hi\"]} | Expected each message part to be an object.",
      "{\"message\":[{\"type\":\"text\",\"text\":\"\"}]} | Text parts require a non-empty 'text' string.",
      "{\"message\":[{\"type\":\"text\",\"text\":7}]} | Text parts require a non-empty 'text' string.",
      "{\"message\":[{\"type\":\"file\",\"data\":\"aGk=\"}]} | File parts require a non-empty 'mediaType' string.",
      "{\"message\":[{\"type\":\"file\",\"mediaType\":\"text/plain\",\"data\":1}]} | File parts require a 'data' string (base64, data URL, or URL).",
      "{\"message\":[{\"type\":\"file\",\"mediaType\":\"text/plain\",\"data\":\"eve-url:https://x\"}]} | File part 'data' must not use a framework-internal ref scheme.",
      "{\"message\":[{\"type\":\"file\",\"mediaType\":\"text/plain\",\"data\":\"not base64!\"}]} | Expected file part 'data' to be base64, a data: URL or an http(s) URL.",
  })
  void createErrorsUseTheServerTexts(String body, String error) {
    EveException e = assertThrows(EveException.class, () -> RequestParser.parseCreate(b(body)));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(error, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'' | Invalid JSON body.",
      "{ | Invalid JSON body.",
      "{\"message\":\"\"} | Expected a non-empty 'message' or a non-empty 'inputResponses' array.",
      "{\"clientContext\":\"x\"} | Expected a non-empty 'message' or a non-empty 'inputResponses' array.",
      "{\"message\":\"hi\",\"inputResponses\":[{\"requestId\":\"r1\"}]} | 'message' and 'inputResponses' are mutually exclusive.",
      "{\"inputResponses\":[]} | Expected 'inputResponses' to be a non-empty array.",
      "{\"inputResponses\":[{\"requestId\":\"r1\",\"optionId\":\"approve\",\"extra\":1}]} | Expected every 'inputResponses' entry to match the HITL response schema.",
      "{\"message\":\"hi\",\"turnPolicy\":\"later\"} | Expected 'turnPolicy' to be either 'queue' or 'steer'.",
      "{\"message\":\"hi\",\"stubs\":[]} | Tool stubs are fixed at session creation.",
  })
  void followUpErrorsUseTheServerTexts(String body, String error) {
    EveException e = assertThrows(EveException.class, () -> RequestParser.parseMessage(b(body)));
    assertEquals(error, e.getMessage());
  }

  @Test
  void controlBodies() {
    assertNull(RequestParser.parseCancel(new byte[0]).turnId());
    assertEquals("turn_0", RequestParser.parseCancel(b("{\"turnId\":\"turn_0\",\"extra\":1}")).turnId());
    assertEquals("Expected 'turnId' to be a non-empty string.",
        assertThrows(EveException.class, () -> RequestParser.parseCancel(b("{\"turnId\":\"\"}"))).getMessage());
    assertEquals("Expected 'reason' to be a non-empty string.",
        assertThrows(EveException.class, () -> RequestParser.parseReset(b("{\"reason\":\"\"}"))).getMessage());
  }

  @Test
  void createWithoutBodyIsAPrewarmAndTurnPolicyIsIgnored() {
    assertTrue(RequestParser.parseCreate(null).prewarm());
    assertEquals("hi", RequestParser.parseCreate(b("{\"message\":\"hi\",\"turnPolicy\":\"queue\"}")).message()
        .flattenedText());
  }

  @Test
  void filePartsAreFlattenedAndNeverEchoed() {
    UserMessage m = RequestParser.parseMessage(b("{\"message\":[{\"type\":\"text\",\"text\":\"see file\"},"
        + "{\"type\":\"file\",\"mediaType\":\"text/plain\",\"data\":\"aGVsbG8=\",\"filename\":\"a.txt\"},"
        + "{\"type\":\"file\",\"mediaType\":\"image/png\",\"data\":\"https://example.com/x.png\"}]}")).message();
    assertEquals("see file\n[file: a.txt (text/plain)]\n[file: image/png (image/png)]", m.flattenedText());
    List<EventData.Part> parts = m.eventParts();
    assertEquals(5L, parts.get(1).size());
    assertEquals("https://example.com/x.png", parts.get(2).url());
    assertEquals("[{\"type\":\"text\",\"text\":\"see file\"},{\"type\":\"file\",\"mediaType\":\"text/plain\","
        + "\"filename\":\"a.txt\",\"size\":5},{\"type\":\"file\",\"mediaType\":\"image/png\","
        + "\"url\":\"https://example.com/x.png\"}]", Json.toJson(parts));
  }
}
