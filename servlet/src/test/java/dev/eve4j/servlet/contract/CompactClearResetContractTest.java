package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §13 /compact, /clear, /reset; golden {@code 09-compact-clear-reset}. */
@Timeout(60)
class CompactClearResetContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("09-compact-clear-reset");
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
    void compactThenClearThenNextTurnMatchGolden09() {
        Subst subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        Shapes.assertSameShapes("09 turn_0", golden.exchange(2).streamEvents(), turn0, sessionId);
        EveClient.Response second = Replay.send(client, golden.exchange(3), subst);
        String delivery1 = Turns.assertAccepted(second, sessionId, true);
        int cursor = turn0.size();
        List<JsonObject> turn1 = client.readTurn(sessionId, cursor);
        Shapes.assertSameShapes("09 turn_1", golden.exchange(4).streamEvents(), turn1, sessionId);
        cursor += turn1.size();

        Replay.assertReplays(client, golden.exchange(5), subst); // compact, no body -> 202 accepted
        List<JsonObject> compaction = client.readTurn(sessionId, cursor);
        Shapes.assertSameShapes("09 compaction", golden.exchange(6).streamEvents(), compaction, sessionId);
        Shapes.assertAllCarry("09 compaction (reuses the previous delivery, golden 09 #6)", compaction, delivery1);
        cursor += compaction.size();

        Replay.assertReplays(client, golden.exchange(7), subst); // clear, no body -> 202 accepted
        List<JsonObject> cleared = client.readTurn(sessionId, cursor);
        Shapes.assertSameShapes("09 clear", golden.exchange(8).streamEvents(), cleared, sessionId);
        Shapes.assertAllCarry("09 clear (reuses the previous delivery, golden 09 #8)", cleared, delivery1);
        cursor += cleared.size();

        EveClient.Response afterClear = Replay.send(client, golden.exchange(9), subst);
        String delivery2 = Turns.assertAccepted(afterClear, sessionId, true);
        List<JsonObject> turn2 = client.readTurn(sessionId, cursor);
        Shapes.assertSameShapes("09 turn after clear", golden.exchange(10).streamEvents(), turn2, sessionId);
        Shapes.assertAllCarry("09 turn after clear", turn2, delivery2);
        Turns.assertEchoTurn(server, turn2, "after clear");

        List<JsonObject> journal = client.journal(sessionId);
        Shapes.assertSameShapes("09 events.ndjson", golden.events(), journal, sessionId);
        assertEquals(cursor + turn2.size(), journal.size(), "the journal holds exactly what was streamed");
    }

    @Test
    void afterResetTheStreamIsGoneAndEveryRouteAnswersItsNothingToDoForm() {
        Subst subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(created.json(), "sessionId");
        client.readTurn(sessionId, 0);

        Replay.assertReplays(client, golden.exchange(11), subst); // reset {"reason"} -> 200 reset, previousSessionId
        Replay.assertReplays(client, golden.exchange(12), subst); // stream follow=false -> 410 session_expired
        Replay.assertReplays(client, golden.exchange(13), subst); // turn stream -> 410 session_expired
        Replay.assertReplays(client, golden.exchange(14), subst); // follow-up -> 409 session_not_active
        Replay.assertReplays(client, golden.exchange(15), subst); // compact -> 200 no_active_session
        Replay.assertReplays(client, golden.exchange(16), subst); // clear -> 200 no_active_session
        Replay.assertReplays(client, golden.exchange(17), subst); // cancel {} -> 200 no_active_turn
        Replay.assertReplays(client, golden.exchange(18), subst); // reset {} again -> 200 no_active_session
    }
}
