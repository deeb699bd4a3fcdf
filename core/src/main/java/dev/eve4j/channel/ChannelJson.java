package dev.eve4j.channel;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** JSON and time helpers of the channel. Thread-safe. */
public final class ChannelJson {
  /** Nulls written (rows keep a stable shape), HTML characters not escaped. */
  public static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ChannelJson() {}

  /**
   * Parses one JSON value strictly (no lenient literals, nothing after it).
   *
   * @throws ChannelException 400 {@code Malformed JSON: …} naming where it broke
   */
  public static JsonElement parse(String text) {
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw ChannelException.badRequest("Malformed JSON: unexpected data after the JSON value");
      }
      return e;
    } catch (JsonParseException | IOException | IllegalStateException ex) {
      String why = ex.getCause() != null && ex.getCause().getMessage() != null ? ex.getCause().getMessage()
          : ex.getMessage();
      throw ChannelException.badRequest("Malformed JSON" + (why == null ? "" : ": " + firstLine(why)));
    }
  }

  public static JsonElement parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw ChannelException.badRequest("Malformed JSON: the body is empty");
    }
    return parse(new String(body, StandardCharsets.UTF_8));
  }

  /** {@code 2024-01-01T00:00:00.000Z}. */
  public static String time(long epochMillis) {
    return ISO.format(Instant.ofEpochMilli(epochMillis));
  }

  static String toJson(JsonElement e) {
    return GSON.toJson(e);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.replace("\nSee https://github.com/google/gson/blob/main/Troubleshooting.md#malformed-json", "");
  }
}
