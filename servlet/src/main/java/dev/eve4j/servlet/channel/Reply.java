package dev.eve4j.servlet.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.eve4j.channel.ChannelException;
import dev.eve4j.channel.ChannelJson;
import java.util.LinkedHashMap;
import java.util.Map;

/** A JSON response of the channel face: status, extra headers, body. */
record Reply(int status, Map<String, String> headers, String body) {

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
