package dev.eve4j.session;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.Requests;
import dev.eve4j.protocol.UserMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Drives a runtime's sessions and reads their journals in tests (no container). */
final class Harness implements AutoCloseable {
  final EveRuntime runtime;
  final SessionService sessions;

  Harness(EveRuntime runtime) {
    this.runtime = runtime;
    this.sessions = runtime.sessions();
  }

  String create(String message) throws Exception {
    return sessions.create(new Requests.CreateSession(UserMessage.text(message), null, null)).get(5, TimeUnit.SECONDS);
  }

  String send(String id, String message) throws Exception {
    return sessions.send(id, Requests.SessionMessage.of(message)).get(5, TimeUnit.SECONDS);
  }

  String answer(String id, Requests.InputResponse... responses) throws Exception {
    return sessions.send(id, new Requests.SessionMessage(null, List.of(responses), null, null, null))
        .get(5, TimeUnit.SECONDS);
  }

  /** Reads events from {@code from} until one matches {@code until} (inclusive). */
  List<JsonObject> read(String id, long from, Predicate<JsonObject> until) throws InterruptedException {
    JournalCursor c = sessions.cursor(id, from);
    List<JsonObject> out = new ArrayList<>();
    Semaphore wake = new Semaphore(0);
    while (true) {
      byte[] line = c.poll();
      if (line == null) {
        c.awaitNext(wake::release);
        if (!wake.tryAcquire(10, TimeUnit.SECONDS)) {
          throw new AssertionError("no event after " + types(out));
        }
        continue;
      }
      JsonObject e = JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject();
      out.add(e);
      if (until.test(e)) {
        return out;
      }
    }
  }

  /** Every event stored so far. */
  List<JsonObject> all(String id) throws InterruptedException {
    long tail = sessions.tailIndex(id);
    if (tail < 0) {
      return new ArrayList<>();
    }
    List<JsonObject> out = new ArrayList<>();
    JournalCursor c = sessions.cursor(id, 0);
    for (long i = 0; i <= tail; i++) {
      out.add(JsonParser.parseString(new String(c.poll(), StandardCharsets.UTF_8)).getAsJsonObject());
    }
    return out;
  }

  static Predicate<JsonObject> type(String t) {
    return e -> e.get("type").getAsString().equals(t);
  }

  static JsonObject data(JsonObject e) {
    return e.getAsJsonObject("data");
  }

  static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.get("type").getAsString()).collect(Collectors.toList());
  }

  /** Types with runs of the same type collapsed (delta counts differ with the text). */
  static List<String> collapsed(List<JsonObject> events) {
    List<String> out = new ArrayList<>();
    for (String t : types(events)) {
      if (out.isEmpty() || !out.get(out.size() - 1).equals(t)) {
        out.add(t);
      }
    }
    return out;
  }

  static JsonObject first(List<JsonObject> events, String type) {
    return events.stream().filter(type(type)).findFirst().orElseThrow(() -> new AssertionError("no " + type
        + " in " + types(events)));
  }

  @Override
  public void close() {
    runtime.close();
  }
}
