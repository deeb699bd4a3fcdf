package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The server side of {@code agentActivity}: steps timed here (a new step closes the previous one
 * with {@code ended_at} and {@code duration_ms}), todos reconciled by label (each keeps its id and
 * timing across updates), {@code awaiting_input} pauses, {@code null} seals with {@code resolved_at}
 * (after which activity edits do nothing). Stateless: each call returns a new document.
 */
final class Activity {
  private Activity() {}

  /** The activity a push opens. */
  static JsonObject open(JsonObject a, long at) {
    JsonObject act = new JsonObject();
    act.addProperty("status", "working");
    act.addProperty("started_at", ChannelJson.time(at));
    act.addProperty("updated_at", ChannelJson.time(at));
    act.add("steps", new JsonArray());
    act.add("todos", new JsonArray());
    return apply(act, a, at);
  }

  static boolean sealed(JsonObject act) {
    return act.has("resolved_at");
  }

  /**
   * An edit: {@code a} is JSON null (seal) or an {@code agentActivity} object. A sealed activity is
   * returned unchanged; no activity yet and an object opens one.
   */
  static JsonObject edit(JsonObject current, JsonElement a, long at) {
    if (current != null && sealed(current)) {
      return current;
    }
    if (a == null || a.isJsonNull()) {
      if (current == null) {
        return null;
      }
      JsonObject act = current.deepCopy();
      closeStep(act, at);
      for (JsonElement t : act.getAsJsonArray("todos")) {
        JsonObject todo = t.getAsJsonObject();
        if (todo.get("status").getAsString().equals("in_progress")) {
          finish(todo, at);
        }
      }
      act.addProperty("status", "resolved");
      act.addProperty("resolved_at", ChannelJson.time(at));
      act.addProperty("updated_at", ChannelJson.time(at));
      return act;
    }
    return current == null ? open(a.getAsJsonObject(), at) : apply(current.deepCopy(), a.getAsJsonObject(), at);
  }

  private static JsonObject apply(JsonObject act, JsonObject a, long at) {
    if (Checker.present(a, "todos")) {
      reconcile(act, a.getAsJsonArray("todos"), at);
    }
    String status = Checker.present(a, "status") ? a.get("status").getAsString() : "working";
    if (status.equals("awaiting_input")) {
      closeStep(act, at); // paused: the human is on the clock, not the agent
    }
    if (Checker.present(a, "type")) {
      closeStep(act, at);
      JsonObject step = new JsonObject();
      step.addProperty("type", a.get("type").getAsString());
      step.addProperty("label", Checker.present(a, "label") ? a.get("label").getAsString() : null);
      step.addProperty("started_at", ChannelJson.time(at));
      step.addProperty("started_ms", at);
      step.addProperty("todo", activeTodo(act));
      act.getAsJsonArray("steps").add(step);
    }
    act.addProperty("status", status);
    act.addProperty("updated_at", ChannelJson.time(at));
    return act;
  }

  private static String activeTodo(JsonObject act) {
    for (JsonElement t : act.getAsJsonArray("todos")) {
      if (t.getAsJsonObject().get("status").getAsString().equals("in_progress")) {
        return t.getAsJsonObject().get("label").getAsString();
      }
    }
    return null;
  }

  private static void closeStep(JsonObject act, long at) {
    JsonArray steps = act.getAsJsonArray("steps");
    if (steps.isEmpty()) {
      return;
    }
    JsonObject last = steps.get(steps.size() - 1).getAsJsonObject();
    if (last.has("ended_at")) {
      return;
    }
    last.addProperty("ended_at", ChannelJson.time(at));
    last.addProperty("duration_ms", at - last.get("started_ms").getAsLong());
  }

  /** The sent list is authoritative; a label seen before keeps its id and times. */
  private static void reconcile(JsonObject act, JsonArray sent, long at) {
    Map<String, JsonObject> before = new HashMap<>();
    for (JsonElement t : act.getAsJsonArray("todos")) {
      before.put(t.getAsJsonObject().get("label").getAsString(), t.getAsJsonObject());
    }
    JsonArray out = new JsonArray();
    int n = act.has("todo_seq") ? act.get("todo_seq").getAsInt() : 0;
    for (JsonElement e : sent) {
      JsonObject s = e.getAsJsonObject();
      String label = s.get("label").getAsString();
      String status = Checker.present(s, "status") ? s.get("status").getAsString() : "pending";
      JsonObject t = before.containsKey(label) ? before.remove(label).deepCopy() : null;
      if (t == null) {
        t = new JsonObject();
        t.addProperty("id", "todo_" + (++n));
        t.addProperty("label", label);
        t.addProperty("status", "pending");
      }
      String was = t.get("status").getAsString();
      if (!was.equals(status)) {
        if (status.equals("in_progress") && !t.has("started_ms")) {
          t.addProperty("started_at", ChannelJson.time(at));
          t.addProperty("started_ms", at);
        }
        if (status.equals("done")) {
          finish(t, at);
        } else {
          t.addProperty("status", status);
        }
      }
      out.add(t);
    }
    act.addProperty("todo_seq", n);
    act.add("todos", out);
  }

  private static void finish(JsonObject todo, long at) {
    todo.addProperty("status", "done");
    if (!todo.has("started_ms")) {
      todo.addProperty("started_at", ChannelJson.time(at));
      todo.addProperty("started_ms", at);
    }
    todo.addProperty("completed_at", ChannelJson.time(at));
    todo.addProperty("duration_ms", at - todo.get("started_ms").getAsLong());
  }
}
