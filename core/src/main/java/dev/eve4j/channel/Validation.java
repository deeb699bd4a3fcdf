package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of validating one payload: valid, or the field-level errors in the order found.
 * Immutable.
 *
 * @param kind what the payload was checked as ({@code push}, {@code push/many}, …)
 */
public record Validation(String kind, List<FieldError> errors) {
  public Validation {
    errors = List.copyOf(errors);
  }

  public boolean valid() {
    return errors.isEmpty();
  }

  /** The errors as {@code path: message} lines. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    errors.forEach(e -> out.add(e.toString()));
    return out;
  }

  /** {@code {formErrors:[…], fieldErrors:{path:[…]}}}: root errors apart, the rest grouped by path. */
  public JsonObject details() {
    JsonArray form = new JsonArray();
    Map<String, JsonArray> fields = new LinkedHashMap<>();
    for (FieldError e : errors) {
      if (e.path().isEmpty()) {
        form.add(e.message());
      } else {
        fields.computeIfAbsent(e.path(), k -> new JsonArray()).add(e.message());
      }
    }
    JsonObject f = new JsonObject();
    fields.forEach(f::add);
    JsonObject o = new JsonObject();
    o.add("formErrors", form);
    o.add("fieldErrors", f);
    return o;
  }

  /** Throws the 400 carrying these errors unless the payload is valid. */
  public void orThrow() {
    if (!valid()) {
      throw ChannelException.invalid(this);
    }
  }
}
