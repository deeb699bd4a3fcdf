package dev.eve4j.servlet.legacy;

import com.google.gson.JsonObject;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small JSON response of the legacy face: status, extra headers, body. */
record LegacyReply(int status, Map<String, String> headers, String body) {

  static LegacyReply json(int status, JsonObject body) {
    return new LegacyReply(status, new LinkedHashMap<>(), Json.toJson(body));
  }

  LegacyReply header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  LegacyReply noStore() {
    return header("cache-control", "no-store");
  }

  /**
   * Seed 004's error body {@code {"error":{"code","message"}}} ({@code errorId} too for a 500). The
   * legacy client shows the raw body as the error's message and has no {@code code} property.
   */
  static LegacyReply error(EveException e) {
    JsonObject error = new JsonObject();
    error.addProperty("code", LegacyFailure.wireCode(e));
    error.addProperty("message", e.getMessage());
    if (e.errorId() != null) {
      error.addProperty("errorId", e.errorId());
    }
    JsonObject o = new JsonObject();
    o.add("error", error);
    int status = e.code().httpStatus();
    LegacyReply r = json(status, o);
    if (status == 409 || status == 410 || status == 401 || status == 403) {
      r.noStore();
    }
    if (e.code() == ErrorCode.UNAUTHORIZED) {
      r.header("www-authenticate", "Bearer");
    }
    return r;
  }

  void write(HttpServletResponse resp) throws IOException {
    resp.setStatus(status);
    headers.forEach(resp::setHeader);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    resp.setContentType("application/json; charset=utf-8");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
