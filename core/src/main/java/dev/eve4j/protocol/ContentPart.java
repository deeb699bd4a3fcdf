package dev.eve4j.protocol;

import java.util.Base64;

/**
 * One part of a user message as sent on the wire: {@code {type:"text", text}} or
 * {@code {type:"file", mediaType, data, filename?}} where data is base64, a data: URL or an
 * http(s) URL. Validated by {@link RequestParser}.
 */
public record ContentPart(String type, String text, String mediaType, String data, String filename) {
  public static ContentPart text(String text) {
    return new ContentPart("text", text, null, null, null);
  }

  public boolean isText() {
    return "text".equals(type);
  }

  public boolean isUrl() {
    return data != null && (data.startsWith("http://") || data.startsWith("https://"));
  }

  /** The flattened form eve puts in {@code message.received.data.message}. */
  String flatten() {
    if (isText()) {
      return text;
    }
    return "[file: " + (filename != null ? filename : mediaType) + " (" + mediaType + ")]";
  }

  /** The event form: inline data becomes its size, URLs stay URLs, bytes are never echoed. */
  EventData.Part toEventPart() {
    if (isText()) {
      return EventData.Part.text(text);
    }
    if (isUrl()) {
      return new EventData.Part("file", null, mediaType, filename, null, data);
    }
    return new EventData.Part("file", null, mediaType, filename, (long) inlineBytes().length, null);
  }

  /** The decoded bytes of an inline (base64 or data: URL) file part. */
  public byte[] inlineBytes() {
    String payload = data;
    if (payload.startsWith("data:")) {
      int comma = payload.indexOf(',');
      String header = payload.substring(5, comma);
      payload = payload.substring(comma + 1);
      if (!header.endsWith(";base64")) {
        return java.net.URLDecoder.decode(payload, java.nio.charset.StandardCharsets.UTF_8)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return Base64.getMimeDecoder().decode(payload);
  }
}
