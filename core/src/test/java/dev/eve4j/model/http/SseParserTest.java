package dev.eve4j.model.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.eve4j.model.ModelException;
import java.net.http.HttpHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SseParserTest {
  private final List<String> events = new ArrayList<>();
  private final SseParser parser = new SseParser((event, data) -> events.add(event + "=" + data));

  /** Feeds {@code text} one byte per buffer: every split point at once. */
  private void feedBytewise(String text) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      parser.feed(ByteBuffer.wrap(new byte[] {b}));
    }
  }

  @Test
  void framesEventsWhateverTheLineEndingsAndSplits() {
    feedBytewise("event: message_start\ndata: {\"a\":1}\n\n"
        + ": a comment\r\ndata:no-space\r\n\r\n"
        + "id: 7\rretry: 10\rdata: one\rdata: two\r\r"
        + "data: héllo 😊\n\n"
        + "event: lonely\n\n");
    assertEquals(List.of("message_start={\"a\":1}", "message=no-space", "message=one\ntwo", "message=héllo 😊"), events);
  }

  @Test
  void theLastEventWithoutItsBlankLineIsStillDispatchedAtTheEnd() {
    parser.feed(ByteBuffer.wrap("data: [DONE]".getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of(), events);
    parser.finish();
    assertEquals(List.of("message=[DONE]"), events);
  }

  @Test
  void anEndlessLineIsRefused() {
    byte[] chunk = new byte[1 << 20];
    java.util.Arrays.fill(chunk, (byte) 'x');
    ModelException e = assertThrows(ModelException.class, () -> {
      for (int i = 0; i <= SseParser.MAX_LINE_BYTES / chunk.length; i++) {
        parser.feed(ByteBuffer.wrap(chunk));
      }
    });
    assertEquals(ModelException.PROVIDER_ERROR, e.code());
  }

  @Test
  void retryAfterHeaders() {
    assertEquals(Duration.ofMillis(1500), StreamCall.retryAfter(headers("retry-after-ms", "1500")));
    assertEquals(Duration.ofSeconds(2), StreamCall.retryAfter(headers("retry-after", "2")));
    assertEquals(Duration.ZERO, StreamCall.retryAfter(headers("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")));
    assertEquals(null, StreamCall.retryAfter(headers("retry-after", "soon")));
    assertEquals(null, StreamCall.retryAfter(headers("x-other", "1")));
  }

  @Test
  void redactionRemovesKeysAndSecretShapes() {
    String key = "sk-proj-abcdefghijklmnop";
    assertEquals("Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com.",
        ProviderErrors.redact("Incorrect API key provided: invalid-key. You can find your API key at "
            + "https://platform.openai.com.", null));
    assertEquals("key [redacted] and token [redacted] on one line",
        ProviderErrors.redact("key " + key + " and token\nBearer abc.def.ghi123 on one line", key));
    assertEquals("token [redacted] gone", ProviderErrors.redact("token custom-secret-value gone", "custom-secret-value"));
  }

  private static HttpHeaders headers(String name, String value) {
    return HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true);
  }
}
