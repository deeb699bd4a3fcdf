package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §8.2 tool events of a tool call that needs no approval; golden {@code 03-tool-call}. */
@Timeout(60)
class ToolCallContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("03-tool-call");
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
    void lookupCallRunsInStepZeroAndTheAnswerFollowsInStepOne() {
        Subst subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst); // "tool: weather in Paris"
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> turn0;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            turn0 = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        Shapes.assertSameShapes("03 turn_0", golden.exchange(2).streamEvents(), turn0, sessionId);
        Turns.assertSessionStarted(server, turn0.get(0));
        Shapes.assertAllCarry("03 turn_0", turn0, Shapes.deliveryIds(turn0.get(0)).get(0));

        String text = "tool: weather in Paris";
        String callId = Hitl.callId(text, 0);
        assertTrue(Hitl.CALL_ID.matcher(callId).matches(), callId);
        // the raw tool-input deltas add up to the input JSON, under the call's id
        List<JsonObject> deltas = Turns.ofType(turn0, "action.input.appended");
        deltas.forEach(d -> {
            assertEquals(callId, Turns.data(d, "callId"), "action.input.appended.callId");
            assertEquals("lookup", Turns.data(d, "toolName"), "action.input.appended.toolName");
        });
        assertEquals("{\"query\":\"weather in Paris\"}", Turns.concat(turn0, "action.input.appended", "inputTextDelta"),
                "the input deltas add up to the call's input JSON");
        JsonObject requested = Turns.only(turn0, "actions.requested");
        assertEquals(Json.parseStrict("[{\"callId\":\"" + callId + "\",\"input\":{\"query\":\"weather in Paris\"},"
                        + "\"kind\":\"tool-call\",\"toolName\":\"lookup\"}]"),
                requested.getAsJsonObject("data").get("actions"), "actions.requested.data.actions (golden 03 #2)");
        JsonObject result = Turns.only(turn0, "action.result");
        assertEquals("completed", Turns.data(result, "status"));
        assertEquals(Json.object("{\"callId\":\"" + callId + "\",\"kind\":\"tool-result\","
                        + "\"output\":{\"query\":\"weather in Paris\",\"hits\":16},\"toolName\":\"lookup\"}"),
                result.getAsJsonObject("data").get("result"), "action.result.data.result (golden 03 #2)");
        // the texts of the golden mock are stable (README): the final answer is the golden's
        JsonObject goldenCompleted = Turns.only(golden.exchange(2).streamEvents(), "message.completed");
        assertEquals(Turns.data(goldenCompleted, "message"), Turns.data(Turns.only(turn0, "message.completed"), "message"),
                "message.completed.data.message (golden 03)");
        assertEquals(Turns.data(goldenCompleted, "message"), Turns.concat(turn0, "message.appended", "messageDelta"),
                "message deltas add up to message.completed");
        assertEquals("Summarising tool results.", Turns.data(Turns.only(turn0, "reasoning.completed"), "reasoning"));

        List<JsonObject> journal = client.journal(sessionId);
        assertEquals(turn0, journal, "the journal is the turn as it was streamed");
        Shapes.assertSameShapes("03 events.ndjson", golden.events(), journal, sessionId);
        Shapes.assertValidEnvelopes("03 journal", journal);
    }

    @Test
    void aFollowUpAfterAToolTurnIsAnOrdinaryTurn() {
        String sessionId = client.createSession("tool: weather in Paris");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        String deliveryId = client.followUp(sessionId, "and now?");
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        // golden 02 turn_1: a follow-up turn, here after a tool turn (usage keeps counting: 2 steps + 1)
        List<JsonObject> expected = Hitl.withUsage(Golden.scenario("02-follow-up").exchange(4).streamEvents(),
                "session.waiting", 30, 15);
        Shapes.assertSameShapes("follow-up after 03", expected, turn1, sessionId);
        Shapes.assertAllCarry("follow-up after 03", turn1, deliveryId);
        Turns.assertEchoTurn(server, turn1, "and now?");
    }
}
