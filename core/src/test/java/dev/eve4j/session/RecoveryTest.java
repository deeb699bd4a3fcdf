package dev.eve4j.session;

import static dev.eve4j.session.Harness.data;
import static dev.eve4j.session.Harness.first;
import static dev.eve4j.session.Harness.type;
import static dev.eve4j.session.Harness.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.eve4j.EveRuntime;
import dev.eve4j.agent.Agent;
import dev.eve4j.auth.Principal;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.protocol.ErrorCode;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Requests;
import dev.eve4j.protocol.UserMessage;
import dev.eve4j.session.TestAgents.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restart: a second runtime over the journal the first one wrote. {@link #journals()} gives the
 * journal to restart on; subclasses run the same cases on the durable file journal.
 */
@Timeout(30)
class RecoveryTest {

  /** A journal that outlives the runtime using it (close is the next runtime's business). */
  Supplier<EventJournal> journals() {
    EventJournal shared = EventJournal.inMemory();
    return () -> new KeepOpen(shared);
  }

  private Harness start(Supplier<EventJournal> journals) {
    return new Harness(EveRuntime.builder().journal(journals.get()).build());
  }

  @Test
  void anIdleSessionContinuesAfterARestart() throws Exception {
    Supplier<EventJournal> journals = journals();
    String id;
    int before;
    try (Harness h = start(journals)) {
      id = h.sessions.create(new Requests.CreateSession(UserMessage.text("first"), null, null),
          new Principal("alice", Set.of("sessions.read", "sessions.write"))).get(5, TimeUnit.SECONDS);
      before = h.read(id, 0, type("session.waiting")).size();
    }
    try (Harness h = start(journals)) {
      assertEquals(SessionState.WAITING, h.sessions.state(id).orElseThrow());
      Principal alice = new Principal("alice", Set.of("sessions.read", "sessions.write"));
      Principal bob = new Principal("bob", Set.of("sessions.read", "sessions.write"));
      assertEquals(ErrorCode.SESSION_NOT_FOUND,
          assertThrows(EveException.class, () -> h.sessions.cursor(id, 0, bob)).code(), "the owner survives");
      h.sessions.send(id, Requests.SessionMessage.of("second"), alice).get(5, TimeUnit.SECONDS);
      List<JsonObject> next = h.read(id, before, type("session.waiting"));
      assertEquals("turn_1", data(first(next, "turn.started")).get("turnId").getAsString());
      assertEquals(20, data(next.get(next.size() - 1)).getAsJsonObject("usage").get("inputTokens").getAsInt(),
          "usage totals continue");
    }
  }

  @Test
  void aTurnRunningAtTheCrashIsClosedAndTheSessionTakesNewMessages() throws Exception {
    Supplier<EventJournal> journals = journals();
    String id;
    try (Harness h = start(journals)) {
      id = h.create("slow: interrupted");
      h.read(id, 0, type("message.appended"));
    }
    try (Harness h = start(journals)) {
      List<JsonObject> events = h.read(id, 0, type("session.waiting"));
      JsonObject failed = data(first(events, "turn.failed"));
      assertEquals("SERVER_RESTARTED", failed.get("code").getAsString());
      assertFalse(failed.get("terminal").getAsBoolean());
      assertEquals("turn_0", failed.get("turnId").getAsString());
      assertFalse(types(events).contains("message.completed"));
      h.send(id, "after the restart");
      List<JsonObject> next = h.read(id, events.size(), type("session.waiting"));
      assertEquals("Echo: after the restart", data(first(next, "message.completed")).get("message").getAsString());
    }
  }

  @Test
  void aTurnParkedOnApprovalCanBeAnsweredAfterARestart() throws Exception {
    Supplier<EventJournal> journals = journals();
    String id;
    String requestId;
    int parked;
    try (Harness h = start(journals)) {
      id = h.create("approve: production");
      List<JsonObject> events = h.read(id, 0, type("turn.waiting"));
      parked = events.size();
      requestId = data(first(events, "input.requested")).getAsJsonArray("requests").get(0).getAsJsonObject()
          .get("requestId").getAsString();
    }
    try (Harness h = start(journals)) {
      assertEquals(SessionState.RUNNING, h.sessions.state(id).orElseThrow(), "still parked");
      h.answer(id, new Requests.InputResponse(requestId, "approve", null));
      List<JsonObject> rest = h.read(id, parked, type("session.waiting"));
      assertEquals(List.of("approval.settled", "input.resolved", "step.started", "action.result"),
          types(rest).subList(0, 4));
      assertEquals("{\"deployed\":\"production\"}",
          data(first(rest, "action.result")).getAsJsonObject("result").get("output").toString());
      assertEquals("Tool results: deploy -> {\"deployed\":\"production\"}",
          data(first(rest, "message.completed")).get("message").getAsString());
      assertEquals(1, data(first(rest, "step.started")).get("stepIndex").getAsInt());
    }
  }

  @Test
  void anOpenQuestionCanBeAnsweredAfterARestart() throws Exception {
    Supplier<EventJournal> journals = journals();
    String id;
    int parked;
    try (Harness h = start(journals)) {
      id = h.create("askfree: What is your name?");
      parked = h.read(id, 0, e -> type("turn.waiting").test(e) && data(e).get("on").getAsString().equals("input"))
          .size();
    }
    try (Harness h = start(journals)) {
      h.send(id, "Alice");
      List<JsonObject> rest = h.read(id, parked, type("session.waiting"));
      assertEquals("{\"answer\":\"Alice\",\"status\":\"answered\"}",
          data(first(rest, "action.result")).getAsJsonObject("result").get("output").toString());
    }
  }

  @Test
  void theConversationAndItsCompactionSummarySurvive() throws Exception {
    List<List<ModelMessage>> seen = new CopyOnWriteArrayList<>();
    Agent agent = new Agent("a", "", TestAgents.model(req -> {
      seen.add(new ArrayList<>(req.messages()));
      return Step.text(req.purpose() == ModelRequest.Purpose.COMPACTION ? "they said one and two"
          : "ok " + req.latestUserText());
    }));
    EventJournal shared = EventJournal.inMemory();
    Supplier<EventJournal> journals = () -> new KeepOpen(shared);
    String id;
    try (Harness h = new Harness(EveRuntime.builder().agent(agent).journal(journals.get()).build())) {
      id = h.create("one");
      int n = h.read(id, 0, type("session.waiting")).size();
      h.send(id, "two");
      n += h.read(id, n, type("session.waiting")).size();
      h.sessions.compact(id).get(5, TimeUnit.SECONDS);
      h.read(id, n, type("session.waiting"));
    }
    seen.clear();
    try (Harness h = new Harness(EveRuntime.builder().agent(agent).journal(journals.get()).build())) {
      h.send(id, "three");
      h.read(id, 0, e -> type("message.completed").test(e)
          && data(e).get("message").getAsString().equals("ok three"));
      List<ModelMessage> context = seen.get(0);
      assertEquals("Summary of the conversation so far:\nthey said one and two", context.get(0).text());
      assertEquals("three", context.get(context.size() - 1).text());
    }
  }

  @Test
  void prewarmedAndResetSessionsKeepTheirState() throws Exception {
    Supplier<EventJournal> journals = journals();
    String prewarmed;
    String reset;
    try (Harness h = start(journals)) {
      prewarmed = h.sessions.create(new Requests.CreateSession(null, null, null)).get(5, TimeUnit.SECONDS);
      reset = h.create("bye");
      h.read(reset, 0, type("session.waiting"));
      h.sessions.reset(reset, new Requests.Reset(null)).get(5, TimeUnit.SECONDS);
    }
    try (Harness h = start(journals)) {
      assertEquals(SessionState.PREWARMED, h.sessions.state(prewarmed).orElseThrow());
      assertEquals(SessionState.RESET, h.sessions.state(reset).orElseThrow());
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> h.sessions.send(reset, Requests.SessionMessage.of("again")).get(5, TimeUnit.SECONDS));
      assertEquals(ErrorCode.SESSION_NOT_ACTIVE, ((EveException) e.getCause()).code());
      h.send(prewarmed, "hello after prewarm");
      assertTrue(types(h.read(prewarmed, 0, type("session.waiting"))).contains("session.started"));
    }
  }

  /** Delegates everything but close(): the journal outlives the runtime, as files do. */
  static final class KeepOpen implements EventJournal {
    private final EventJournal d;

    KeepOpen(EventJournal d) {
      this.d = d;
    }

    @Override
    public void create(String sessionId) {
      d.create(sessionId);
    }

    @Override
    public boolean contains(String sessionId) {
      return d.contains(sessionId);
    }

    @Override
    public long append(String sessionId, byte[] line) {
      return d.append(sessionId, line);
    }

    @Override
    public long tailIndex(String sessionId) {
      return d.tailIndex(sessionId);
    }

    @Override
    public JournalCursor cursor(String sessionId, long startIndex) {
      return d.cursor(sessionId, startIndex);
    }

    @Override
    public void expire(String sessionId) {
      d.expire(sessionId);
    }

    @Override
    public void delete(String sessionId) {
      d.delete(sessionId);
    }

    @Override
    public java.util.Collection<String> sessionIds() {
      return d.sessionIds();
    }

    @Override
    public java.util.Optional<LogInfo> info(String sessionId) {
      return d.info(sessionId);
    }

    @Override
    public void close() {}
  }
}
