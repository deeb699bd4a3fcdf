package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eve4j.servlet.EveServletOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * §7.4 heartbeats and leases, with a 200 ms heartbeat and a 2 s lease instead of 10 s / 60 s; golden
 * {@code 12-stream-queries} #16–#18.
 */
@Timeout(60)
class StreamLivenessContractTest {
    private static final Duration LEASE = Duration.ofSeconds(2);

    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;
    private static String sessionId;
    private static List<String> live;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("12-stream-queries");
        server = EveTestServer.start(EveServletOptions.defaults()
                .withHeartbeatInterval(Duration.ofMillis(200))
                .withLeaseDuration(LEASE));
        client = server.client();
        sessionId = client.createSession("hello stream");
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            stream.readUntilType("session.waiting", EveClient.TURN);
            live = stream.eventLines();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void idleStreamWithStreamControlGetsHeartbeatsThenTheLeaseRecordAndEnds() {
        List<String> goldenLines = golden.exchange(17).lines();
        assertEquals(NdjsonStream.LEASE_RECORD, goldenLines.get(goldenLines.size() - 1), "golden 12 #17 ends with the record");
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1&startIndex=" + live.size())) {
            Turns.assertStreamResponse(stream, sessionId, null);
            assertTrue(stream.awaitEnd(LEASE.multipliedBy(5)),
                    () -> "the server must end a streamControlVersion=1 response when its lease ends: " + stream.describe());
            assertTrue(stream.endedCleanly(), () -> "the lease ends the response cleanly: " + stream.describe());
            List<String> lines = stream.lines();
            assertEquals(NdjsonStream.LEASE_RECORD, lines.get(lines.size() - 1),
                    () -> "the last line is the lease record (golden 12 #17): " + stream.describe());
            assertFalse(stream.unterminatedFinalLine(), "the lease record is a complete, \\n-terminated line");
            assertEquals(List.of(), stream.eventLines(), "no events on an idle session");
            assertEquals(List.of(NdjsonStream.LEASE_RECORD), stream.controlLines(), "exactly one control record");
            assertTrue(stream.blankLines() >= 3,
                    () -> "blank heartbeat lines must arrive while idle (initial + at least 2 more): " + stream.describe());
        }
    }

    @Test
    void replayThenIdleWithStreamControlKeepsHeartbeatingUntilTheLeaseEnds() {
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            stream.readEvents(live.size(), EveClient.SHORT);
            long blanksAfterReplay = stream.blankLines();
            assertTrue(stream.awaitEnd(LEASE.multipliedBy(5)), () -> "the lease must end the response: " + stream.describe());
            assertEquals(live, stream.eventLines(), "the replay, then nothing but heartbeats and the record");
            assertEquals(List.of(NdjsonStream.LEASE_RECORD), stream.controlLines());
            assertTrue(stream.blankLines() - blanksAfterReplay >= 2,
                    () -> "heartbeats after the replay (golden 12 #16): " + stream.describe());
        }
    }

    @Test
    void idleStreamWithoutStreamControlNeverGetsTheLeaseRecord() {
        try (NdjsonStream stream = client.streamSession(sessionId, "startIndex=" + live.size())) {
            Turns.assertStreamResponse(stream, sessionId, null);
            // read for well over the lease duration: the response must stay open and carry no record (golden 12 #18)
            assertFalse(stream.awaitEnd(LEASE.plus(Duration.ofMillis(1500))),
                    () -> "without streamControlVersion=1 the response must not end at the lease: " + stream.describe());
            assertEquals(List.of(), stream.controlLines(), "no lease record without streamControlVersion=1 (§7.4)");
            assertEquals(List.of(), stream.eventLines(), "nothing but blank lines on an idle session");
        }
    }
}
