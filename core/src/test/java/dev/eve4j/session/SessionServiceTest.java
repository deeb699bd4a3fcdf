package dev.eve4j.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Requests;
import dev.eve4j.protocol.UserMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SessionServiceTest {
  private final EveRuntime runtime = EveRuntime.builder().build();
  private final SessionService sessions = runtime.sessions();

  @AfterEach
  void close() {
    runtime.close();
  }

  private String create(String message) throws Exception {
    return sessions.create(new Requests.CreateSession(UserMessage.text(message), null, null)).get(5, TimeUnit.SECONDS);
  }

  /** Reads events from {@code from} until one matches {@code until} (inclusive). */
  private List<JsonObject> read(String id, long from, Predicate<JsonObject> until) throws InterruptedException {
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

  private static Predicate<JsonObject> type(String t) {
    return e -> e.get("type").getAsString().equals(t);
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.get("type").getAsString()).collect(Collectors.toList());
  }

  private static List<String> collapse(List<String> types) {
    List<String> out = new ArrayList<>();
    for (String t : types) {
      if (out.isEmpty() || !out.get(out.size() - 1).equals(t)) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void firstTurnHasTheEventsOfTheRealServerInOrder() throws Exception {
    String id = create("hello there");
    List<JsonObject> events = read(id, 0, type("session.waiting"));
    assertEquals(List.of("session.started", "turn.started", "message.received", "step.started", "reasoning.appended",
        "reasoning.completed", "message.appended", "message.completed", "step.completed", "turn.completed",
        "session.waiting"), collapse(types(events)));
    JsonObject completed = events.stream().filter(type("message.completed")).findFirst().orElseThrow();
    assertEquals("Echo: hello there", completed.getAsJsonObject("data").get("message").getAsString());
    String delivery = events.get(0).getAsJsonObject("meta").getAsJsonArray("deliveryIds").get(0).getAsString();
    for (JsonObject e : events) {
      assertEquals(delivery, e.getAsJsonObject("meta").getAsJsonArray("deliveryIds").get(0).getAsString());
      assertTrue(e.getAsJsonObject("meta").get("id").getAsString().matches("evt_[0-9A-HJKMNP-TV-Z]{26}"));
    }
    assertEquals(id, events.get(events.size() - 1).getAsJsonObject("data").get("continuationToken").getAsString());
  }

  @Test
  void aFollowUpDuringATurnWaitsForTheNextTurnAndCarriesItsDeliveryId() throws Exception {
    String id = create("slow: first");
    read(id, 0, type("message.appended"));
    String delivery = sessions.send(id, Requests.SessionMessage.of("second")).get(5, TimeUnit.SECONDS);
    List<JsonObject> events = read(id, 0, e -> type("session.waiting").test(e)
        && e.getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString().contains(delivery));
    List<String> t = types(events);
    int firstWaiting = t.indexOf("session.waiting");
    int secondTurn = t.lastIndexOf("turn.started");
    assertTrue(firstWaiting < secondTurn, "the queued message starts its own turn after the first: " + t);
    for (JsonObject e : events.subList(secondTurn, events.size())) {
      assertEquals("[\"" + delivery + "\"]", e.getAsJsonObject("meta").getAsJsonArray("deliveryIds").toString());
      if (e.getAsJsonObject("data").has("turnId")) {
        assertEquals("turn_1", e.getAsJsonObject("data").get("turnId").getAsString());
      }
    }
    assertEquals(SessionState.WAITING, sessions.state(id).orElseThrow());
  }

  @Test
  void cancelStopsTheRunningTurn() throws Exception {
    String id = create("slow: long answer");
    read(id, 0, type("message.appended"));
    assertEquals(ControlOutcome.ACCEPTED, sessions.cancel(id, new Requests.Cancel("turn_0")).get(5, TimeUnit.SECONDS));
    List<String> t = types(read(id, 0, type("session.waiting")));
    assertEquals("turn.cancelled", t.get(t.size() - 2));
    assertFalse(t.contains("message.completed"));
    long tail = sessions.tailIndex(id);
    assertEquals(ControlOutcome.ACCEPTED, sessions.cancel(id, new Requests.Cancel(null)).get(5, TimeUnit.SECONDS));
    assertEquals(tail, sessions.tailIndex(id), "an idle cancel appends nothing");
  }

  @Test
  void aModelFailureFailsTheTurnNotTheSession() throws Exception {
    String id = create("fail: provider down");
    List<JsonObject> events = read(id, 0, type("session.waiting"));
    assertEquals(List.of("session.started", "turn.started", "message.received", "step.started", "step.failed",
        "turn.failed", "session.waiting"), types(events));
    JsonObject failed = events.get(5).getAsJsonObject("data");
    assertEquals("MODEL_CALL_FAILED", failed.get("code").getAsString());
    assertFalse(failed.get("terminal").getAsBoolean());
    assertEquals("mock model failure: provider down", failed.get("message").getAsString());
    sessions.send(id, Requests.SessionMessage.of("are you still there?")).get(5, TimeUnit.SECONDS);
    List<JsonObject> next = read(id, events.size(), type("session.waiting"));
    assertTrue(types(next).contains("message.completed"));
  }

  @Test
  void compactAndClearUseTheNextTurnIdAndUsageIsCumulative() throws Exception {
    String id = create("first message");
    int n = read(id, 0, type("session.waiting")).size();
    assertEquals(ControlOutcome.ACCEPTED, sessions.compact(id).get(5, TimeUnit.SECONDS));
    assertEquals(ControlOutcome.ACCEPTED, sessions.clear(id).get(5, TimeUnit.SECONDS));
    List<JsonObject> events = read(id, n, type("context.cleared"));
    events.addAll(read(id, n + events.size(), type("session.waiting")));
    assertEquals(List.of("compaction.requested", "compaction.completed", "session.waiting", "context.cleared",
        "session.waiting"), types(events));
    assertEquals("turn_1", events.get(0).getAsJsonObject("data").get("turnId").getAsString());
    assertEquals("turn_1", events.get(3).getAsJsonObject("data").get("turnId").getAsString());
    assertEquals(20, events.get(2).getAsJsonObject("data").getAsJsonObject("usage").get("inputTokens").getAsInt());
  }

  @Test
  void aPrewarmedSessionTakesItsFirstMessageAndIgnoresControls() throws Exception {
    String id = sessions.create(new Requests.CreateSession(null, null, null)).get(5, TimeUnit.SECONDS);
    assertEquals(SessionState.PREWARMED, sessions.state(id).orElseThrow());
    assertEquals(ControlOutcome.ACCEPTED, sessions.compact(id).get(5, TimeUnit.SECONDS));
    assertEquals(ControlOutcome.ACCEPTED, sessions.clear(id).get(5, TimeUnit.SECONDS));
    assertEquals(ControlOutcome.ACCEPTED, sessions.cancel(id, new Requests.Cancel(null)).get(5, TimeUnit.SECONDS));
    assertEquals(-1, sessions.tailIndex(id));
    String delivery = sessions.send(id, Requests.SessionMessage.of("hello after prewarm")).get(5, TimeUnit.SECONDS);
    List<JsonObject> events = read(id, 0, type("session.waiting"));
    assertEquals("session.started", events.get(0).get("type").getAsString());
    assertEquals(delivery, events.get(0).getAsJsonObject("meta").getAsJsonArray("deliveryIds").get(0).getAsString());
  }

  @Test
  void resetEndsTheSessionAndItsHistory() throws Exception {
    String id = create("hello");
    read(id, 0, type("session.waiting"));
    JournalCursor live = sessions.cursor(id, sessions.tailIndex(id) + 1);
    assertEquals(ControlOutcome.RESET, sessions.reset(id, new Requests.Reset("done")).get(5, TimeUnit.SECONDS));
    byte[] last = live.poll();
    assertTrue(new String(last, StandardCharsets.UTF_8).contains("\"session.completed\""));
    assertTrue(live.expired());
    assertEquals(ErrorCode.SESSION_EXPIRED, assertThrows(EveException.class, () -> sessions.tailIndex(id)).code());
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> sessions.send(id, Requests.SessionMessage.of("again")).get(5, TimeUnit.SECONDS));
    assertEquals(ErrorCode.SESSION_NOT_ACTIVE, ((EveException) e.getCause()).code());
    assertEquals(ControlOutcome.NOTHING_TO_DO, sessions.reset(id, new Requests.Reset(null)).get(5, TimeUnit.SECONDS));
    assertEquals(ControlOutcome.NOTHING_TO_DO, sessions.cancel(id, new Requests.Cancel(null)).get(5, TimeUnit.SECONDS));
  }

  @Test
  void unknownSessionsAreNotActive() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> sessions.send("wrun_nope", Requests.SessionMessage.of("hi")).get(5, TimeUnit.SECONDS));
    assertEquals(ErrorCode.SESSION_NOT_ACTIVE, ((EveException) e.getCause()).code());
    assertEquals(ErrorCode.SESSION_NOT_FOUND, assertThrows(EveException.class, () -> sessions.cursor("wrun_nope", 0))
        .code());
  }
}
