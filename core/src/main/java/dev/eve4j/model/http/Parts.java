package dev.eve4j.model.http;

import dev.eve4j.protocol.ContentPart;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * File parts of user messages, in the forms providers take: base64, data: URLs, readable text, or
 * the flattened {@code [file: name (type)]} line when a provider takes the file in no other form.
 * Internal (see the package javadoc). Stateless.
 */
public final class Parts {
  private static final Set<String> TEXT_LIKE = Set.of("application/json", "application/xml", "application/yaml",
      "application/x-yaml", "application/javascript", "application/sql", "application/csv", "application/x-sh");
  /** Inline text files longer than this are cut before they reach the model. */
  static final int MAX_TEXT_CHARS = 200_000;

  private Parts() {}

  /** The media type, lower case and without parameters ({@code text/plain; charset=utf-8} → {@code text/plain}). */
  public static String mediaType(ContentPart p) {
    String t = p.mediaType() == null ? "application/octet-stream" : p.mediaType();
    int semi = t.indexOf(';');
    return (semi < 0 ? t : t.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  public static boolean isImage(ContentPart p) {
    return mediaType(p).startsWith("image/");
  }

  public static boolean isPdf(ContentPart p) {
    return mediaType(p).equals("application/pdf");
  }

  /** Text files the model can read as they are: {@code text/*}, JSON, XML, YAML, scripts. */
  public static boolean isTextLike(ContentPart p) {
    String t = mediaType(p);
    return t.startsWith("text/") || TEXT_LIKE.contains(t) || t.endsWith("+json") || t.endsWith("+xml");
  }

  /** The base64 of an inline part (a data: URL or raw base64), without line breaks. */
  public static String base64(ContentPart p) {
    return Base64.getEncoder().encodeToString(p.inlineBytes());
  }

  /** A {@code data:<type>;base64,…} URL of an inline part. */
  public static String dataUrl(ContentPart p) {
    return "data:" + mediaType(p) + ";base64," + base64(p);
  }

  /** The decoded text of an inline text-like part, cut at 200,000 characters. */
  public static String text(ContentPart p) {
    String text = new String(p.inlineBytes(), StandardCharsets.UTF_8);
    return text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) + "\n…(cut)" : text;
  }

  /** How the file is named to the model: {@code [file: name (type)]}, and the URL of a URL part. */
  public static String flattened(ContentPart p) {
    String shown = "[file: " + (p.filename() != null ? p.filename() : mediaType(p)) + " (" + mediaType(p) + ")]";
    return p.isUrl() ? shown + " " + p.data() : shown;
  }

  /** The flattened line, then the file's text: the text form of an inline text-like file. */
  public static String inlineText(ContentPart p) {
    return flattened(p) + "\n" + text(p);
  }
}
