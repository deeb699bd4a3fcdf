package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §5.1 prewarm (create without a body); golden {@code 11-prewarm}. */
@Timeout(60)
class PrewarmContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("11-prewarm");
        server = EveTestServer.start();
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void firstMessageToAPrewarmedSessionStartsTurn0WithSessionStartedCarryingItsDelivery() throws InterruptedException {
        Subst subst = Subst.forServer(server);
        EveClient.Response prewarm = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(prewarm.json(), "sessionId");

        // The golden client got one 409 session_not_ready and retried after 250 ms (timing-dependent, §6.2);
        // we retry the same way: that is the client's documented backoff, not synchronisation.
        EveClient.Response message = Replay.send(client, golden.exchange(3), subst);
        long deadline = System.nanoTime() + EveClient.SHORT.toNanos() * 4;
        long backoff = 250;
        while (message.status() == 409 && System.nanoTime() < deadline) {
            Replay.assertMatches(golden.exchange(2), message, subst); // only session_not_ready may be retried
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, 2000);
            message = Replay.send(client, golden.exchange(3), subst);
        }
        String deliveryId = Turns.assertAccepted(message, sessionId, true);
        Replay.assertMatches(golden.exchange(3), message, subst);

        List<JsonObject> events;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            events = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        Shapes.assertSameShapes("11 A turn_0", golden.exchange(4).streamEvents(), events, sessionId);
        Turns.assertSessionStarted(server, events.get(0));
        Shapes.assertAllCarry("11 A turn_0 (the follow-up's delivery, session.started included)", events, deliveryId);
        Turns.assertEchoTurn(server, events, "hello after prewarm");
        Shapes.assertSameShapes("11 events.ndjson", golden.events(), client.journal(sessionId), sessionId);
    }

    @Test
    void parkedSessionHasAnEmptyStreamAndControlsAcceptButAddNothing() {
        Subst subst = Subst.forServer(server);
        EveClient.Response prewarm = Replay.assertReplays(client, golden.exchange(5), subst);
        String sessionId = Json.string(prewarm.json(), "sessionId");
        assertEmptyBoundedStream(sessionId);
        Replay.assertReplays(client, golden.exchange(7), subst); // cancel {}
        Replay.assertReplays(client, golden.exchange(8), subst); // compact
        Replay.assertReplays(client, golden.exchange(9), subst); // clear
        assertEmptyBoundedStream(sessionId);
    }

    private static void assertEmptyBoundedStream(String sessionId) {
        try (NdjsonStream stream = client.streamSession(sessionId, "follow=false")) {
            Turns.assertStreamResponse(stream, sessionId, -1);
            assertTrue(stream.awaitEnd(EveClient.SHORT), () -> "follow=false must end: " + stream.describe());
            assertEquals(List.of(), stream.eventLines(), "a parked session has no events (golden 11 #6/#10)");
        }
    }
}
