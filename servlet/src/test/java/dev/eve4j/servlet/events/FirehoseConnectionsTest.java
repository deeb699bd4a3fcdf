package dev.eve4j.servlet.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.eve4j.servlet.EventsServletOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connection management: the cap, slow consumers, resume, heartbeats and disposal on abort. */
@Timeout(60)
class FirehoseConnectionsTest {
  private static final Duration SHORT = Duration.ofSeconds(10);

  @Test
  void aNewConnectionAtTheCapEvictsTheOldestAndIsServed() throws Exception {
    try (FirehoseServer server = FirehoseServer.start(EventsServletOptions.defaults().withMaxConnections(2));
        Sse first = server.firehose("");
        Sse second = server.firehose("")) {
      assertEquals(2, server.events().openConnections());
      try (Sse third = server.firehose("")) {
        List<Sse.Frame> evicted = first.untilEnd(SHORT);
        assertTrue(first.endedCleanly(), "the evicted response ends cleanly");
        assertEquals(List.of("closed evicted"), comments(evicted), "the oldest is told why it ends");
        assertEquals(2, server.events().openConnections());

        String id = server.createSession("hello", null);
        for (Sse live : List.of(second, third)) {
          List<Sse.Frame> turn = live.eventsUntil("message_complete");
          assertEquals(id, turn.get(turn.size() - 1).conversationKey());
          assertEquals("Echo: hello", turn.get(turn.size() - 1).message().get("message").getAsString());
        }
      }
    }
  }

  /**
   * Two readers follow one conversation through a first turn; then one stops reading (4 KiB
   * receive buffer, 8 KiB send buffer) while the agent floods 1500 deltas, paced only by the other,
   * fast reader (at most 8 deltas ahead of it). The stalled reader is dropped once 16 events wait for
   * it, and neither the agent nor the fast reader notice: the fast one gets every delta. The stalled
   * one, reading again and reconnecting with Last-Event-ID, gets the rest with no gap and no
   * duplicate.
   */
  @Test
  void aStalledReaderIsClosedWhileAFastOneGetsEverythingAndTheReconnectResumesExactly() throws Exception {
    int deltas = 1500;
    try (FirehoseServer server = FirehoseServer.start(EventsServletOptions.defaults())) {
      String id = server.prewarm(null);
      try (Sse fast = server.firehose("conversationKey=" + id);
          Sse stalled = server.stalledFirehose("conversationKey=" + id)) {
        assertEquals(2, server.events().openConnections());
        server.send(id, "{\"message\":\"hello\"}", null);
        List<Sse.Frame> fastFrames = fast.eventsUntil("message_complete");
        List<Sse.Frame> got = stalled.readNowUntil("message_complete"); // ... and no further reading
        assertEquals(frames(fastFrames), frames(got));

        Semaphore window = new Semaphore(8);
        server.model().pace(window);
        server.send(id, "{\"message\":\"flood: " + deltas + "\"}", null);
        StringBuilder fastText = new StringBuilder();
        while (true) {
          Sse.Frame f = fast.nextEvent(SHORT);
          assertNotNull(f, "the fast reader's response must not end");
          fastFrames.add(f);
          if (f.type().equals("assistant_text_delta")) {
            fastText.append(f.message().get("text").getAsString());
            window.release();
          } else if (f.type().equals("message_complete")) {
            break;
          }
        }
        assertEquals(expectedText(deltas), fastText.toString(), "the fast reader got every delta, in order");
        assertStrictlyIncreasing(fastFrames);
        // The drop happens inside a publish, so it is done before message_complete was published.
        assertEquals(1, server.events().openConnections(), "the stalled reader was dropped from the feed");

        stalled.startReading();
        List<Sse.Frame> before = stalled.untilEnd(SHORT);
        assertTrue(stalled.endedCleanly(), () -> "the dropped response ends cleanly once read: " + tail(before));
        assertEquals(List.of("closed slow-consumer"), comments(before));
        got.addAll(events(before));
        assertTrue(got.size() < fastFrames.size(), "the stalled reader fell behind");
        String lastId = got.get(got.size() - 1).id();
        try (Sse again = server.firehose("conversationKey=" + id, "Last-Event-ID", lastId)) {
          got.addAll(again.eventsUntil("message_complete"));
        }
        assertStrictlyIncreasing(got);
        assertEquals(frames(fastFrames), frames(got),
            "dropped + resumed = exactly the frames (ids and data) the fast reader saw");
      }
    }
  }

  @Test
  void theAllConversationsFeedResumesFromItsBufferAndSays410WhenTheEventsAreGone() throws Exception {
    try (FirehoseServer server = FirehoseServer.start(EventsServletOptions.defaults().withResumeBufferSize(64))) {
      String lastId;
      List<Sse.Frame> first;
      try (Sse feed = server.firehose("")) {
        server.createSession("one", null);
        first = feed.eventsUntil("message_complete");
        lastId = first.get(2).id(); // stop after the third frame, as a dropped client would
      }
      String second = server.createSession("two", null);
      try (Sse feed = server.firehose("", "Last-Event-ID", lastId)) {
        List<Sse.Frame> resumed = new ArrayList<>(first.subList(0, 3));
        resumed.addAll(feed.eventsUntil("message_complete"));
        assertEquals(frames(first), frames(resumed), "the rest of the first turn: no gap, no duplicate");
        List<Sse.Frame> next = feed.eventsUntil("message_complete");
        assertEquals(Set.of(second), next.stream().map(Sse.Frame::conversationKey).collect(Collectors.toSet()),
            "then the turn that ran while the client was away, then live");
        resumed.addAll(next);
        assertStrictlyIncreasing(resumed);
      }

      // Flood past the 64 held events: the first turn's ids are gone, which is a 410, never a gap.
      server.awaitIdle(server.createSession("flood: 100", null));
      Sse gone = server.firehose("", "Last-Event-ID", lastId);
      assertEquals(410, gone.status, gone.body);
      assertEquals("session_expired", JsonParser.parseString(gone.body).getAsJsonObject().get("code").getAsString());
      Sse otherInstance = server.firehose("", "Last-Event-ID", "zzzzzz-1");
      assertEquals(410, otherInstance.status, "an id of another server instance cannot be resumed");
      Sse malformed = server.firehose("", "Last-Event-ID", "12");
      assertEquals(400, malformed.status, "a conversation id is not a cursor of the all-conversations feed");
    }
  }

  @Test
  void heartbeatsArriveAtTheConfiguredInterval() throws Exception {
    try (FirehoseServer server = FirehoseServer.start(
        EventsServletOptions.defaults().withHeartbeatInterval(Duration.ofMillis(100)));
        Sse feed = server.firehose("")) {
      for (int i = 0; i < 3; i++) {
        Sse.Frame f = feed.next(Duration.ofSeconds(5));
        assertNotNull(f);
        assertFalse(f.isEvent(), "an idle feed carries only comments: " + f);
        assertEquals("heartbeat", f.comment());
      }
    }
  }

  @Test
  void abortingTheRequestDisposesTheSubscription() throws Exception {
    try (FirehoseServer server = FirehoseServer.start(
        EventsServletOptions.defaults().withHeartbeatInterval(Duration.ofMillis(100)))) {
      String id = server.prewarm(null);
      Sse all = server.firehose("");
      Sse one = server.firehose("conversationKey=" + id);
      Sse stalled = server.stalledFirehose("");
      assertEquals(3, server.events().openConnections());
      all.abort();
      one.abort();
      stalled.abort();
      // Over HTTP/1.1 the container learns of a dropped socket at the next write: the heartbeat.
      FirehoseServer.await("every subscription to be disposed", SHORT,
          () -> server.events().openConnections() == 0);
      // And the runtime never noticed: the session still answers.
      try (Sse feed = server.firehose("conversationKey=" + id)) {
        server.send(id, "{\"message\":\"still here\"}", null);
        List<Sse.Frame> turn = feed.eventsUntil("message_complete");
        assertEquals("Echo: still here", turn.get(turn.size() - 1).message().get("message").getAsString());
      }
    }
  }

  @Test
  void destroyingTheServletEndsOpenFeedsCleanly() throws Exception {
    try (FirehoseServer server = FirehoseServer.start(EventsServletOptions.defaults());
        Sse feed = server.firehose("")) {
      server.stopServlets();
      List<Sse.Frame> frames = feed.untilEnd(SHORT);
      assertEquals(List.of("closed shutdown"), comments(frames));
      assertTrue(feed.endedCleanly(), "a clean end, not a cut connection");
      assertEquals(0, server.events().openConnections());
    }
  }

  private static String expectedText(int deltas) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= deltas; i++) {
      b.append(TestModel.delta(i));
    }
    return b.toString();
  }

  private static void assertStrictlyIncreasing(List<Sse.Frame> frames) {
    for (int i = 1; i < frames.size(); i++) {
      String a = frames.get(i - 1).id();
      String b = frames.get(i).id();
      assertTrue(compare(a, b) < 0, "ids must increase: " + a + " then " + b);
    }
  }

  /** Orders {@code [epoch-]base[.part]} ids. */
  private static int compare(String a, String b) {
    long[] x = position(a);
    long[] y = position(b);
    return x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]);
  }

  private static long[] position(String id) {
    String s = id.contains("-") ? id.substring(id.indexOf('-') + 1) : id;
    String[] p = s.split("\\.");
    return new long[] {Long.parseLong(p[0]), p.length > 1 ? Long.parseLong(p[1]) : 0};
  }

  private static List<String> comments(List<Sse.Frame> frames) {
    return frames.stream().filter(f -> !f.isEvent() && !"heartbeat".equals(f.comment()))
        .map(Sse.Frame::comment).collect(Collectors.toList());
  }

  private static List<Sse.Frame> events(List<Sse.Frame> frames) {
    return frames.stream().filter(Sse.Frame::isEvent).collect(Collectors.toCollection(ArrayList::new));
  }

  private static List<String> frames(List<Sse.Frame> frames) {
    return frames.stream().map(Sse.Frame::toString).collect(Collectors.toList());
  }

  private static String tail(List<Sse.Frame> frames) {
    return frames.subList(Math.max(0, frames.size() - 3), frames.size()).toString();
  }
}
