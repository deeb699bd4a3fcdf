package dev.eve4j.channel;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Test helpers: JSON from text (single quotes allowed for readability). */
final class J {
  private J() {}

  /** Parses JSON written with single quotes ({@code "{'a':1}"}); a literal ' is written \\u0027. */
  static JsonObject o(String singleQuoted) {
    return JsonParser.parseString(singleQuoted.replace('\'', '"')).getAsJsonObject();
  }

  static JsonElement e(String singleQuoted) {
    return JsonParser.parseString(singleQuoted.replace('\'', '"'));
  }
}
