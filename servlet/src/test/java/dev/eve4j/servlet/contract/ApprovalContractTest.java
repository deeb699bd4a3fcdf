package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * §10 tool approvals: golden {@code 04-approval-approve} and {@code 05-approval-deny}, plus what they imply for a
 * duplicate answer and for a cancel while the turn is parked on the approval.
 */
@Timeout(60)
class ApprovalContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden04;
    private static Golden.Scenario golden05;

    @BeforeAll
    static void start() {
        golden04 = Golden.scenario("04-approval-approve");
        golden05 = Golden.scenario("05-approval-deny");
        server = EveTestServer.start();
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A session whose first turn parked on a deploy approval, checked against exchanges #1 and #2 of the golden. */
    private record Parked(String sessionId, String delivery, List<JsonObject> events, String requestId) {}

    private static Parked park(Golden.Scenario golden, Subst subst, String target) {
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst); // "approve: <target>"
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> parked;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            parked = Hitl.readUntilWaitingForInput(stream, EveClient.TURN);
        }
        String what = golden.name() + " turn_0 until turn.waiting";
        Shapes.assertSameShapes(what, golden.exchange(2).streamEvents(), parked, sessionId);
        String delivery = Shapes.deliveryIds(parked.get(0)).get(0);
        Shapes.assertAllCarry(what, parked, delivery);
        // no session.waiting while parked (§8.3): the last event is turn.waiting{on:"input"}
        assertTrue(Hitl.isWaitingOn(parked.get(parked.size() - 1), "input"));
        assertEquals(0, Turns.ofType(parked, "session.waiting").size(), () -> Shapes.types(parked).toString());

        JsonObject request = Hitl.requests(parked).get(0);
        String requestId = Hitl.requestId(request);
        assertTrue(Hitl.APPROVAL_REQUEST_ID.matcher(requestId).matches(), () -> "approval requestId " + requestId);
        JsonObject action = Turns.only(parked, "actions.requested").getAsJsonObject("data").getAsJsonArray("actions")
                .get(0).getAsJsonObject();
        assertEquals(action, request.get("action"), "the request names the requested call");
        assertEquals(target, action.getAsJsonObject("input").get("target").getAsString());
        assertEquals("deploy", Json.string(action, "toolName"));
        // everything but the random ids is the golden's: options, prompt, display, allowFreeform, kind
        JsonObject goldenRequest = Hitl.requests(golden.exchange(2).streamEvents()).get(0).deepCopy();
        goldenRequest.remove("requestId");
        goldenRequest.remove("action");
        JsonObject ours = request.deepCopy();
        ours.remove("requestId");
        ours.remove("action");
        assertEquals(goldenRequest, ours, "input.requested request (golden " + golden.name() + " #2)");
        // the golden's request id maps to ours for replaying the golden answer
        subst.put(Hitl.requestId(Hitl.requests(golden.exchange(2).streamEvents()).get(0)), requestId);
        return new Parked(sessionId, delivery, parked, requestId);
    }

    /** Replays the golden answer (#3): 202 with a delivery id, body and headers as recorded. */
    private static String replayAnswer(Golden.Scenario golden, Subst subst, String sessionId) {
        EveClient.Response answered = Replay.send(client, golden.exchange(3), subst);
        String deliveryId = Turns.assertAccepted(answered, sessionId, true);
        Replay.assertMatches(golden.exchange(3), answered, subst);
        return deliveryId;
    }

    @Test
    void approveResumesTheSameTurnWithStepOneAndKeepsTheOriginalDeliveryId() {
        Subst subst = Subst.forServer(server);
        Parked p = park(golden04, subst, "production");
        String answerDelivery = replayAnswer(golden04, subst, p.sessionId());
        List<JsonObject> resumed = client.readTurn(p.sessionId(), p.events().size()); // #4: from the cursor
        Shapes.assertSameShapes("04 resumed turn_0", golden04.exchange(4).streamEvents(), resumed, p.sessionId());
        // §8.3 / README: events after an inputResponses answer keep the original delivery id, not the answer's
        Shapes.assertAllCarry("04 resumed turn_0 (original delivery)", resumed, p.delivery());
        assertTrue(!answerDelivery.equals(p.delivery()));

        JsonObject settled = Turns.only(resumed, "approval.settled");
        assertEquals(p.requestId(), Turns.data(settled, "requestId"));
        assertEquals("anonymous", Turns.data(settled, "responderPrincipalId"), "golden 04: responderPrincipalId");
        JsonObject resolution = Turns.only(resumed, "input.resolved").getAsJsonObject("data")
                .getAsJsonArray("resolutions").get(0).getAsJsonObject();
        assertEquals(p.requestId(), Json.string(resolution, "requestId"));
        assertEquals(Json.object("{\"optionId\":\"approve\",\"requestId\":\"" + p.requestId() + "\"}"),
                resolution.get("response"), "input.resolved echoes the answer (golden 04)");
        JsonObject result = Turns.only(resumed, "action.result").getAsJsonObject("data");
        assertEquals(Json.object("{\"callId\":\"" + Hitl.callId("approve: production", 0) + "\",\"kind\":\"tool-result\","
                + "\"output\":{\"deployed\":\"production\"},\"toolName\":\"deploy\"}"), result.get("result"));
        assertEquals(Turns.data(Turns.only(golden04.exchange(4).streamEvents(), "message.completed"), "message"),
                Turns.data(Turns.only(resumed, "message.completed"), "message"), "final text (golden 04)");

        List<JsonObject> journal = client.journal(p.sessionId());
        assertEquals(Hitl.concat(p.events(), resumed), journal, "the journal is the parked and the resumed part");
        Shapes.assertSameShapes("04 events.ndjson", golden04.events(), journal, p.sessionId());
        Shapes.assertValidEnvelopes("04 journal", journal);
    }

    @Test
    void denyWithANoteRejectsTheCallBeforeStepOne() {
        Subst subst = Subst.forServer(server);
        Parked p = park(golden05, subst, "staging");
        replayAnswer(golden05, subst, p.sessionId()); // cancel + "Not today."
        List<JsonObject> resumed = client.readTurn(p.sessionId(), p.events().size());
        Shapes.assertSameShapes("05 resumed turn_0", golden05.exchange(4).streamEvents(), resumed, p.sessionId());
        Shapes.assertAllCarry("05 resumed turn_0 (original delivery)", resumed, p.delivery());

        JsonObject resolution = Turns.only(resumed, "input.resolved").getAsJsonObject("data")
                .getAsJsonArray("resolutions").get(0).getAsJsonObject();
        assertEquals(Json.object("{\"optionId\":\"cancel\",\"requestId\":\"" + p.requestId() + "\",\"text\":\"Not today.\"}"),
                resolution.get("response"), "input.resolved echoes the denial and its note (golden 05)");
        // the rejected result is exactly the golden's, request and call ids aside
        JsonObject goldenResult = Turns.only(golden05.exchange(4).streamEvents(), "action.result").getAsJsonObject("data");
        JsonObject ourResult = Turns.only(resumed, "action.result").getAsJsonObject("data");
        String goldenJson = goldenResult.toString()
                .replace(Hitl.requestId(Hitl.requests(golden05.exchange(2).streamEvents()).get(0)), p.requestId())
                .replace(Json.string(goldenResult.getAsJsonObject("result"), "callId"), Hitl.callId("approve: staging", 0));
        assertEquals(Json.object(goldenJson), ourResult, "action.result{status:rejected} (golden 05 #4)");
        assertEquals(Turns.data(Turns.only(golden05.exchange(4).streamEvents(), "message.completed"), "message"),
                Turns.data(Turns.only(resumed, "message.completed"), "message"), "final text (golden 05)");

        List<JsonObject> journal = client.journal(p.sessionId());
        assertEquals(Hitl.concat(p.events(), resumed), journal);
        Shapes.assertSameShapes("05 events.ndjson", golden05.events(), journal, p.sessionId());
    }

    @Test
    void aDuplicateAnswerAfterTheTurnResumedIsAcceptedAndChangesNothing() {
        Subst subst = Subst.forServer(server);
        Parked p = park(golden04, subst, "production");
        String answer = Hitl.inputResponses(Hitl.answer(p.requestId(), "approve", null));
        List<JsonObject> resumed;
        try (NdjsonStream stream = client.streamSession(p.sessionId(), EveClient.turnQuery(p.events().size()))) {
            Turns.assertStreamResponse(stream, p.sessionId(), null);
            Hitl.respond(client, p.sessionId(), answer);
            resumed = stream.readUntilType("approval.settled", EveClient.TURN);
            // the turn has resumed: the same answer again, while it runs
            Hitl.respond(client, p.sessionId(), answer);
            resumed.addAll(stream.readUntilType("session.waiting", EveClient.TURN));
        }
        Shapes.assertSameShapes("resumed turn with a duplicate answer", golden04.exchange(4).streamEvents(), resumed,
                p.sessionId());
        int before = p.events().size() + resumed.size();
        assertEquals(before - 1, Hitl.tailIndex(client, p.sessionId()));

        // and once more after the turn has ended; then a follow-up as a barrier: only its own turn is added
        Hitl.respond(client, p.sessionId(), answer);
        assertEquals(before - 1, Hitl.tailIndex(client, p.sessionId()), "a duplicate answer appends nothing");
        String followUp = client.followUp(p.sessionId(), "after the duplicates");
        List<JsonObject> turn1 = client.readTurn(p.sessionId(), before);
        assertEquals("turn_1", Turns.data(turn1.get(0), "turnId"), "no turn was started by a duplicate answer");
        Shapes.assertAllCarry("follow-up after duplicates", turn1, followUp);
        Turns.assertEchoTurn(server, turn1, "after the duplicates");
        assertEquals(before + turn1.size() - 1, Hitl.tailIndex(client, p.sessionId()),
                "the journal holds the approval turn and the follow-up, nothing else");
        List<JsonObject> journal = client.journal(p.sessionId());
        assertEquals(1, Turns.ofType(journal, "approval.settled").size());
        assertEquals(1, Turns.ofType(journal, "input.resolved").size());
        assertEquals(1, Turns.ofType(journal, "action.result").size());
        assertEquals(2, Turns.ofType(journal, "turn.started").size());
    }

    @Test
    void cancelWhileParkedOnAnApprovalCancelsTheTurnAndALateAnswerChangesNothing() {
        Subst subst = Subst.forServer(server);
        Parked p = park(golden04, subst, "production");
        List<JsonObject> cancelled;
        try (NdjsonStream stream = client.streamSession(p.sessionId(), EveClient.turnQuery(p.events().size()))) {
            Turns.assertStreamResponse(stream, p.sessionId(), null);
            // golden 08 #3: {"turnId":"turn_0"} -> 202 {"ok":true,"sessionId":…,"status":"accepted"}
            Replay.assertReplays(client, Golden.scenario("08-cancel-mid-turn").exchange(3),
                    Subst.forServer(server).put(goldenSessionId("08-cancel-mid-turn"), p.sessionId()));
            cancelled = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        // golden 08: turn.cancelled + session.waiting; usage is the running total (one step ran, golden 04 #2)
        List<JsonObject> g08 = Golden.scenario("08-cancel-mid-turn").exchange(2).streamEvents();
        List<JsonObject> expected = Hitl.withUsage(g08.subList(g08.size() - 2, g08.size()), "session.waiting", 10, 5);
        Shapes.assertSameShapes("cancel while parked", expected, cancelled, p.sessionId());
        Shapes.assertAllCarry("cancel while parked", cancelled, p.delivery());
        int size = p.events().size() + cancelled.size();

        // the answer to the cancelled request: accepted, nothing happens (barrier: a follow-up's turn)
        Hitl.respond(client, p.sessionId(), Hitl.inputResponses(Hitl.answer(p.requestId(), "approve", null)));
        String followUp = client.followUp(p.sessionId(), "after cancel");
        List<JsonObject> turn1 = client.readTurn(p.sessionId(), size);
        assertEquals("turn_1", Turns.data(turn1.get(0), "turnId"));
        // golden 08 #7 (the turn after a cancel); usage: two steps so far
        Shapes.assertSameShapes("follow-up after the cancelled approval",
                Hitl.withUsage(Golden.scenario("08-cancel-mid-turn").exchange(7).streamEvents(), "session.waiting", 20, 10),
                turn1, p.sessionId());
        Shapes.assertAllCarry("follow-up after the cancelled approval", turn1, followUp);
        Turns.assertEchoTurn(server, turn1, "after cancel");
        List<JsonObject> journal = client.journal(p.sessionId());
        assertEquals(size + turn1.size(), journal.size(), "the late answer appended nothing");
        assertEquals(0, Turns.ofType(journal, "approval.settled").size());
        assertEquals(0, Turns.ofType(journal, "action.result").size(), "the deploy never ran");
    }

    private static String goldenSessionId(String scenario) {
        return Json.string(Json.object(Golden.scenario(scenario).exchange(1).body()), "sessionId");
    }
}
