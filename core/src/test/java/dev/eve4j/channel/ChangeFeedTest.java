package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link OperatorChannel#onChange}: one change per visible write, naming vessel, message and kind. */
class ChangeFeedTest {
  private OperatorChannel channel;
  private String ws;
  private final List<String> seen = new ArrayList<>();
  private final List<JsonObject> changes = new ArrayList<>();

  @BeforeEach
  void open() {
    TestClock clock = new TestClock(Instant.parse("2026-06-01T09:00:00Z"));
    channel = OperatorChannel.open(EventJournal.inMemory(), ChannelOptions.defaults().withClock(clock));
    ws = channel.defaultWorkspace().id();
  }

  @Test
  void everyVisibleChangeIsReportedWithItsWorkspaceVesselMessageAndKind() throws Exception {
    AutoCloseable handle = channel.onChange((workspace, change) -> {
      seen.add(workspace);
      changes.add(change);
    });
    PushResult ask = channel.push(ws, o("{'vessel':'b1','message':'Confirm?',"
        + "'interaction':{'type':'approval','prompt':'Confirm?'}}"));
    channel.respond(ws, ask.messageId(), o("{'response':{'action':'approved'}}"));
    PushResult work = channel.push(ws, o("{'vessel':'b1','agentActivity':{'type':'thinking'}}"));
    channel.editMessage(ws, work.messageId(), o("{'tokenStream':'Hel'}"));
    channel.updateVessel(ws, VesselRef.external("b1"), o("{'pinned':true}"));
    channel.postUserMessage(ws, VesselRef.external("b1"), o("{'content':'thanks'}"));
    channel.deleteVessel(ws, VesselRef.external("b1"));

    List<String> kinds = new ArrayList<>();
    for (JsonObject c : changes) {
      kinds.add(c.get("kind").getAsString());
      assertEquals(ask.vesselId(), c.get("vesselId").getAsString());
      assertEquals("b1", c.get("externalId").getAsString());
    }
    assertEquals(List.of("message", "response", "message", "edit", "patch", "message", "vessel_deleted"), kinds);
    assertEquals(ask.messageId(), changes.get(0).get("messageId").getAsString());
    assertEquals(ask.messageId(), changes.get(1).get("messageId").getAsString());
    assertEquals(work.messageId(), changes.get(3).get("messageId").getAsString());
    assertFalse(changes.get(4).has("messageId"));
    assertEquals(List.of(ws), seen.stream().distinct().toList());

    handle.close();
    channel.push(ws, o("{'vessel':'b2','message':'hi'}"));
    assertEquals(7, changes.size(), "closing the handle unregisters the listener");
  }

  @Test
  void aFailingListenerDoesNotFailTheWrite() {
    channel.onChange((w, c) -> {
      throw new IllegalStateException("boom");
    });
    channel.push(ws, o("{'vessel':'b1','message':'still stored'}"));
    assertEquals(1, channel.messages(ws, VesselRef.external("b1"), 10, null).messages().size());
  }
}
