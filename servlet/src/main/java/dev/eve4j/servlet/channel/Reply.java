package dev.eve4j.servlet.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.eve4j.channel.ChannelException;
import dev.eve4j.channel.ChannelJson;
import dev.eve4j.channel.FileDownload;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response of the channel face: status, extra headers, a JSON body, or (for a signed download)
 * the bytes of an inbound file in {@code file} instead.
 */
record Reply(int status, Map<String, String> headers, String body, FileDownload file) {

  Reply(int status, Map<String, String> headers, String body) {
    this(status, headers, body, null);
  }

  /** 200 with the file's bytes, its stored Content-Type, as an attachment, never cached or sniffed. */
  static Reply file(FileDownload d) {
    Reply r = new Reply(200, new LinkedHashMap<>(), "", d);
    r.header("content-disposition", contentDisposition(d.file().filename()));
    r.header("x-content-type-options", "nosniff");
    r.header("cache-control", "private, no-store");
    return r;
  }

  /** {@code attachment; filename="<ascii fallback>"; filename*=UTF-8''<percent-encoded>} (RFC 6266). */
  static String contentDisposition(String filename) {
    StringBuilder ascii = new StringBuilder();
    StringBuilder enc = new StringBuilder();
    for (char c : filename.toCharArray()) {
      ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    }
    for (byte b : filename.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
        enc.append((char) c);
      } else {
        enc.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + enc;
  }

  static Reply json(int status, JsonObject body) {
    return new Reply(status, new LinkedHashMap<>(), ChannelJson.GSON.toJson(body));
  }

  static Reply ok(JsonObject body) {
    return json(200, body);
  }

  Reply header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** {@code {"ok":false,"error":…}}, with {@code errors} and {@code details} for an invalid payload. */
  static Reply error(ChannelException e) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", false);
    o.addProperty("error", e.error());
    if (e.validation() != null) {
      JsonArray errors = new JsonArray();
      e.errors().forEach(errors::add);
      o.add("errors", errors);
      o.add("details", e.validation().details());
    }
    if (e.extra() != null) {
      e.extra().entrySet().forEach(x -> o.add(x.getKey(), x.getValue()));
    }
    Reply r = json(e.status(), o);
    if (e.status() == 401) {
      r.header("www-authenticate", "Bearer");
    }
    return r;
  }

  static Reply error(int status, String error) {
    return error(new ChannelException(status, error));
  }
}
