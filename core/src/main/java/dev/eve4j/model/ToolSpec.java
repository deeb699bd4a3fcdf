package dev.eve4j.model;

import com.google.gson.JsonObject;
import java.util.Objects;

/** A tool as offered to a model: name, description and the JSON Schema of its input. Immutable. */
public record ToolSpec(String name, String description, JsonObject inputSchema) {
  public ToolSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(inputSchema, "inputSchema");
  }
}
