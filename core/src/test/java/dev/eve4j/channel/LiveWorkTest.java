package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Part 2, items 2 and 3: activity, token streams, edit rules, resolve, receipts, deletes and rewind. */
class LiveWorkTest {
  private final TestClock clock = new TestClock(Instant.parse("2026-06-07T10:00:00Z"));
  private final EventJournal journal = EventJournal.inMemory();
  private final OperatorChannel c = OperatorChannel.open(journal, ChannelOptions.defaults().withClock(clock));
  private final String ws = c.defaultWorkspace().id();

  private JsonObject activity(String messageId) {
    return c.message(ws, messageId).toJson().getAsJsonObject("agent_activity");
  }

  @Test
  void stepsAreTimedServerSideTodosReconcileByLabelAndNullSeals() {
    String id = c.push(ws, o("{'vessel':'b1','agentActivity':{'type':'thinking'}}")).messageId();
    assertTrue(c.message(ws, id).toJson().get("content").isJsonNull());
    clock.advance(Duration.ofSeconds(3));
    c.editMessage(ws, id, o("{'agentActivity':{'type':'searching','label':'Checking FlightAware...'}}"));
    JsonArray steps = activity(id).getAsJsonArray("steps");
    assertEquals(2, steps.size());
    assertEquals(3000, steps.get(0).getAsJsonObject().get("duration_ms").getAsLong(), "closed by the next step");
    assertFalse(steps.get(1).getAsJsonObject().has("ended_at"));

    c.editMessage(ws, id, o("{'agentActivity':{'todos':[{'label':'Check availability','status':'in_progress'},"
        + "{'label':'Send'}]}}"));
    String firstId = activity(id).getAsJsonArray("todos").get(0).getAsJsonObject().get("id").getAsString();
    clock.advance(Duration.ofSeconds(2));
    c.editMessage(ws, id, o("{'agentActivity':{'type':'tool_use','label':'Querying the calendar'}}"));
    assertEquals("Check availability", activity(id).getAsJsonArray("steps").get(2).getAsJsonObject().get("todo")
        .getAsString(), "filed under the active task");
    clock.advance(Duration.ofSeconds(1));
    c.editMessage(ws, id, o("{'agentActivity':{'todos':[{'label':'Check availability','status':'done'},"
        + "{'label':'Send','status':'in_progress'}]}}"));
    JsonArray todos = activity(id).getAsJsonArray("todos");
    assertEquals(firstId, todos.get(0).getAsJsonObject().get("id").getAsString(), "kept its id by label");
    assertEquals(3000, todos.get(0).getAsJsonObject().get("duration_ms").getAsLong());
    assertEquals("in_progress", todos.get(1).getAsJsonObject().get("status").getAsString());

    // pause, then any step resumes
    c.editMessage(ws, id, o("{'agentActivity':{'status':'awaiting_input'}}"));
    assertEquals("awaiting_input", activity(id).get("status").getAsString());
    assertEquals(2, activity(id).getAsJsonArray("todos").size(), "pending todos intact");
    c.editMessage(ws, id, o("{'agentActivity':{'type':'processing','label':'Sending confirmation'}}"));
    assertEquals("working", activity(id).get("status").getAsString());

    clock.advance(Duration.ofSeconds(4));
    c.editMessage(ws, id, o("{'agentActivity':null,'content':'Found 3 flights under $400.'}"));
    JsonObject sealed = activity(id);
    assertTrue(sealed.has("resolved_at"));
    assertEquals("done", sealed.getAsJsonArray("todos").get(1).getAsJsonObject().get("status").getAsString());
    assertEquals("Found 3 flights under $400.", c.message(ws, id).content());
    assertThrows(ChannelException.class, () -> c.cancel(ws, id), "sealed: no longer working");
    c.editMessage(ws, id, o("{'agentActivity':{'type':'thinking'}}"));
    assertEquals(sealed, activity(id), "after sealing, activity edits have no effect");
  }

  @Test
  void tokenStreamKeepsTheLast8000CharactersAndNullClears() {
    String id = c.push(ws, o("{'vessel':'b1','tokenStream':'hello'}")).messageId();
    String big = "x".repeat(9000) + "END";
    c.editMessage(ws, id, o("{'tokenStream':'" + big + "'}"));
    String kept = c.message(ws, id).toJson().get("token_stream").getAsString();
    assertEquals(8000, kept.length());
    assertTrue(kept.endsWith("END"));
    c.editMessage(ws, id, o("{'tokenStream':null}"));
    assertTrue(c.message(ws, id).toJson().get("token_stream").isJsonNull());
  }

  @Test
  void onlyAgentMessagesAndOnlyThePatchableFieldsCanBeEdited() {
    PushResult ask = c.push(ws, o("{'vessel':'b1','message':'Confirm?','interaction':{'type':'approval',"
        + "'prompt':'Confirm?'}}"));
    ChannelException e = assertThrows(ChannelException.class, () -> c.editMessage(ws, ask.messageId(),
        o("{'interaction':{'type':'approval','prompt':'other'}}")));
    assertEquals(400, e.status());
    assertEquals("interaction", e.extra().get("field").getAsString());
    assertTrue(e.extra().get("hint").getAsString().contains("immutable"));
    for (String field : List.of("details", "vesselTitle", "labels", "previewUrl", "metadata", "source")) {
      ChannelException x = assertThrows(ChannelException.class, () -> c.editMessage(ws, ask.messageId(),
          o("{'" + field + "':null}")), field);
      assertEquals(field, x.extra().get("field").getAsString());
    }
    assertEquals(400, assertThrows(ChannelException.class, () -> c.editMessage(ws, ask.messageId(),
        o("{'kind':'poster'}"))).status());
    String user = c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'hi'}")).messageId();
    assertEquals(400, assertThrows(ChannelException.class, () -> c.editMessage(ws, user, o("{'content':'x'}")))
        .status());
    Message edited = c.editMessage(ws, ask.messageId(), o("{'content':'Confirm now?','card':{'title':'T',"
        + "'fields':[{'label':'a','value':'b'}]},'suggestions':['yes'],'title':'Quote','kind':'surface'}"));
    assertEquals("Confirm now?", edited.content());
    assertEquals("Confirm?", edited.toJson().getAsJsonObject("interaction").get("prompt").getAsString());
  }

  @Test
  void resolveIsIdempotentAndAHumanTapWins() {
    PushResult a = c.push(ws, o("{'vessel':'b1','message':'Pay?','interaction':{'type':'approval','prompt':'Pay?'}}"));
    JsonObject first = c.resolveInteraction(ws, a.messageId(), o("{'outcome':'approved','label':'Approved "
        + "elsewhere','reason':'billing rule'}"));
    assertFalse(first.get("alreadyResolved").getAsBoolean());
    JsonObject again = c.resolveInteraction(ws, a.messageId(), o("{'outcome':'rejected'}"));
    assertTrue(again.get("alreadyResolved").getAsBoolean());
    assertEquals(first.get("responseId"), again.get("responseId"));
    assertEquals("resolved", c.message(ws, a.messageId()).toJson().get("interaction_status").getAsString());
    assertEquals("Approved elsewhere", c.message(ws, a.messageId()).toJson().getAsJsonObject("resolution")
        .get("label").getAsString());
    assertEquals(409, assertThrows(ChannelException.class, () -> c.respond(ws, a.messageId(),
        o("{'response':{'action':'approved'}}"))).status());
    assertEquals(VesselStatus.ACTIVE, c.vessel(ws, VesselRef.external("b1")).status());
    assertTrue(c.poll(ws, 10, false).isEmpty(), "resolve fires no event");

    PushResult b = c.push(ws, o("{'vessel':'b1','message':'Send?','interaction':{'type':'approval','prompt':'S?'}}"));
    RespondResult tap = c.respond(ws, b.messageId(), o("{'response':{'action':'rejected'}}"));
    JsonObject late = c.resolveInteraction(ws, b.messageId(), o("{'outcome':'approved'}"));
    assertTrue(late.get("alreadyResolved").getAsBoolean());
    assertEquals(tap.responseId(), late.get("responseId").getAsString());
    assertEquals(o("{'action':'rejected'}"), c.message(ws, b.messageId()).response(), "never overwritten");

    String plain = c.push(ws, o("{'vessel':'b1','message':'hi'}")).messageId();
    assertEquals(400, assertThrows(ChannelException.class, () -> c.resolveInteraction(ws, plain,
        o("{'outcome':'approved'}"))).status());
    assertEquals(400, assertThrows(ChannelException.class, () -> c.resolveInteraction(ws, b.messageId(),
        o("{'outcome':'maybe'}"))).status());
    assertEquals(404, assertThrows(ChannelException.class, () -> c.resolveInteraction(ws, "nope",
        o("{'outcome':'approved'}"))).status());
  }

  @Test
  void receiptsAreMonotonicUnderOutOfOrderCallsAndTerminal() {
    String id = c.postUserMessage(ws, VesselRef.external(c.push(ws, o("{'vessel':'b1','message':'hi'}")).vessel()),
        o("{'content':'book me'}")).messageId();
    assertEquals(o("{'ok':true,'stage':'processing','reason':null}"), c.ackMessage(ws, id,
        o("{'stage':'processing'}")));
    assertEquals("processing", c.ackMessage(ws, id, o("{'stage':'received'}")).get("stage").getAsString(),
        "a late received does not roll back");
    assertEquals("completed", c.ackMessage(ws, id, o("{'stage':'completed'}")).get("stage").getAsString());
    assertEquals("completed", c.ackMessage(ws, id, o("{'stage':'dropped','reason':'late'}")).get("stage")
        .getAsString(), "terminal");
    assertEquals("completed", c.message(ws, id).toJson().get("receipt_stage").getAsString());

    // every order of the four calls ends terminal at the first terminal stage reached
    List<String> stages = new ArrayList<>(List.of("received", "processing", "completed", "dropped"));
    Random random = new Random(11);
    for (int round = 0; round < 20; round++) {
      Collections.shuffle(stages, random);
      String m = c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'r" + round + "'}")).messageId();
      String terminal = null;
      int best = 0;
      for (String s : stages) {
        JsonObject r = c.ackMessage(ws, m, o("{'stage':'" + s + "','reason':'dup'}"));
        int rank = Math.min(3, List.of("received", "processing", "completed", "dropped").indexOf(s) + 1);
        if (terminal == null && rank > best) {
          best = rank;
          if (rank == 3) {
            terminal = s;
          }
        }
        assertTrue(r.get("ok").getAsBoolean());
      }
      assertEquals(terminal, c.message(ws, m).toJson().get("receipt_stage").getAsString(), stages.toString());
    }
    assertEquals(400, assertThrows(ChannelException.class, () -> c.ackMessage(ws, id, o("{'stage':'read'}")))
        .status());
    assertEquals("dup", c.ackMessage(ws, c.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'d'}"))
        .messageId(), o("{'stage':'dropped','reason':'dup'}")).get("reason").getAsString());
  }

  private List<String> contents(String vessel) {
    List<String> out = new ArrayList<>();
    c.messages(ws, VesselRef.external(vessel), 100, null).messages().forEach(m -> out.add(m.content()));
    return out;
  }

  /** a1 u1 a2 u2 a3, one second apart; returns their ids. */
  private List<String> seed(String vessel) {
    List<String> ids = new ArrayList<>();
    for (String m : List.of("a1", "u1", "a2", "u2", "a3")) {
      clock.advance(Duration.ofSeconds(1));
      ids.add(m.startsWith("a") ? c.push(ws, o("{'vessel':'" + vessel + "','message':'" + m + "'}")).messageId()
          : c.postUserMessage(ws, VesselRef.external(vessel), o("{'content':'" + m + "'}")).messageId());
    }
    return ids;
  }

  @Test
  void rewindWithEachAnchorSourceAndDryRun() {
    List<String> ids = seed("r1");
    VesselRef r1 = VesselRef.external("r1");
    JsonObject dry = c.clearMessages(ws, r1, Map.of("afterMessageId", ids.get(1), "dryRun", "true"));
    assertEquals(o("{'ok':true,'deleted':2,'dry_run':true}"), dry);
    assertEquals(List.of("a1", "u1", "a2", "u2", "a3"), contents("r1"), "dry run deletes nothing");
    assertEquals(2, c.clearMessages(ws, r1, Map.of("afterMessageId", ids.get(1))).get("deleted").getAsInt());
    assertEquals(List.of("a1", "u1", "u2"), contents("r1"), "agent (default) keeps the human's messages");

    seed("r2");
    String at = c.message(ws, c.messages(ws, VesselRef.external("r2"), 100, null).messages().get(2).id())
        .toJson().get("created_at").getAsString();
    assertEquals(1, c.clearMessages(ws, VesselRef.external("r2"), Map.of("before", at, "source", "user"))
        .get("deleted").getAsInt());
    assertEquals(List.of("a1", "a2", "u2", "a3"), contents("r2"));
    assertEquals(2, c.clearMessages(ws, VesselRef.external("r2"), Map.of("after", at, "source", "all"))
        .get("deleted").getAsInt());
    assertEquals(List.of("a1", "a2"), contents("r2"), "the anchor itself stays");

    List<String> r3 = seed("r3");
    assertEquals(2, c.clearMessages(ws, VesselRef.external("r3"), Map.of("beforeMessageId", r3.get(3),
        "source", "all", "dryRun", "false")).get("deleted").getAsInt() - 1);
    assertEquals(List.of("u2", "a3"), contents("r3"));

    for (Map<String, String> bad : List.of(Map.<String, String>of(), Map.of("after", at, "before", at),
        Map.of("after", "yesterday"), Map.of("after", at, "source", "bots"))) {
      assertEquals(400, assertThrows(ChannelException.class, () -> c.clearMessages(ws, r1, bad)).status(),
          bad.toString());
    }
    assertEquals(404, assertThrows(ChannelException.class, () -> c.clearMessages(ws, r1,
        Map.of("afterMessageId", "nope"))).status());
  }

  @Test
  void deleteOneMessageAndItsResponseSurvivesARebuild() {
    PushResult ask = c.push(ws, o("{'vessel':'d1','message':'ok?','interaction':{'type':'approval','prompt':'?'}}"));
    String keep = c.push(ws, o("{'vessel':'d1','message':'keep'}")).messageId();
    c.deleteMessage(ws, ask.messageId());
    assertEquals(404, assertThrows(ChannelException.class, () -> c.message(ws, ask.messageId())).status());
    assertEquals(VesselStatus.ACTIVE, c.vessel(ws, VesselRef.external("d1")).status(), "its live card went too");
    assertEquals(404, assertThrows(ChannelException.class, () -> c.deleteMessage(ws, ask.messageId())).status());
    c.ackMessage(ws, keep, o("{'stage':'processing'}"));
    c.editMessage(ws, keep, o("{'content':'kept'}"));
    OperatorChannel reopened = OperatorChannel.open(journal, ChannelOptions.defaults().withClock(clock));
    assertEquals(List.of("kept"), reopened.messages(ws, VesselRef.external("d1"), 10, null).messages().stream()
        .map(Message::content).toList());
    assertEquals("processing", reopened.message(ws, keep).toJson().get("receipt_stage").getAsString());
  }

  @Test
  void patchingAVesselRenamesArchivesPinsAndClearsDetails() {
    c.push(ws, o("{'vessel':'web-a1b2c3','message':'hi','details':{'fields':[{'label':'a','value':'b'}]}}"));
    Vessel v = c.updateVessel(ws, VesselRef.external("web-a1b2c3"), o("{'externalId':'ticket-5571','title':'Sarah',"
        + "'pinned':true,'details':null}"));
    assertEquals("ticket-5571", v.externalId());
    assertEquals(null, v.details());
    assertTrue(v.pinned());
    assertEquals(404, assertThrows(ChannelException.class, () -> c.vessel(ws, VesselRef.external("web-a1b2c3")))
        .status());
    assertTrue(c.updateVessel(ws, VesselRef.id(v.id()), o("{'archived':true}")).archived());
    assertTrue(c.vessels(ws, null, false).isEmpty());
    c.deleteVessel(ws, VesselRef.id(v.id()));
    assertEquals(404, assertThrows(ChannelException.class, () -> c.vessel(ws, VesselRef.id(v.id()))).status());
  }
}
