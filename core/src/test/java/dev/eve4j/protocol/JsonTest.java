package dev.eve4j.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Json#encodeLine} writes exactly the bytes Gson's tree gives, for every kind of text. */
class JsonTest {
  /** The straightforward encoding the fast one must equal. */
  private static String reference(Event event) {
    JsonObject o = new JsonObject();
    o.addProperty("type", event.type());
    o.add("data", Json.GSON.toJsonTree(event.data()));
    o.add("meta", Json.GSON.toJsonTree(event.meta()));
    return Json.GSON.toJson(o) + "\n";
  }

  private static void same(Event e) {
    byte[] expected = reference(e).getBytes(StandardCharsets.UTF_8);
    byte[] actual = Json.encodeLine(e);
    assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
    assertArrayEquals(expected, actual);
  }

  private static final List<String> TEXTS = List.of("", "plain", "quote \" backslash \\ slash /",
      "tab\t nl\n cr\r bs\b ff\f nul\0 unit\u001f del\u007f", "html <b>&amp;</b> = 'x'", "line\u2028para\u2029",
      "émoji 😀 中文", "\ud800 lone surrogate");

  @Test
  void deltasAndOtherEventsMatchGsonsTree() {
    List<List<String>> deliveries = new ArrayList<>();
    deliveries.add(null);
    deliveries.add(List.of());
    deliveries.add(List.of("0c474373-282b-4042-b6c6-099741128d93", "second \"id\""));
    for (String text : TEXTS) {
      for (List<String> ids : deliveries) {
        Event.Meta meta = new Event.Meta("2026-11-23T18:06:59.689Z", "evt_" + text, ids);
        same(new Event(new EventData.MessageAppended(text, 3, 1, "turn_" + text), meta));
        same(new Event(new EventData.ReasoningAppended(text, 0, 0, null), meta));
        same(new Event(new EventData.MessageAppended(null, 7, 2, "turn_2"), meta));
        same(new Event(new EventData.MessageCompleted("stop", text, 4, 1, "turn_1"), meta));
        same(new Event(new EventData.TurnStarted(1, "turn_1"), meta));
      }
    }
  }

  @Test
  void randomTextsMatchGsonsTree() {
    SplittableRandom random = new SplittableRandom(42);
    for (int n = 0; n < 2_000; n++) {
      StringBuilder s = new StringBuilder();
      int len = random.nextInt(40);
      for (int i = 0; i < len; i++) {
        s.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
      }
      same(new Event(new EventData.MessageAppended(s.toString(), n, 0, "turn_0"),
          new Event.Meta("2026-11-23T18:06:59.689Z", "evt_x", List.of(s.toString()))));
    }
  }
}
