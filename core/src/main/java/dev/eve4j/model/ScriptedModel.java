package dev.eve4j.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.TokenUsage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A deterministic, offline model: the default of the standalone server and the model of the
 * tests. Its rules mirror the mock model of the recorded eve traces, chosen by the latest user
 * message (prefix, case-insensitive):
 * <ul>
 *   <li>{@code fail: x}: the call fails with "mock model failure: x";</li>
 *   <li>{@code slow: x}: reasoning "Going slowly.", then 40 text deltas {@code w01 }…{@code w40 },
 *       {@link #SLOW_INTERVAL} apart;</li>
 *   <li>{@code slowthink: x}: 40 reasoning deltas {@code r01 }…, then "Thought slowly about: x";</li>
 *   <li>compaction calls answer "Checkpoint: mock summary.";</li>
 *   <li>with an output schema: a call of {@code eve__reply} with a value built from the schema;</li>
 *   <li>after tool results: "Summarising tool results.", then {@code Tool results: <tool> -> <output>; …};</li>
 *   <li>{@code tool: q}: one {@code lookup {query:q}} call; {@code parallel: q}: two in one step;</li>
 *   <li>{@code approve: t}: a {@code deploy {target:t}} call (needs approval in the demo agent);
 *       {@code approveboth: t}: two deploy calls ({@code t #1}, {@code t #2}) in one step;</li>
 *   <li>{@code ask: q}: {@code ask_question} with options Red and Blue; {@code askfree: q}: without;</li>
 *   <li>anything else: reasoning "Thinking about it." in two deltas, then "Echo: &lt;text&gt;" word by
 *       word.</li>
 * </ul>
 * Tool rules apply only when the request offers the tool. Every call reports 10 input and 5
 * output tokens. Thread-safe.
 */
public final class ScriptedModel implements LanguageModel {
  public static final Duration SLOW_INTERVAL = Duration.ofMillis(150);
  public static final TokenUsage STEP_USAGE = TokenUsage.of(10, 5);
  private static final ScheduledExecutorService SHARED = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "eve4j-scripted-model");
    t.setDaemon(true);
    return t;
  });

  private final String id;
  private final ScheduledExecutorService scheduler;

  private ScriptedModel(String id, ScheduledExecutorService scheduler) {
    this.id = Objects.requireNonNull(id, "id");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /** The scripted model with id {@code eve4j/scripted}, on a shared daemon timer thread. */
  public static ScriptedModel create() {
    return new ScriptedModel("eve4j/scripted", SHARED);
  }

  /** A scripted model with its own id and timer (for tests that control time). */
  public static ScriptedModel create(String id, ScheduledExecutorService scheduler) {
    return new ScriptedModel(id, scheduler);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public ModelCall stream(ModelRequest request, ModelListener listener) {
    Call call = new Call(listener);
    String text = request.latestUserText();
    String lower = text.toLowerCase(Locale.ROOT);
    List<ModelMessage> results = request.trailingToolResults();
    if (request.purpose() == ModelRequest.Purpose.COMPACTION) {
      call.now(l -> {
        l.onTextDelta("Checkpoint: mock summary.");
        l.onFinish("stop", STEP_USAGE);
      });
    } else if (request.outputSchema() != null && offers(request, ModelRequest.REPLY_TOOL)) {
      JsonElement value = sample(request.outputSchema(), "value");
      call.now(l -> toolCalls(l, text, List.of(new ToolCall(callId(text, 0), ModelRequest.REPLY_TOOL,
          value.isJsonObject() ? value.getAsJsonObject() : new JsonObject()))));
    } else if (!results.isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (ModelMessage r : results) {
        JsonElement out = r.toolOutput();
        String shown = Json.toJson(out);
        if (r.isError() && out != null && out.isJsonObject() && out.getAsJsonObject().has("message")) {
          String msg = out.getAsJsonObject().get("message").getAsString();
          boolean denied = "TOOL_EXECUTION_DENIED".equals(stringOr(out.getAsJsonObject(), "code"));
          shown = (denied ? "denied (" : "failed (") + msg + ")";
        }
        parts.add(r.toolName() + " -> " + shown);
      }
      String answer = "Tool results: " + String.join("; ", parts);
      call.now(l -> {
        l.onReasoningDelta("Summarising ");
        l.onReasoningDelta("tool results.");
        words(answer).forEach(l::onTextDelta);
        l.onFinish("stop", STEP_USAGE);
      });
    } else if (lower.startsWith("fail:")) {
      String what = text.substring(5).trim();
      call.now(l -> l.onError(new IllegalStateException("mock model failure: " + what)));
    } else if (lower.startsWith("tool:") && offers(request, "lookup")) {
      call.now(l -> toolCalls(l, text, List.of(lookup(text, 0, text.substring(5).trim()))));
    } else if (lower.startsWith("parallel:") && offers(request, "lookup")) {
      String q = text.substring(9).trim();
      call.now(l -> toolCalls(l, text, List.of(lookup(text, 0, q + " #1"), lookup(text, 1, q + " #2"))));
    } else if (lower.startsWith("approveboth:") && offers(request, "deploy")) {
      String t = text.substring(12).trim();
      List<ToolCall> both = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        JsonObject in = new JsonObject();
        in.addProperty("target", t + " #" + (i + 1));
        both.add(new ToolCall(callId(text, i), "deploy", in));
      }
      call.now(l -> toolCalls(l, text, both));
    } else if (lower.startsWith("approve:") && offers(request, "deploy")) {
      JsonObject in = new JsonObject();
      in.addProperty("target", text.substring(8).trim());
      call.now(l -> toolCalls(l, text, List.of(new ToolCall(callId(text, 0), "deploy", in))));
    } else if (lower.startsWith("askfree:") && offers(request, "ask_question")) {
      JsonObject in = new JsonObject();
      in.addProperty("question", text.substring(8).trim());
      call.now(l -> toolCalls(l, text, List.of(new ToolCall(callId(text, 0), "ask_question", in))));
    } else if (lower.startsWith("ask:") && offers(request, "ask_question")) {
      JsonObject in = new JsonObject();
      in.addProperty("question", text.substring(4).trim());
      JsonArray options = new JsonArray();
      for (String color : List.of("Red", "Blue")) {
        JsonObject o = new JsonObject();
        o.addProperty("label", color);
        o.addProperty("description", "Pick the color " + color.toLowerCase(Locale.ROOT) + ".");
        options.add(o);
      }
      in.add("options", options);
      call.now(l -> toolCalls(l, text, List.of(new ToolCall(callId(text, 0), "ask_question", in))));
    } else if (lower.startsWith("slowthink:")) {
      String what = text.substring(10).trim();
      List<Consumer<ModelListener>> steps = new ArrayList<>();
      for (int i = 1; i <= 40; i++) {
        String d = String.format(Locale.ROOT, "r%02d ", i);
        steps.add(l -> l.onReasoningDelta(d));
      }
      steps.add(l -> {
        l.onTextDelta("Thought slowly about: " + what);
        l.onFinish("stop", STEP_USAGE);
      });
      call.paced(steps);
    } else if (lower.startsWith("slow:")) {
      List<Consumer<ModelListener>> steps = new ArrayList<>();
      steps.add(l -> l.onReasoningDelta("Going slowly."));
      for (int i = 1; i <= 40; i++) {
        String d = String.format(Locale.ROOT, "w%02d ", i);
        steps.add(l -> l.onTextDelta(d));
      }
      steps.add(l -> l.onFinish("stop", STEP_USAGE));
      call.paced(steps);
    } else {
      call.now(l -> {
        l.onReasoningDelta("Thinking ");
        l.onReasoningDelta("about it.");
        for (String word : words("Echo: " + text)) {
          l.onTextDelta(word);
        }
        l.onFinish("stop", STEP_USAGE);
      });
    }
    return call;
  }

  private static boolean offers(ModelRequest request, String tool) {
    return request.tools().stream().anyMatch(t -> t.name().equals(tool));
  }

  private static String stringOr(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
  }

  /** Streams each call's input JSON in two halves, then the calls, then finishes with tool-calls. */
  private static void toolCalls(ModelListener l, String text, List<ToolCall> calls) {
    for (ToolCall c : calls) {
      String json = Json.toJson(c.input());
      int half = json.length() / 2;
      l.onToolInputDelta(c.callId(), c.toolName(), json.substring(0, half));
      l.onToolInputDelta(c.callId(), c.toolName(), json.substring(half));
    }
    calls.forEach(l::onToolCall);
    l.onFinish("tool-calls", STEP_USAGE);
  }

  private static ToolCall lookup(String text, int n, String query) {
    JsonObject in = new JsonObject();
    in.addProperty("query", query);
    return new ToolCall(callId(text, n), "lookup", in);
  }

  /** {@code call_<8 hex of the message's hash>_<n>}, stable for a message, as the golden mock's ids. */
  static String callId(String text, int n) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder("call_");
      for (int i = 0; i < 4; i++) {
        b.append(String.format(Locale.ROOT, "%02x", h[i]));
      }
      return b.append('_').append(n).toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A value for a JSON Schema, as the golden mock builds it: strings {@code "<key>-value"},
   * integers 3, numbers 1.5, booleans true, arrays of one item, objects with every property.
   */
  static JsonElement sample(JsonElement schema, String key) {
    if (schema == null || !schema.isJsonObject()) {
      return new JsonPrimitive(key + "-value");
    }
    JsonObject s = schema.getAsJsonObject();
    if (s.has("const")) {
      return s.get("const").deepCopy();
    }
    if (s.has("enum") && s.get("enum").isJsonArray() && !s.getAsJsonArray("enum").isEmpty()) {
      return s.getAsJsonArray("enum").get(0).deepCopy();
    }
    JsonElement t = s.get("type");
    String type = t == null ? (s.has("properties") ? "object" : "string")
        : t.isJsonArray() ? t.getAsJsonArray().get(0).getAsString() : t.getAsString();
    switch (type) {
      case "object": {
        JsonObject o = new JsonObject();
        if (s.has("properties")) {
          for (Map.Entry<String, JsonElement> p : s.getAsJsonObject("properties").entrySet()) {
            o.add(p.getKey(), sample(p.getValue(), p.getKey()));
          }
        }
        return o;
      }
      case "array": {
        JsonArray a = new JsonArray();
        a.add(sample(s.get("items"), key));
        return a;
      }
      case "integer":
        return new JsonPrimitive(3);
      case "number":
        return new JsonPrimitive(1.5);
      case "boolean":
        return new JsonPrimitive(true);
      case "null":
        return JsonNull.INSTANCE;
      default:
        return new JsonPrimitive(key + "-value");
    }
  }

  /** Splits after each space, keeping it: "Echo: hello there" -> "Echo: ", "hello ", "there". */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == ' ') {
        out.add(s.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < s.length()) {
      out.add(s.substring(start));
    }
    return out;
  }

  private final class Call implements ModelCall {
    private final ModelListener listener;
    private volatile boolean cancelled;
    private volatile ScheduledFuture<?> future;

    Call(ModelListener listener) {
      this.listener = listener;
    }

    /** Runs the whole script on the timer thread, at once (asynchronously, as a real model). */
    void now(Consumer<ModelListener> script) {
      future = scheduler.schedule(() -> {
        if (!cancelled) {
          script.accept(guarded());
        }
      }, 0, TimeUnit.MILLISECONDS);
    }

    /** Runs each step {@link #SLOW_INTERVAL} after the previous one. */
    void paced(List<Consumer<ModelListener>> steps) {
      schedule(steps, 0);
    }

    private void schedule(List<Consumer<ModelListener>> steps, int i) {
      if (cancelled || i >= steps.size()) {
        return;
      }
      future = scheduler.schedule(() -> {
        if (cancelled) {
          return;
        }
        steps.get(i).accept(guarded());
        schedule(steps, i + 1);
      }, i == 0 ? 0 : SLOW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops every callback after cancel, so a cancelled call stays silent. */
    private ModelListener guarded() {
      return new ModelListener() {
        @Override
        public void onReasoningDelta(String delta) {
          if (!cancelled) {
            listener.onReasoningDelta(delta);
          }
        }

        @Override
        public void onTextDelta(String delta) {
          if (!cancelled) {
            listener.onTextDelta(delta);
          }
        }

        @Override
        public void onToolInputDelta(String callId, String toolName, String delta) {
          if (!cancelled) {
            listener.onToolInputDelta(callId, toolName, delta);
          }
        }

        @Override
        public void onToolCall(ToolCall call) {
          if (!cancelled) {
            listener.onToolCall(call);
          }
        }

        @Override
        public void onFinish(String finishReason, TokenUsage usage) {
          if (!cancelled) {
            listener.onFinish(finishReason, usage);
          }
        }

        @Override
        public void onError(Throwable error) {
          if (!cancelled) {
            listener.onError(error);
          }
        }
      };
    }

    @Override
    public void cancel() {
      cancelled = true;
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
