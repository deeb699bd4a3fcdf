package dev.eve4j.tool;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.schema.JsonSchema;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * A tool the model may call: a name, a description, a JSON Schema for its input (checked before
 * every execution: an invalid input never reaches {@code execute}), an approval policy and the
 * function that runs it, synchronous or asynchronous. Immutable and thread-safe; build with
 * {@link #builder(String)}.
 */
public final class Tool {
  private final String name;
  private final String label;
  private final String description;
  private final JsonObject inputSchema;
  private final JsonSchema compiledSchema;
  private final ApprovalPolicy approval;
  private final BiFunction<JsonObject, ToolContext, CompletionStage<JsonElement>> execute;

  private Tool(Builder b) {
    this.name = b.name;
    this.label = b.label != null ? b.label : name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
    this.description = b.description;
    this.inputSchema = b.inputSchema;
    this.compiledSchema = JsonSchema.compile(b.inputSchema);
    this.approval = b.approval;
    this.execute = b.execute;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** Shown to people, e.g. in the approval prompt "Approve Deploy?". */
  public String label() {
    return label;
  }

  public String description() {
    return description;
  }

  public JsonObject inputSchema() {
    return inputSchema.deepCopy();
  }

  public JsonSchema schema() {
    return compiledSchema;
  }

  public ApprovalPolicy approval() {
    return approval;
  }

  /** Runs the tool; called on a tool thread (it may block), never on a session's actor. */
  public CompletionStage<JsonElement> execute(JsonObject input, ToolContext context) {
    return execute.apply(input, context);
  }

  /** Collects a tool's parts; {@link #build()} checks them. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private String label;
    private String description = "";
    private JsonObject inputSchema;
    private ApprovalPolicy approval = ApprovalPolicy.never();
    private BiFunction<JsonObject, ToolContext, CompletionStage<JsonElement>> execute;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
        throw new IllegalArgumentException("tool name must match [A-Za-z0-9_-]{1,64}, was '" + name + "'");
      }
      this.name = name;
    }

    public Builder label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** The JSON Schema (draft 2020-12) of the input object. */
    public Builder inputSchema(JsonObject schema) {
      this.inputSchema = Objects.requireNonNull(schema, "schema").deepCopy();
      return this;
    }

    public Builder approval(ApprovalPolicy policy) {
      this.approval = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** A synchronous tool: runs on a tool thread; an exception fails the call. */
    public Builder execute(BiFunction<JsonObject, ToolContext, JsonElement> fn) {
      Objects.requireNonNull(fn, "fn");
      this.execute = (in, ctx) -> {
        try {
          return CompletableFuture.completedFuture(fn.apply(in, ctx));
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
      };
      return this;
    }

    /** An asynchronous tool: the stage completes with the output, or exceptionally to fail the call. */
    public Builder executeAsync(BiFunction<JsonObject, ToolContext, CompletionStage<JsonElement>> fn) {
      this.execute = Objects.requireNonNull(fn, "fn");
      return this;
    }

    public Tool build() {
      if (inputSchema == null) {
        throw new IllegalStateException("tool '" + name + "' needs an input schema");
      }
      if (execute == null) {
        throw new IllegalStateException("tool '" + name + "' needs an execute function");
      }
      return new Tool(this);
    }
  }
}
