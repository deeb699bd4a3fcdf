package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §6 follow-up messages and §9.2 delivery correlation; golden {@code 02-follow-up}. */
@Timeout(60)
class FollowUpContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("02-follow-up");
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
    void followUpsReturnDeliveryIdsThatEveryEventOfTheirTurnCarries() {
        Subst subst = Subst.forServer(server);
        // #1 create, #2 read turn_0
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        Shapes.assertSameShapes("02 turn_0", golden.exchange(2).streamEvents(), turn0, sessionId);
        String delivery0 = Shapes.deliveryIds(turn0.get(0)).get(0);
        Shapes.assertAllCarry("02 turn_0", turn0, delivery0);

        // #3 follow-up (default turnPolicy): 202 with deliveryId; #4 read turn_1 from the cursor
        EveClient.Response second = Replay.send(client, golden.exchange(3), subst);
        String delivery1 = Turns.assertAccepted(second, sessionId, true);
        Replay.assertMatches(golden.exchange(3), second, subst);
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        Shapes.assertSameShapes("02 turn_1", golden.exchange(4).streamEvents(), turn1, sessionId);
        Shapes.assertAllCarry("02 turn_1 (follow-up delivery)", turn1, delivery1);
        Turns.assertEchoTurn(server, turn1, "second message");
        assertNotEquals(delivery0, delivery1, "each delivery has its own id");

        // #5 follow-up with a clientContext object; the reader is already following at the cursor (live tail)
        int cursor = turn0.size() + turn1.size();
        List<JsonObject> turn2;
        String delivery2;
        try (NdjsonStream stream = client.streamSession(sessionId, EveClient.turnQuery(cursor))) {
            Turns.assertStreamResponse(stream, sessionId, null);
            EveClient.Response third = Replay.send(client, golden.exchange(5), subst);
            delivery2 = Turns.assertAccepted(third, sessionId, true);
            Replay.assertMatches(golden.exchange(5), third, subst);
            turn2 = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        Shapes.assertSameShapes("02 turn_2", golden.exchange(6).streamEvents(), turn2, sessionId);
        Shapes.assertAllCarry("02 turn_2 (follow-up delivery)", turn2, delivery2);
        Turns.assertEchoTurn(server, turn2, "third message");

        List<JsonObject> journal = client.journal(sessionId);
        Shapes.assertSameShapes("02 events.ndjson", golden.events(), journal, sessionId);
        List<JsonObject> all = new ArrayList<>(turn0);
        all.addAll(turn1);
        all.addAll(turn2);
        assertEquals(all, journal, "the journal is exactly the three turns as they were streamed");
    }

    @Test
    void sessionWaitingUsageIsTheRunningTotal() {
        String sessionId = client.createSession("first message");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        client.followUp(sessionId, "second message");
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        JsonObject usage0 = Turns.only(turn0, "session.waiting").getAsJsonObject("data").getAsJsonObject("usage");
        JsonObject usage1 = Turns.only(turn1, "session.waiting").getAsJsonObject("data").getAsJsonObject("usage");
        assertEquals(10, usage0.get("inputTokens").getAsInt(), "golden 02: 10 after one step");
        assertEquals(20, usage1.get("inputTokens").getAsInt(), "golden 02: 20 after two steps (cumulative)");
        assertEquals(10, usage1.get("outputTokens").getAsInt(), "golden 02: 10 after two steps (cumulative)");
    }
}
