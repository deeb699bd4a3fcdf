package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Several readers on one ~6 s {@code slow:} turn: one drops its connection mid-turn, two read concurrently from the
 * start, one joins mid-turn. A disconnect must not change the session; all readers see identical bytes.
 */
@Timeout(90)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamReadersContractTest {
    private EveTestServer server;
    private EveClient client;
    private String sessionId;
    private List<byte[]> readerA;
    private List<byte[]> readerB;
    private List<byte[]> joinedMidTurn;
    private List<JsonObject> events;

    @BeforeAll
    void runOneSlowTurnWithSeveralReaders() throws IOException {
        server = EveTestServer.start();
        client = server.client();
        sessionId = client.createSession("slow: long answer");
        try (NdjsonStream a = client.streamSession(sessionId, "streamControlVersion=1");
                NdjsonStream b = client.streamSession(sessionId, "streamControlVersion=1")) {
            readRawThenDisconnect(EveClient.sessionPath(sessionId) + "/stream?streamControlVersion=1", 3);
            // joins mid-turn (3 of 40 deltas are out), like a client that attaches late, without streamControlVersion
            try (NdjsonStream late = client.streamSession(sessionId, "")) {
                late.readUntilType("session.waiting", EveClient.SLOW_TURN);
                joinedMidTurn = late.eventLineBytes();
            }
            a.readUntilType("session.waiting", EveClient.SLOW_TURN);
            b.readUntilType("session.waiting", EveClient.SLOW_TURN);
            readerA = a.eventLineBytes();
            readerB = b.eventLineBytes();
            events = a.events();
        }
    }

    /** Opens the stream on a plain socket, reads until {@code count} message.appended lines went by, then closes it. */
    private void readRawThenDisconnect(String path, int count) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) EveClient.SLOW_TURN.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /eve/v1" + path + " HTTP/1.1\r\nHost: " + server.authority() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (occurrences(seen.toString(StandardCharsets.UTF_8), "message.appended") < count) {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new AssertionError("the stream ended before " + count + " message.appended: " + seen);
                }
                seen.write(buffer, 0, n);
            }
            assertTrue(seen.toString(StandardCharsets.UTF_8).startsWith("HTTP/1.1 200"), seen::toString);
        } // closing the socket here drops the connection in the middle of the turn
    }

    private static int occurrences(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            count++;
        }
        return count;
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aReaderThatDisconnectsMidTurnDoesNotChangeTheSession() {
        List<String> types = Shapes.types(events);
        assertTrue(types.contains("turn.completed") && !types.contains("turn.cancelled"),
                () -> "the turn runs to completion despite the disconnect: " + types);
        List<JsonObject> deltas = Turns.ofType(events, "message.appended");
        assertEquals(40, deltas.size(), () -> "all 40 slow deltas: " + types);
        for (int i = 0; i < deltas.size(); i++) {
            assertEquals(String.format("w%02d ", i + 1), Turns.data(deltas.get(i), "messageDelta"), "delta " + i);
        }
        assertEquals(Turns.concat(events, "message.appended", "messageDelta"),
                Turns.data(Turns.only(events, "message.completed"), "message"));
        assertEquals("session.waiting", types.get(types.size() - 1));

        // a new reader sees the finished turn, and the session takes the next message
        try (NdjsonStream fresh = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(fresh, sessionId, null);
            fresh.readUntilType("session.waiting", EveClient.SHORT);
            assertEquals(events, fresh.events(), "a new reader replays the same turn");
        }
        String deliveryId = client.followUp(sessionId, "still here?");
        List<JsonObject> next = client.readTurn(sessionId, events.size());
        Shapes.assertAllCarry("turn after the disconnect", next, deliveryId);
        Turns.assertEchoTurn(server, next, "still here?");
    }

    @Test
    void concurrentReadersSeeIdenticalBytes() {
        assertEquals(readerA.size(), readerB.size(), "both readers got the same number of events");
        for (int i = 0; i < readerA.size(); i++) {
            assertArrayEquals(readerA.get(i), readerB.get(i), "event line " + i + " differs between readers A and B");
        }
        assertEquals(readerA.size(), joinedMidTurn.size(), "a reader joining mid-turn replays then follows");
        for (int i = 0; i < readerA.size(); i++) {
            assertArrayEquals(readerA.get(i), joinedMidTurn.get(i), "event line " + i + " differs for the late reader");
        }
        List<String> journal = client.journalLines(sessionId).subList(0, readerA.size());
        for (int i = 0; i < readerA.size(); i++) {
            assertEquals(new String(readerA.get(i), StandardCharsets.UTF_8), journal.get(i), "replayed line " + i);
        }
        Shapes.assertValidEnvelopes("slow turn", events);
    }
}
