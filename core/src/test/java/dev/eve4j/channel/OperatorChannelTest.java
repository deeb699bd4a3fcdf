package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatorChannelTest {
  private TestClock clock;
  private EventJournal journal;
  private OperatorChannel channel;
  private String ws;

  @BeforeEach
  void open() {
    clock = new TestClock(Instant.parse("2026-06-01T09:00:00Z"));
    journal = EventJournal.inMemory();
    channel = OperatorChannel.open(journal, ChannelOptions.defaults().withClock(clock));
    ws = channel.defaultWorkspace().id();
  }

  private PushResult push(String json) {
    return channel.push(ws, o(json));
  }

  private VesselStatus status(String external) {
    return channel.vessel(ws, VesselRef.external(external)).status();
  }

  private JsonObject respondBody(String response) {
    return o("{'response':" + response + "}");
  }

  @Test
  void pushAutoCreatesTheVesselOnceAndKeepsItsTitle() {
    PushResult a = push("{'vessel':'booking-123','vesselTitle':'Sarah Martinez','message':'New booking received.'}");
    PushResult b = push("{'vessel':'booking-123','message':'Offer sent.'}");
    assertEquals(a.vesselId(), b.vesselId());
    assertNotEquals(a.messageId(), b.messageId());
    Vessel v = channel.vessel(ws, VesselRef.id(a.vesselId()));
    assertEquals("booking-123", v.externalId());
    assertEquals("Sarah Martinez", v.title(), "a push without vesselTitle leaves the title alone");
    assertEquals(VesselStatus.ACTIVE, v.status());
    MessagePage page = channel.messages(ws, VesselRef.external("booking-123"), 50, null);
    assertEquals(List.of("New booking received.", "Offer sent."),
        page.messages().stream().map(Message::content).collect(Collectors.toList()));
    assertFalse(page.hasMore());
    JsonObject row = page.messages().get(0).toJson();
    assertEquals("agent", row.get("source").getAsString());
    assertEquals("bubble", row.get("kind").getAsString());
    assertEquals(a.vesselId(), row.get("vessel_id").getAsString());
    assertEquals("2026-06-01T09:00:00.000Z", row.get("created_at").getAsString());
  }

  @Test
  void invalidPushesChangeNothing() {
    ChannelException e = assertThrows(ChannelException.class,
        () -> push("{'vessel':'b1','interaction':{'type':'approval','prompt':'x'}}"));
    assertEquals(400, e.status());
    assertEquals("Invalid push payload", e.error());
    assertEquals(List.of("message: Required: a push needs one of message, title, agentActivity or tokenStream"),
        e.errors());
    assertTrue(channel.vessels(ws, null, null).isEmpty());
  }

  @Test
  void labelsAreReplacedAsASetAndCardsOrInteractionsMakeSurfaces() {
    push("{'vessel':'v','message':'m','labels':['golf','vip','golf']}");
    assertEquals(List.of("golf", "vip"), channel.vessel(ws, VesselRef.external("v")).labels());
    push("{'vessel':'v','message':'m2','labels':['saturday'],'card':{'fields':[{'label':'a','value':'b'}]}}");
    assertEquals(List.of("saturday"), channel.vessel(ws, VesselRef.external("v")).labels());
    push("{'vessel':'v','message':'m3'}");
    assertEquals(List.of("saturday"), channel.vessel(ws, VesselRef.external("v")).labels());
    List<Message> msgs = channel.messages(ws, VesselRef.external("v"), 10, null).messages();
    assertEquals(List.of(Kind.BUBBLE, Kind.SURFACE, Kind.BUBBLE),
        msgs.stream().map(Message::kind).collect(Collectors.toList()));
  }

  @Test
  void supersessionAndStatus() {
    PushResult first = push("{'vessel':'b','message':'Which time?','interaction':{'type':'choice','prompt':'Pick',"
        + "'options':[{'id':'a','label':'A'},{'id':'b','label':'B'}]}}");
    assertEquals(VesselStatus.WAITING, status("b"));
    push("{'vessel':'b','message':'Just a status update.'}");
    assertEquals(VesselStatus.WAITING, status("b"), "a plain message does not expire a pending decision");
    assertEquals(InteractionStatus.LIVE, channel.message(ws, first.messageId()).interactionStatus());
    PushResult second = push("{'vessel':'b','message':'Confirm?','interaction':{'type':'approval','prompt':'OK?'}}");
    assertEquals(InteractionStatus.EXPIRED, channel.message(ws, first.messageId()).interactionStatus(),
        "a newer interaction expires the older one");
    ChannelException expired = assertThrows(ChannelException.class,
        () -> channel.respond(ws, first.messageId(), respondBody("{'selected':'a'}")));
    assertEquals(409, expired.status());
    assertEquals(VesselStatus.WAITING, status("b"));
    channel.postUserMessage(ws, VesselRef.external("b"), o("{'content':'I want to reschedule'}"));
    assertEquals(InteractionStatus.EXPIRED, channel.message(ws, second.messageId()).interactionStatus(),
        "typing past a card expires it");
    assertEquals(VesselStatus.ACTIVE, status("b"));
    List<JsonObject> events = channel.poll(ws, 50, true);
    assertEquals(1, events.size());
    JsonObject user = events.get(0);
    assertEquals("message.user", user.get("type").getAsString());
    assertEquals("I want to reschedule", user.getAsJsonObject("message").get("content").getAsString());
    assertEquals(o("{'messageId':'" + second.messageId() + "','interactionType':'approval','prompt':'OK?'}"),
        user.getAsJsonObject("supersededInteraction"));
    assertEquals(3, user.getAsJsonArray("context").size());
    assertEquals("b", user.getAsJsonObject("vessel").get("externalId").getAsString());
  }

  @Test
  void respondingClearsWaitingAndEmitsTheResponseEvent() {
    PushResult p = push("{'vessel':'booking-123','vesselTitle':'Sarah','labels':['vip'],'message':'New booking',"
        + "'interaction':{'type':'approval','prompt':'Confirm this booking?','approveLabel':'Confirm','metadata':"
        + "{'out_tray_id':'123'}}}");
    assertEquals(VesselStatus.WAITING, status("booking-123"));
    ChannelException bad = assertThrows(ChannelException.class,
        () -> channel.respond(ws, p.messageId(), respondBody("{'action':'ok'}")));
    assertEquals(400, bad.status());
    assertEquals(InteractionStatus.LIVE, channel.message(ws, p.messageId()).interactionStatus(),
        "an invalid response stores nothing");
    RespondResult r = channel.respond(ws, p.messageId(), respondBody("{'action':'approved'}"));
    assertEquals(VesselStatus.ACTIVE, status("booking-123"));
    Message m = channel.message(ws, p.messageId());
    assertEquals(InteractionStatus.ANSWERED, m.interactionStatus());
    assertEquals(o("{'action':'approved'}"), m.response());
    assertEquals(409, assertThrows(ChannelException.class,
        () -> channel.respond(ws, p.messageId(), respondBody("{'action':'approved'}"))).status());
    List<JsonObject> events = channel.poll(ws, 50, false);
    assertEquals(1, events.size());
    JsonObject e = events.get(0);
    assertEquals("interaction.response", e.get("type").getAsString());
    assertEquals(r.responseId(), e.get("id").getAsString());
    assertEquals("approval", e.get("interactionType").getAsString());
    assertEquals(o("{'action':'approved'}"), e.getAsJsonObject("response"));
    assertEquals(o("{'out_tray_id':'123'}"), e.getAsJsonObject("interactionMetadata"));
    assertEquals(p.messageId(), e.get("messageId").getAsString());
    JsonObject vessel = e.getAsJsonObject("vessel");
    assertEquals(p.vesselId(), vessel.get("id").getAsString());
    assertEquals("booking-123", vessel.get("externalId").getAsString());
    assertEquals("vip", vessel.getAsJsonArray("labels").get(0).getAsString());
    assertEquals("Confirm this booking?", e.getAsJsonObject("originMessage").getAsJsonObject("interaction")
        .get("prompt").getAsString());
    assertEquals("New booking", e.getAsJsonObject("originMessage").get("content").getAsString());
  }

  @Test
  void resolvedIsSetByTheAgentAndClearedByTheHuman() {
    push("{'vessel':'r','message':'Done.','vesselStatus':'resolved'}");
    assertEquals(VesselStatus.RESOLVED, status("r"));
    assertEquals(1, channel.vessels(ws, VesselStatus.RESOLVED, null).size());
    channel.postUserMessage(ws, VesselRef.external("r"), o("{'content':'one more thing'}"));
    assertEquals(VesselStatus.ACTIVE, status("r"));
    channel.updateVessel(ws, VesselRef.external("r"), o("{'vesselStatus':'resolved'}"));
    assertEquals(VesselStatus.RESOLVED, status("r"));
    push("{'vessel':'r','message':'Ask','interaction':{'type':'text_input','prompt':'Why?'}}");
    assertEquals(VesselStatus.WAITING, status("r"), "a live interaction always shows as waiting");
  }

  @Test
  void pollWithoutAckRedeliversAndAckedEventsNeverComeBack() {
    push("{'vessel':'a','message':'m'}");
    channel.postUserMessage(ws, VesselRef.external("a"), o("{'content':'one'}"));
    push("{'vessel':'b','message':'m'}");
    channel.postUserMessage(ws, VesselRef.external("b"), o("{'content':'two'}"));
    channel.postUserMessage(ws, VesselRef.external("a"), o("{'content':'three'}"));
    List<String> first = contents(channel.poll(ws, 50, false));
    assertEquals(List.of("one", "two", "three"), first);
    assertEquals(first, contents(channel.poll(ws, 50, false)), "unacked events are delivered again");
    assertEquals(List.of("one", "two"), contents(channel.poll(ws, 2, true)));
    assertEquals(List.of("three"), contents(channel.poll(ws, 50, false)));
    List<JsonObject> rest = channel.poll(ws, 50, false);
    assertEquals(1, channel.ack(ws, List.of(rest.get(0).get("id").getAsString(), "unknown")));
    assertTrue(channel.poll(ws, 50, true).isEmpty());
    assertEquals(0, channel.ack(ws, List.of(rest.get(0).get("id").getAsString())));
  }

  private static List<String> contents(List<JsonObject> events) {
    return events.stream().map(e -> e.getAsJsonObject("message").get("content").getAsString())
        .collect(Collectors.toList());
  }

  @Test
  void eventsAreBannersWithoutPollEventsAndDoNotExpireInteractions() {
    PushResult ask = push("{'vessel':'monitoring','message':'m','interaction':{'type':'text_input','prompt':'p'}}");
    PushResult ev = channel.event(ws, o("{'vessel':'monitoring','title':'Stock Alert','tone':'alert','body':'Crossed.',"
        + "'sections':[{'heading':'h','body':'b','collapsed':true}],'buttons':[{'label':'Open','url':"
        + "'https://app.example.com/acme','tone':'primary'}]}"));
    Message m = channel.message(ws, ev.messageId());
    assertEquals(Source.EVENT, m.source());
    JsonObject row = m.toJson();
    assertEquals("alert", row.get("tone").getAsString());
    assertEquals("Stock Alert", row.get("title").getAsString());
    assertEquals(1, row.getAsJsonArray("buttons").size());
    assertTrue(channel.poll(ws, 50, false).isEmpty());
    assertEquals(InteractionStatus.LIVE, channel.message(ws, ask.messageId()).interactionStatus());
  }

  @Test
  void surfacesCarryTitleCardBodyAndInteraction() {
    PushResult s = channel.surface(ws, o("{'vessel':'inv-42','title':'GreenTurf Invoice','card':{'fields':[{'label':"
        + "'Amount Due','value':'$7,400'}]},'body':'**$1,200 over**','interaction':{'type':'approval','prompt':"
        + "'Approve the $7,400 payment?'}}"));
    Message m = channel.message(ws, s.messageId());
    assertEquals(Kind.SURFACE, m.kind());
    assertEquals("**$1,200 over**", m.content());
    assertEquals("GreenTurf Invoice", m.toJson().get("title").getAsString());
    assertEquals(InteractionType.APPROVAL, m.interactionType());
  }

  @Test
  void pushManyMakesIndependentCopies() {
    List<PushResult> rs = channel.pushMany(ws, o("{'vessels':['booking-101','booking-102','booking-103'],'message':"
        + "'Closed Saturday.','interaction':{'type':'approval','prompt':'Send cancellation email?'}}"));
    assertEquals(3, rs.size());
    assertEquals(3, rs.stream().map(PushResult::vesselId).distinct().count());
    channel.respond(ws, rs.get(0).messageId(), respondBody("{'action':'rejected'}"));
    assertEquals(InteractionStatus.LIVE, channel.message(ws, rs.get(1).messageId()).interactionStatus());
    assertEquals(VesselStatus.WAITING, status("booking-102"));
    assertEquals(VesselStatus.ACTIVE, status("booking-101"));
    assertEquals(2, channel.vessels(ws, VesselStatus.WAITING, false).size());
  }

  @Test
  void historyPagesNewestLastWithABeforeCursor() {
    for (int i = 0; i < 7; i++) {
      push("{'vessel':'h','message':'m" + i + "'}"); // same instant: times still strictly increase
    }
    MessagePage last3 = channel.messages(ws, VesselRef.external("h"), 3, null);
    assertEquals(List.of("m4", "m5", "m6"),
        last3.messages().stream().map(Message::content).collect(Collectors.toList()));
    assertTrue(last3.hasMore());
    String before = last3.messages().get(0).toJson().get("created_at").getAsString();
    MessagePage older = channel.messages(ws, VesselRef.external("h"), 3, before);
    assertEquals(List.of("m1", "m2", "m3"),
        older.messages().stream().map(Message::content).collect(Collectors.toList()));
    MessagePage oldest = channel.messages(ws, VesselRef.external("h"), 3, older.messages().get(0).id());
    assertEquals(List.of("m0"), oldest.messages().stream().map(Message::content).collect(Collectors.toList()));
    assertFalse(oldest.hasMore());
    assertEquals(400, assertThrows(ChannelException.class,
        () -> channel.messages(ws, VesselRef.external("h"), 101, null)).status());
    assertEquals(404, assertThrows(ChannelException.class,
        () -> channel.messages(ws, VesselRef.external("nope"), 10, null)).status());
  }

  @Test
  void vesselPatchArchivePinAndRename() {
    push("{'vessel':'lead-88','message':'m'}");
    push("{'vessel':'other','message':'m'}");
    Vessel v = channel.updateVessel(ws, VesselRef.external("lead-88"), o("{'title':'Refund - Sarah M.','pinned':true,"
        + "'details':{'fields':[{'label':'Client','value':'Sarah'}]},'metadata':{'crm':1}}"));
    assertEquals("Refund - Sarah M.", v.title());
    assertTrue(v.pinned());
    assertEquals("lead-88", channel.vessels(ws, null, null).get(0).externalId(), "pinned first");
    v = channel.updateVessel(ws, VesselRef.external("lead-88"), o("{'details':null,'archived':true}"));
    assertNull(v.details());
    assertEquals(List.of("other"), channel.vessels(ws, null, false).stream().map(Vessel::externalId)
        .collect(Collectors.toList()));
    assertEquals(List.of("lead-88"), channel.vessels(ws, null, true).stream().map(Vessel::externalId)
        .collect(Collectors.toList()));
    assertEquals(409, assertThrows(ChannelException.class, () -> channel.updateVessel(ws,
        VesselRef.external("lead-88"), o("{'externalId':'other'}"))).status());
    channel.updateVessel(ws, VesselRef.external("lead-88"), o("{'externalId':'ticket-5571'}"));
    assertEquals(v.id(), channel.vessel(ws, VesselRef.external("ticket-5571")).id());
    assertEquals(404, assertThrows(ChannelException.class,
        () -> channel.vessel(ws, VesselRef.external("lead-88"))).status());
    assertEquals(400, assertThrows(ChannelException.class,
        () -> channel.updateVessel(ws, VesselRef.external("ticket-5571"), o("{}"))).status());
  }

  @Test
  void userInitiatedVessels() {
    assertEquals(403, assertThrows(ChannelException.class,
        () -> channel.openVessel(ws, o("{'message':'hello'}"))).status());
    channel.updateWorkspace(ws, o("{'userVesselsEnabled':true,'vesselTypes':['Ticket','Enquiry']}"));
    assertEquals(400, assertThrows(ChannelException.class,
        () -> channel.openVessel(ws, o("{'message':'hello','type':'Bug'}"))).status());
    PushResult opened = channel.openVessel(ws, o("{'message':'broken link','type':'Ticket','title':'Sarah'}"));
    assertTrue(opened.vessel().startsWith("web-"));
    List<JsonObject> events = channel.poll(ws, 50, true);
    assertEquals(1, events.size(), "the first message rides inside vessel.created, not as message.user");
    JsonObject e = events.get(0);
    assertEquals("vessel.created", e.get("type").getAsString());
    assertEquals("Ticket", e.getAsJsonObject("vessel").get("type").getAsString());
    assertEquals("Sarah", e.getAsJsonObject("vessel").get("title").getAsString());
    assertEquals(opened.vessel(), e.getAsJsonObject("vessel").get("externalId").getAsString());
    assertEquals("broken link", e.getAsJsonObject("message").get("content").getAsString());
    assertEquals(opened.messageId(), e.getAsJsonObject("message").get("id").getAsString());
  }

  @Test
  void cancelAppliesToWorkingAgentMessages() {
    PushResult working = push("{'vessel':'w','agentActivity':{'type':'thinking'}}");
    PushResult plain = push("{'vessel':'w','message':'done'}");
    Message m = channel.cancel(ws, working.messageId());
    assertEquals("2026-06-01T09:00:00.000Z", m.toJson().get("cancel_requested_at").getAsString());
    assertEquals(409, assertThrows(ChannelException.class, () -> channel.cancel(ws, plain.messageId())).status());
    assertEquals(404, assertThrows(ChannelException.class, () -> channel.cancel(ws, "nope")).status());
    assertTrue(channel.poll(ws, 50, false).isEmpty(), "message.cancelled is webhook-only");
  }

  @Test
  void deleteRemovesTheVesselItsMessagesAndPendingEvents() {
    PushResult p = push("{'vessel':'gone','message':'secret plans'}");
    channel.postUserMessage(ws, VesselRef.external("gone"), o("{'content':'more secrets'}"));
    Vessel deleted = channel.deleteVessel(ws, VesselRef.external("gone"));
    assertEquals(p.vesselId(), deleted.id());
    assertFalse(journal.contains(JournalChannel.VESSEL_PREFIX + p.vesselId()));
    assertEquals(404, assertThrows(ChannelException.class, () -> channel.message(ws, p.messageId())).status());
    assertTrue(channel.poll(ws, 50, false).isEmpty());
    assertTrue(channel.vessels(ws, null, null).isEmpty());
    PushResult again = push("{'vessel':'gone','message':'fresh start'}");
    assertNotEquals(p.vesselId(), again.vesselId());
    assertEquals(1, channel.messages(ws, VesselRef.external("gone"), 10, null).messages().size());
  }

  @Test
  void workspacesAreIsolated() {
    Workspace other = channel.createWorkspace("other");
    PushResult p = push("{'vessel':'shared-name','message':'mine'}");
    PushResult q = channel.push(other.id(), o("{'vessel':'shared-name','message':'theirs'}"));
    assertNotEquals(p.vesselId(), q.vesselId());
    assertEquals(404, assertThrows(ChannelException.class, () -> channel.message(other.id(), p.messageId())).status());
    assertEquals(404, assertThrows(ChannelException.class,
        () -> channel.vessel(other.id(), VesselRef.id(p.vesselId()))).status());
  }

  @Test
  void keysAreStoredAsHashesAndRevocable() {
    CreatedApiKey k = channel.createKey(ws, "dashboard", Set.of(Scope.READ));
    assertTrue(k.secret().startsWith("vsl_"));
    assertEquals(k.key(), channel.authenticate(k.secret()).orElseThrow());
    assertEquals(Set.of(Scope.READ), k.key().scopes());
    assertTrue(channel.authenticate("vsl_nope").isEmpty());
    assertTrue(channel.authenticate(null).isEmpty());
    String lines = String.join("\n", JournalChannel.readAll(journal, JournalChannel.REGISTRY).stream()
        .map(Object::toString).collect(Collectors.toList()));
    assertFalse(lines.contains(k.secret()), "the secret is never stored");
    assertTrue(lines.contains(JournalChannel.sha256(k.secret())));
    channel.revokeKey(k.key().id());
    assertTrue(channel.authenticate(k.secret()).isEmpty());
    assertEquals(1, channel.keys(ws).size());
    assertTrue(channel.keys(ws).get(0).revokedAt() != null);
    assertEquals(400, assertThrows(ChannelException.class, () -> channel.createKey(ws, "x", Set.of())).status());
  }

  @Test
  void traceTellsTheStoryOfAVessel() {
    PushResult p = push("{'vessel':'t','message':'Go?','agentActivity':{'type':'thinking'},'interaction':{'type':"
        + "'approval','prompt':'Go?'}}");
    clock.advance(Duration.ofSeconds(5));
    channel.respond(ws, p.messageId(), respondBody("{'action':'approved'}"));
    JsonObject t = channel.trace(ws, VesselRef.external("t"));
    assertFalse(t.get("verbose").getAsBoolean());
    assertEquals(List.of("message", "activity.step", "human.response"), t.getAsJsonArray("events").asList().stream()
        .map(e -> e.getAsJsonObject().get("type").getAsString()).collect(Collectors.toList()));
    assertEquals(0, t.getAsJsonObject("summary").getAsJsonArray("issues").size());
  }

  @Test
  void concurrentFirstPushesToOneVesselCreateItOnce() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<PushResult>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String body = "{'vessel':'" + (i % 2 == 0 ? "even" : "odd") + "','message':'m" + i + "','labels':['l" + i
            + "']}";
        fs.add(pool.submit(() -> push(body)));
      }
      for (java.util.concurrent.Future<PushResult> f : fs) {
        f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2, channel.vessels(ws, null, null).size());
    assertEquals(20, channel.messages(ws, VesselRef.external("even"), 100, null).messages().size());
    assertEquals(20, channel.messages(ws, VesselRef.external("odd"), 100, null).messages().size());
    List<Message> even = channel.messages(ws, VesselRef.external("even"), 100, null).messages();
    for (int i = 1; i < even.size(); i++) {
      assertTrue(even.get(i - 1).createdAt().isBefore(even.get(i).createdAt()), "times strictly increase");
    }
  }

  @Test
  void pushesCannotArchiveOrPin() {
    push("{'vessel':'p','message':'m','archived':true,'pinned':true}");
    Vessel v = channel.vessel(ws, VesselRef.external("p"));
    assertFalse(v.archived());
    assertFalse(v.pinned());
  }
}
