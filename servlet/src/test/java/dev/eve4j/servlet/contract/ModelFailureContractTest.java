package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A model call that throws: step.failed + turn.failed{terminal:false} + session.waiting; golden {@code 07-model-failure}. */
@Timeout(60)
class ModelFailureContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("07-model-failure");
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
    void failedModelCallEndsTheTurnNonTerminallyAndTheSessionGoesOn() {
        Subst subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        Shapes.assertSameShapes("07 turn_0", golden.exchange(2).streamEvents(), turn0, sessionId);

        JsonObject stepFailed = Turns.only(turn0, "step.failed").getAsJsonObject("data");
        JsonObject turnFailed = Turns.only(turn0, "turn.failed").getAsJsonObject("data");
        assertEquals("MODEL_CALL_FAILED", Json.string(stepFailed, "code"));
        assertEquals("mock model failure: provider down", Json.string(stepFailed, "message"),
                "step.failed.data.message (the scripted model's exception text)");
        assertEquals(Json.string(stepFailed, "message"), Json.string(turnFailed, "message"));
        assertFalse(turnFailed.get("terminal").getAsBoolean(), "turn.failed.terminal");
        assertEquals(0, Turns.ofType(turn0, "message.completed").size(), "no answer text on a failed call");

        EveClient.Response followUp = Replay.send(client, golden.exchange(3), subst);
        String deliveryId = Turns.assertAccepted(followUp, sessionId, true);
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        Shapes.assertSameShapes("07 turn_1", golden.exchange(4).streamEvents(), turn1, sessionId);
        Shapes.assertAllCarry("07 turn_1", turn1, deliveryId);
        Turns.assertEchoTurn(server, turn1, "are you still there?");
        Shapes.assertSameShapes("07 events.ndjson", golden.events(), client.journal(sessionId), sessionId);
    }
}
