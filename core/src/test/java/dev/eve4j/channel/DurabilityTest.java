package dev.eve4j.channel;

import static dev.eve4j.channel.J.o;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The channel over the durable file journal: a restart keeps everything, a delete keeps nothing. */
class DurabilityTest {
  @TempDir
  Path dir;

  private static EventJournal journal(Path dir) {
    return EventJournal.file(dir, FileJournalOptions.defaults().withDurability(FileJournalOptions.Durability.NONE));
  }

  @Test
  void aRestartKeepsEveryVesselMessageKeyAndPendingEvent() {
    String ws;
    String secret;
    PushResult ask;
    PushResult answered;
    List<JsonObject> rowsBefore;
    List<Vessel> vesselsBefore;
    try (EventJournal j = journal(dir)) {
      OperatorChannel c = OperatorChannel.open(j);
      ws = c.defaultWorkspace().id();
      secret = c.createKey(ws, "agent", Scope.all()).secret();
      answered = c.push(ws, o("{'vessel':'booking-123','vesselTitle':'Sarah','labels':['vip'],'message':'Confirm?',"
          + "'interaction':{'type':'approval','prompt':'Confirm?'}}"));
      c.respond(ws, answered.messageId(), o("{'response':{'action':'approved'}}"));
      ask = c.push(ws, o("{'vessel':'booking-123','message':'Which?','interaction':{'type':'choice','prompt':'p',"
          + "'options':[{'id':'a','label':'A'}]}}"));
      c.push(ws, o("{'vessel':'other','message':'hello','vesselStatus':'resolved'}"));
      c.updateVessel(ws, VesselRef.external("other"), o("{'pinned':true}"));
      c.poll(ws, 1, true); // acks the interaction.response
      c.postUserMessage(ws, VesselRef.external("other"), o("{'content':'still pending'}"));
      rowsBefore = rows(c, ws, "booking-123");
      vesselsBefore = c.vessels(ws, null, null);
    }
    try (EventJournal j = journal(dir)) {
      OperatorChannel c = OperatorChannel.open(j);
      assertEquals(ws, c.defaultWorkspace().id());
      assertEquals(vesselsBefore, c.vessels(ws, null, null));
      assertEquals(rowsBefore, rows(c, ws, "booking-123"));
      assertEquals(VesselStatus.WAITING, c.vessel(ws, VesselRef.external("booking-123")).status());
      assertEquals(InteractionStatus.ANSWERED, c.message(ws, answered.messageId()).interactionStatus());
      assertTrue(c.authenticate(secret).isPresent());
      List<JsonObject> events = c.poll(ws, 50, false);
      assertEquals(List.of("message.user"), events.stream().map(e -> e.get("type").getAsString())
          .collect(Collectors.toList()), "the acked event stays acked, the pending one is still pending");
      c.respond(ws, ask.messageId(), o("{'response':{'selected':'a'}}"));
      PushResult next = c.push(ws, o("{'vessel':'booking-123','message':'after restart'}"));
      assertEquals(ask.vesselId(), next.vesselId());
      assertEquals(2, c.poll(ws, 50, true).size());
    }
  }

  @Test
  void aHardDeleteLeavesNoTraceOfTheContent() throws IOException {
    String marker = "ZEBRA-7f3c-CONTENT";
    try (EventJournal j = journal(dir)) {
      OperatorChannel c = OperatorChannel.open(j);
      String ws = c.defaultWorkspace().id();
      c.push(ws, o("{'vessel':'doomed-vessel-x','vesselTitle':'" + marker + "-title','message':'" + marker + "',"
          + "'interaction':{'type':'text_input','prompt':'" + marker + "-prompt'}}"));
      PushResult keep = c.push(ws, o("{'vessel':'kept','message':'harmless'}"));
      String id = c.messages(ws, VesselRef.external("doomed-vessel-x"), 10, null).messages().get(0).id();
      c.respond(ws, id, o("{'response':{'text':'" + marker + "-answer'}}"));
      c.postUserMessage(ws, VesselRef.external("doomed-vessel-x"), o("{'content':'" + marker + "-user'}"));
      assertTrue(grep(dir, marker), "the content is on disk before the delete");
      c.deleteVessel(ws, VesselRef.external("doomed-vessel-x"));
      assertFalse(grep(dir, marker), "no file holds the content after the delete");
      assertFalse(grep(dir, "doomed-vessel-x"), "nor the external id");
      assertTrue(c.poll(ws, 50, false).isEmpty());
      assertEquals(keep.vesselId(), c.vessels(ws, null, null).get(0).id());
    }
    try (EventJournal j = journal(dir)) {
      OperatorChannel c = OperatorChannel.open(j);
      String ws = c.defaultWorkspace().id();
      assertEquals(List.of("kept"), c.vessels(ws, null, null).stream().map(Vessel::externalId)
          .collect(Collectors.toList()));
      assertFalse(grep(dir, marker));
    }
  }

  private static List<JsonObject> rows(OperatorChannel c, String ws, String external) {
    return c.messages(ws, VesselRef.external(external), 100, null).messages().stream().map(Message::toJson)
        .collect(Collectors.toList());
  }

  /** True when any file under {@code dir} contains {@code needle} (as UTF-8). */
  private static boolean grep(Path dir, String needle) throws IOException {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        if (indexOf(Files.readAllBytes(f), n) >= 0 || f.toString().contains(needle)) {
          return true;
        }
      }
    }
    return false;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void keysCreatedOfflineWorkOnTheNextStart() {
    Set<Scope> read = Set.of(Scope.READ);
    String secret;
    try (EventJournal j = journal(dir)) {
      OperatorChannel c = OperatorChannel.open(j);
      secret = c.createKey(c.defaultWorkspace().id(), "ro", read).secret();
    }
    try (EventJournal j = journal(dir)) {
      assertEquals(read, OperatorChannel.open(j).authenticate(secret).orElseThrow().scopes());
    }
  }
}
