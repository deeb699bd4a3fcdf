package dev.eve4j.servlet;

import com.google.gson.JsonObject;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A small JSON response: status, extra headers, body. Immutable once built. */
record Reply(int status, Map<String, String> headers, String contentType, String body) {
  static final String NO_STORE = "no-store";
  private static final String STUBS_FIXED = "Tool stubs are fixed at session creation.";

  static Reply json(int status, JsonObject body) {
    return new Reply(status, new LinkedHashMap<>(), "application/json", Json.toJson(body));
  }

  Reply header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  Reply noStore() {
    return header("cache-control", NO_STORE);
  }

  /** The flat eve error body {@code {code?, error, errorId?, ok:false, violations?}}. */
  static Reply error(EveException e) {
    JsonObject o = new JsonObject();
    if (STUBS_FIXED.equals(e.getMessage())) {
      // The one error eve's request parser writes ok-first; kept byte-identical to the recorded server.
      o.addProperty("ok", false);
      o.addProperty("error", e.getMessage());
      return json(400, o);
    }
    if (e.code().wireCode() != null) {
      o.addProperty("code", e.code().wireCode());
    }
    o.addProperty("error", e.getMessage());
    if (e.errorId() != null) {
      o.addProperty("errorId", e.errorId());
    }
    o.addProperty("ok", false);
    if (e instanceof dev.eve4j.protocol.UploadPolicy.UploadRejected) {
      o.add("violations", ((dev.eve4j.protocol.UploadPolicy.UploadRejected) e).violations());
    }
    Reply r = json(e.code().httpStatus(), o);
    // As the real server: 409 and 410 (and 401) are not cacheable; 400 and 404 carry no cache-control.
    int s = e.code().httpStatus();
    if (s == 409 || s == 410 || s == 401 || s == 403) {
      r.noStore();
    }
    if (s == 401) {
      r.header("www-authenticate", "Bearer");
    }
    return r;
  }

  void write(HttpServletResponse resp) throws IOException {
    resp.setStatus(status);
    headers.forEach(resp::setHeader);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    resp.setContentType(contentType);
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
