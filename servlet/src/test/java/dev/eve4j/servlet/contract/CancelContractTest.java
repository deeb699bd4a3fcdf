package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §13 /cancel; golden {@code 08-cancel-mid-turn}. */
@Timeout(60)
class CancelContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("08-cancel-mid-turn");
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
    void cancelMidTurnEmitsTurnCancelledAndSessionWaitingAndIdleCancelsAcceptWithoutEvents() {
        Subst subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(created.json(), "sessionId");

        List<JsonObject> turn0 = new ArrayList<>();
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            // like the golden: the cancel is posted after the 5th message.appended
            turn0.addAll(stream.readUntilNth("message.appended", 5, EveClient.SLOW_TURN));
            Replay.assertReplays(client, golden.exchange(3), subst); // {"turnId":"turn_0"} -> 202 accepted
            turn0.addAll(stream.readUntilType("session.waiting", EveClient.TURN));
        }
        List<String> types = Shapes.types(turn0);
        assertEquals(List.of("turn.cancelled", "session.waiting"), types.subList(types.size() - 2, types.size()),
                () -> "a cancelled turn ends with turn.cancelled + session.waiting: " + types);
        assertEquals(0, Turns.ofType(turn0, "message.completed").size(), () -> "no message.completed: " + types);
        assertTrue(Turns.ofType(turn0, "message.appended").size() < 40, () -> "the turn was not cut short: " + types);
        Shapes.assertSameShapes("08 turn_0", golden.exchange(2).streamEvents(), turn0, sessionId);
        Shapes.assertAllCarry("08 turn_0", turn0, Shapes.deliveryIds(turn0.get(0)).get(0));

        // idle: cancel {} and an unknown turnId still answer 202 accepted and emit nothing
        Replay.assertReplays(client, golden.exchange(4), subst);
        Replay.assertReplays(client, golden.exchange(5), subst);
        assertEquals(turn0.size(), client.journalLines(sessionId).size(), "idle cancels must not append events");

        EveClient.Response next = Replay.send(client, golden.exchange(6), subst);
        String deliveryId = Turns.assertAccepted(next, sessionId, true);
        Replay.assertMatches(golden.exchange(6), next, subst);
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        Shapes.assertSameShapes("08 turn_1", golden.exchange(7).streamEvents(), turn1, sessionId);
        Shapes.assertAllCarry("08 turn_1", turn1, deliveryId);
        Turns.assertEchoTurn(server, turn1, "after cancel");
        Shapes.assertSameShapes("08 events.ndjson", golden.events(), client.journal(sessionId), sessionId);
    }
}
