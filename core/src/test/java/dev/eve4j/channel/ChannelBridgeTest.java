package dev.eve4j.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.EveRuntime;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.Requests;
import dev.eve4j.protocol.UserMessage;
import dev.eve4j.session.SessionService;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One human-in-the-loop request, answerable in the eve session or by an operator in the channel. */
@Timeout(30)
class ChannelBridgeTest {
  private EveRuntime runtime;
  private SessionService sessions;
  private OperatorChannel channel;
  private ChannelBridge bridge;
  private String ws;

  @BeforeEach
  void start() {
    runtime = EveRuntime.builder().build();
    sessions = runtime.sessions();
    channel = OperatorChannel.open(EventJournal.inMemory());
    ws = channel.defaultWorkspace().id();
    bridge = ChannelBridge.start(sessions, channel, ws, id -> "eve-" + id);
  }

  @AfterEach
  void stop() {
    bridge.close();
    runtime.close();
  }

  private String create(String message) throws Exception {
    return sessions.create(new Requests.CreateSession(UserMessage.text(message), null, null)).get(5, TimeUnit.SECONDS);
  }

  private List<JsonObject> read(String id, long from, Predicate<JsonObject> until) throws InterruptedException {
    JournalCursor c = sessions.cursor(id, from);
    List<JsonObject> out = new ArrayList<>();
    Semaphore wake = new Semaphore(0);
    try {
      while (true) {
        byte[] line = c.poll();
        if (line == null) {
          c.awaitNext(wake::release);
          if (!wake.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no event after " + out);
          }
          continue;
        }
        JsonObject e = JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject();
        out.add(e);
        if (until.test(e)) {
          return out;
        }
      }
    } finally {
      c.close();
    }
  }

  private static Predicate<JsonObject> type(String t) {
    return e -> e.get("type").getAsString().equals(t);
  }

  private static Predicate<JsonObject> waitingOnInput() {
    return e -> type("turn.waiting").test(e) && e.getAsJsonObject("data").get("on").getAsString().equals("input");
  }

  private static String requestId(List<JsonObject> events) {
    return events.stream().filter(type("input.requested")).findFirst().orElseThrow().getAsJsonObject("data")
        .getAsJsonArray("requests").get(0).getAsJsonObject().get("requestId").getAsString();
  }

  /** The bridge works on its own thread: wait (bounded) until it has mirrored the request. */
  private static <T> T eventually(Supplier<java.util.Optional<T>> probe) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      java.util.Optional<T> v = probe.get();
      if (v.isPresent()) {
        return v.get();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
    throw new AssertionError("the bridge never mirrored the request");
  }

  private static JsonObject body(String json) {
    return JsonParser.parseString(json).getAsJsonObject();
  }

  @Test
  void anApprovalAnsweredInTheChannelResumesTheSession() throws Exception {
    String id = create("approve: production");
    List<JsonObject> parked = read(id, 0, waitingOnInput());
    String requestId = requestId(parked);
    String messageId = eventually(() -> bridge.channelMessage(requestId));
    Message m = channel.message(ws, messageId);
    assertEquals(InteractionType.APPROVAL, m.interactionType());
    assertEquals("eve-" + id, channel.vessel(ws, VesselRef.external("eve-" + id)).externalId());
    channel.respond(ws, messageId, body("{\"response\":{\"action\":\"approved\"}}"));
    List<JsonObject> rest = read(id, parked.size(), type("session.waiting"));
    JsonObject result = rest.stream().filter(type("action.result")).findFirst().orElseThrow().getAsJsonObject("data");
    assertEquals("completed", result.get("status").getAsString());
    assertEquals("{\"deployed\":\"production\"}", result.getAsJsonObject("result").get("output").toString());
  }

  @Test
  void aDenialInTheChannelCarriesTheOperatorsReason() throws Exception {
    String id = create("approve: staging");
    List<JsonObject> parked = read(id, 0, waitingOnInput());
    String messageId = eventually(() -> bridge.channelMessage(requestId(parked)));
    channel.respond(ws, messageId, body("{\"response\":{\"action\":\"rejected\",\"reason\":\"Not today.\"}}"));
    List<JsonObject> rest = read(id, parked.size(), type("session.waiting"));
    JsonObject result = rest.stream().filter(type("action.result")).findFirst().orElseThrow().getAsJsonObject("data");
    assertEquals("rejected", result.get("status").getAsString());
    assertTrue(result.getAsJsonObject("error").get("message").getAsString().contains("Not today."));
  }

  @Test
  void anAnswerInTheSessionResolvesTheChannelInteraction() throws Exception {
    String id = create("approve: production");
    List<JsonObject> parked = read(id, 0, waitingOnInput());
    String requestId = requestId(parked);
    String messageId = eventually(() -> bridge.channelMessage(requestId));
    sessions.send(id, new Requests.SessionMessage(null, List.of(new Requests.InputResponse(requestId, "approve", null)),
        null, null, null)).get(5, TimeUnit.SECONDS);
    read(id, parked.size(), type("session.waiting"));
    eventually(() -> channel.message(ws, messageId).interactionStatus() == InteractionStatus.LIVE
        ? java.util.Optional.empty() : java.util.Optional.of(true));
    ChannelException late = assertThrows(ChannelException.class,
        () -> channel.respond(ws, messageId, body("{\"response\":{\"action\":\"approved\"}}")));
    assertEquals(409, late.status(), "answered elsewhere: the operator's late tap changes nothing");
  }

  @Test
  void anOpenQuestionAnsweredInTheChannel() throws Exception {
    String id = create("askfree: What is your name?");
    List<JsonObject> parked = read(id, 0, waitingOnInput());
    String messageId = eventually(() -> bridge.channelMessage(requestId(parked)));
    assertEquals(InteractionType.TEXT_INPUT, channel.message(ws, messageId).interactionType());
    channel.respond(ws, messageId, body("{\"response\":{\"text\":\"Alice\"}}"));
    List<JsonObject> rest = read(id, parked.size(), type("session.waiting"));
    JsonObject result = rest.stream().filter(type("action.result")).findFirst().orElseThrow().getAsJsonObject("data");
    assertEquals("{\"answer\":\"Alice\",\"status\":\"answered\"}", result.getAsJsonObject("result").get("output").toString());
  }

  private List<Message> vesselMessages(String sessionId) {
    return channel.messages(ws, VesselRef.external("eve-" + sessionId), 100, null).messages();
  }

  /** The session's working card: the agent message whose metadata names the session. */
  private static Message card(List<Message> messages) {
    return messages.stream().filter(m -> m.source() == Source.AGENT && m.interactionType() == null)
        .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no working card in " + messages));
  }

  @Test
  void aTurnIsMirroredAsAWorkingCardThatSealsIntoTheReply() throws Exception {
    String id = create("tool: weather");
    read(id, 0, type("session.waiting"));
    JsonObject row = eventually(() -> {
      List<Message> ms = vesselMessages(id);
      JsonObject r = ms.isEmpty() ? null : card(ms).toJson();
      return r != null && r.get("agent_activity").isJsonObject()
          && "resolved".equals(r.getAsJsonObject("agent_activity").get("status").getAsString())
          ? java.util.Optional.of(r) : java.util.Optional.empty();
    });
    List<Message> ms = vesselMessages(id);
    assertEquals(Source.EVENT, ms.get(0).source(), "the user's message comes first, as a backend event");
    assertTrue(ms.get(0).toJson().toString().contains("tool: weather"), ms.get(0).toJson().toString());
    assertTrue(row.get("content").getAsString().contains("lookup -> "), "sealed with the reply: " + row);
    JsonObject act = row.getAsJsonObject("agent_activity");
    List<String> steps = new ArrayList<>();
    act.getAsJsonArray("steps").forEach(s -> steps.add(s.getAsJsonObject().get("type").getAsString() + ":"
        + s.getAsJsonObject().get("label").getAsString()));
    assertEquals("thinking:Thinking", steps.get(0), steps.toString());
    assertTrue(steps.get(1).startsWith("tool_use:lookup {\"query\":\"weather\"}"), steps.toString());
    assertEquals("thinking:Thinking", steps.get(2), "the step after the tool ran: " + steps);
    assertTrue(act.getAsJsonArray("steps").asList().stream().allMatch(s -> s.getAsJsonObject().has("duration_ms")),
        "every step is closed with its duration once sealed: " + act);
    assertTrue(row.get("token_stream") == null || row.get("token_stream").isJsonNull(), "the token stream is cleared");
  }

  @Test
  void aCardWaitsWhileARequestIsOpenAndAFailedTurnSaysSo() throws Exception {
    String id = create("approve: production");
    List<JsonObject> parked = read(id, 0, waitingOnInput());
    JsonObject paused = eventually(() -> {
      JsonObject r = card(vesselMessages(id)).toJson();
      return r.get("agent_activity").isJsonObject()
          && "awaiting_input".equals(r.getAsJsonObject("agent_activity").get("status").getAsString())
          ? java.util.Optional.of(r) : java.util.Optional.empty();
    });
    assertEquals("tool_use", paused.getAsJsonObject("agent_activity").getAsJsonArray("steps").get(1).getAsJsonObject()
        .get("type").getAsString());
    String messageId = eventually(() -> bridge.channelMessage(requestId(parked)));
    channel.respond(ws, messageId, body("{\"response\":{\"action\":\"approved\"}}"));
    read(id, parked.size(), type("session.waiting"));
    sessions.send(id, new Requests.SessionMessage(UserMessage.text("fail: boom"), null, null, null, null))
        .get(5, TimeUnit.SECONDS);
    eventually(() -> vesselMessages(id).stream().filter(m -> m.content() != null
        && m.content().startsWith("The turn failed: ") && m.content().contains("boom")).findFirst());
  }
}
