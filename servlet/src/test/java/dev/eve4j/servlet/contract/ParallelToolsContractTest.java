package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two tool calls in one step: golden {@code 14-parallel-tools} (two {@code lookup}s), and what goldens 04/05/14
 * imply for two calls that both need approval ({@code approveboth:}, our script's rule): answered in one
 * {@code inputResponses} post, in two posts, and with one approval and one denial.
 */
@Timeout(60)
class ParallelToolsContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden14;
    private static Golden.Scenario golden04;
    private static Golden.Scenario golden05;

    @BeforeAll
    static void start() {
        golden14 = Golden.scenario("14-parallel-tools");
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

    @Test
    void twoLookupsInOneStepGiveOneActionsRequestedPerCallAndResultsInCallOrder() {
        Subst subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden14.exchange(1), subst); // "parallel: capitals"
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> turn0;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            turn0 = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        Shapes.assertSameShapes("14 turn_0", golden14.exchange(2).streamEvents(), turn0, sessionId);
        Shapes.assertAllCarry("14 turn_0", turn0, Shapes.deliveryIds(turn0.get(0)).get(0));

        String text = "parallel: capitals";
        List<String> callIds = List.of(Hitl.callId(text, 0), Hitl.callId(text, 1));
        // §20.4: one actions.requested per call, each with exactly one action, in call order
        List<JsonObject> requested = Turns.ofType(turn0, "actions.requested");
        assertEquals(2, requested.size(), () -> Shapes.types(turn0).toString());
        for (int i = 0; i < 2; i++) {
            JsonArray actions = requested.get(i).getAsJsonObject("data").getAsJsonArray("actions");
            assertEquals(1, actions.size(), "one action per actions.requested (golden 14)");
            JsonObject action = actions.get(0).getAsJsonObject();
            assertEquals(callIds.get(i), Json.string(action, "callId"));
            assertEquals("capitals #" + (i + 1), action.getAsJsonObject("input").get("query").getAsString());
        }
        // the input deltas of call 0 come before those of call 1, each adding up to its input
        List<JsonObject> deltas = Turns.ofType(turn0, "action.input.appended");
        for (int i = 0; i < 2; i++) {
            String id = callIds.get(i);
            StringBuilder input = new StringBuilder();
            deltas.stream().filter(d -> id.equals(Turns.data(d, "callId"))).forEach(d -> input.append(Turns.data(d, "inputTextDelta")));
            assertEquals("{\"query\":\"capitals #" + (i + 1) + "\"}", input.toString(), "input deltas of " + id);
        }
        assertEquals(callIds.get(0), Turns.data(deltas.get(0), "callId"), "call 0's deltas come first");
        assertEquals(callIds.get(1), Turns.data(deltas.get(deltas.size() - 1), "callId"), "call 1's deltas come last");
        List<JsonObject> results = Turns.ofType(turn0, "action.result");
        assertEquals(2, results.size());
        for (int i = 0; i < 2; i++) {
            JsonObject result = results.get(i).getAsJsonObject("data").getAsJsonObject("result");
            assertEquals(callIds.get(i), Json.string(result, "callId"), "action.result in call order");
            assertEquals(Json.object("{\"query\":\"capitals #" + (i + 1) + "\",\"hits\":11}"), result.get("output"));
        }
        JsonObject goldenCompleted = Turns.only(golden14.exchange(2).streamEvents(), "message.completed");
        assertEquals(Turns.data(goldenCompleted, "message"), Turns.data(Turns.only(turn0, "message.completed"), "message"),
                "message.completed.data.message (golden 14)");

        List<JsonObject> journal = client.journal(sessionId);
        assertEquals(turn0, journal);
        Shapes.assertSameShapes("14 events.ndjson", golden14.events(), journal, sessionId);
    }

    /** The approval turn of two deploy calls up to {@code turn.waiting{on:"input"}}, checked against golden 04 #2. */
    private static Parked parkTwoApprovals(String target) {
        String text = "approveboth: " + target;
        String sessionId = client.createSession(text);
        List<JsonObject> parked;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            parked = Hitl.readUntilWaitingForInput(stream, EveClient.TURN);
        }
        // golden 04 #2 with the call's events once per call (§20.4) and both requests in the input request
        List<JsonObject> expected = Hitl.widen(Hitl.repeat(Hitl.repeat(golden04.exchange(2).streamEvents(),
                "action.input.appended", 2), "actions.requested", 2), "input.requested", "requests", 2);
        Shapes.assertSameShapes("approveboth turn_0 until turn.waiting", expected, parked, sessionId);
        String delivery = Shapes.deliveryIds(parked.get(0)).get(0);
        Shapes.assertAllCarry("approveboth turn_0", parked, delivery);

        List<JsonObject> requests = Hitl.requests(parked);
        assertEquals(2, requests.size(), "one approval request per deploy call");
        List<JsonObject> requested = Turns.ofType(parked, "actions.requested");
        for (int i = 0; i < 2; i++) {
            JsonObject request = requests.get(i);
            assertTrue(Hitl.APPROVAL_REQUEST_ID.matcher(Hitl.requestId(request)).matches(), request::toString);
            assertEquals(requested.get(i).getAsJsonObject("data").getAsJsonArray("actions").get(0), request.get("action"),
                    "request " + i + " names call " + i);
            assertEquals(Hitl.callId(text, i), Json.string(request.getAsJsonObject("action"), "callId"));
            assertEquals(target + " #" + (i + 1),
                    request.getAsJsonObject("action").getAsJsonObject("input").get("target").getAsString());
        }
        assertTrue(!Hitl.requestId(requests.get(0)).equals(Hitl.requestId(requests.get(1))), "distinct request ids");
        return new Parked(sessionId, delivery, parked.size(), Hitl.requestId(requests.get(0)),
                Hitl.requestId(requests.get(1)), text);
    }

    private record Parked(String sessionId, String delivery, int cursor, String request0, String request1, String text) {}

    @Test
    void twoApprovalsAnsweredInOnePostSettleBothThenRunBothInStepOneInCallOrder() {
        Parked p = parkTwoApprovals("prod");
        List<JsonObject> resumed;
        try (NdjsonStream stream = client.streamSession(p.sessionId(), EveClient.turnQuery(p.cursor()))) {
            Turns.assertStreamResponse(stream, p.sessionId(), null);
            Hitl.respond(client, p.sessionId(), Hitl.inputResponses(Hitl.answer(p.request0(), "approve", null),
                    Hitl.answer(p.request1(), "approve", null)));
            resumed = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        // golden 04 #4 with two approval.settled, one input.resolved holding two resolutions and two action.results
        List<JsonObject> expected = Hitl.widen(Hitl.repeat(Hitl.repeat(golden04.exchange(4).streamEvents(),
                "approval.settled", 2), "action.result", 2), "input.resolved", "resolutions", 2);
        Shapes.assertSameShapes("approveboth resumed in one post", expected, resumed, p.sessionId());
        Shapes.assertAllCarry("approveboth resumed (original delivery)", resumed, p.delivery());

        List<JsonObject> settled = Turns.ofType(resumed, "approval.settled");
        assertEquals(p.request0(), Turns.data(settled.get(0), "requestId"));
        assertEquals(p.request1(), Turns.data(settled.get(1), "requestId"));
        JsonArray resolutions = Turns.only(resumed, "input.resolved").getAsJsonObject("data").getAsJsonArray("resolutions");
        for (int i = 0; i < 2; i++) {
            JsonObject r = resolutions.get(i).getAsJsonObject();
            String requestId = i == 0 ? p.request0() : p.request1();
            assertEquals(requestId, Json.string(r, "requestId"), "resolutions in answer order");
            assertEquals(Json.object("{\"optionId\":\"approve\",\"requestId\":\"" + requestId + "\"}"), r.get("response"));
        }
        assertResultsInCallOrder(p, resumed, "completed", "completed");
        assertEquals("Tool results: deploy -> {\"deployed\":\"prod #1\"}; deploy -> {\"deployed\":\"prod #2\"}",
                Turns.data(Turns.only(resumed, "message.completed"), "message"));
    }

    @Test
    void twoApprovalsAnsweredInTwoPostsParkTheTurnAgainAfterTheFirst() {
        Parked p = parkTwoApprovals("stage");
        List<JsonObject> afterFirst;
        List<JsonObject> afterSecond;
        try (NdjsonStream stream = client.streamSession(p.sessionId(), EveClient.turnQuery(p.cursor()))) {
            Turns.assertStreamResponse(stream, p.sessionId(), null);
            Hitl.respond(client, p.sessionId(), Hitl.inputResponses(Hitl.answer(p.request0(), "approve", null)));
            afterFirst = Hitl.readUntilWaitingForInput(stream, EveClient.TURN);
            Hitl.respond(client, p.sessionId(), Hitl.inputResponses(Hitl.answer(p.request1(), "approve", null)));
            afterSecond = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        // after the first answer: approval.settled + input.resolved (golden 04 #4), then turn.waiting{on:input} again
        List<JsonObject> g4 = golden04.exchange(4).streamEvents();
        List<JsonObject> expectedFirst = List.of(Hitl.template(g4, "approval.settled"), Hitl.template(g4, "input.resolved"),
                Hitl.template(golden04.exchange(2).streamEvents(), "turn.waiting"));
        Shapes.assertSameShapes("approveboth first of two answers", expectedFirst, afterFirst, p.sessionId());
        Shapes.assertAllCarry("approveboth first of two answers", afterFirst, p.delivery());
        assertEquals(p.request0(), Turns.data(afterFirst.get(0), "requestId"));
        // after the second: golden 04 #4 with both results in step 1
        Shapes.assertSameShapes("approveboth second of two answers", Hitl.repeat(g4, "action.result", 2), afterSecond,
                p.sessionId());
        Shapes.assertAllCarry("approveboth second of two answers", afterSecond, p.delivery());
        assertEquals(p.request1(), Turns.data(afterSecond.get(0), "requestId"));
        assertResultsInCallOrder(p, afterSecond, "completed", "completed");
    }

    @Test
    void oneApprovalAndOneDenialInOnePostFollowGoldens04And05() {
        Parked p = parkTwoApprovals("qa");
        List<JsonObject> resumed;
        try (NdjsonStream stream = client.streamSession(p.sessionId(), EveClient.turnQuery(p.cursor()))) {
            Turns.assertStreamResponse(stream, p.sessionId(), null);
            Hitl.respond(client, p.sessionId(), Hitl.inputResponses(Hitl.answer(p.request0(), "approve", null),
                    Hitl.answer(p.request1(), "cancel", "Not this one.")));
            resumed = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        // golden 05: the denied call's action.result (step 0) comes before step.started(1);
        // golden 04: the approved call's action.result is the first event of step 1
        List<JsonObject> g4 = golden04.exchange(4).streamEvents();
        List<JsonObject> g5 = golden05.exchange(4).streamEvents();
        JsonObject resolved = Hitl.template(g4, "input.resolved");
        resolved.getAsJsonObject("data").getAsJsonArray("resolutions")
                .add(Hitl.template(g5, "input.resolved").getAsJsonObject("data").getAsJsonArray("resolutions").get(0));
        List<JsonObject> expected = Hitl.concat(List.of(Hitl.template(g4, "approval.settled"),
                Hitl.template(g5, "approval.settled"), resolved, Hitl.template(g5, "action.result")),
                g4.subList(Hitl.indexOf(g4, e -> Hitl.isType(e, "step.started"), "step.started"), g4.size()));
        // stitched from two golden sessions: one (golden) delivery id owns the whole turn, as in each of them
        expected = Hitl.withDeliveryIds(expected, Shapes.deliveryIds(g4.get(0)));
        Shapes.assertSameShapes("approveboth approve + deny", expected, resumed, p.sessionId());
        Shapes.assertAllCarry("approveboth approve + deny", resumed, p.delivery());
        List<JsonObject> results = Turns.ofType(resumed, "action.result");
        assertEquals(Hitl.callId(p.text(), 1), resultCallId(results.get(0)), "the denial is reported first (golden 05)");
        assertEquals("TOOL_EXECUTION_DENIED", results.get(0).getAsJsonObject("data").getAsJsonObject("error")
                .get("code").getAsString());
        assertEquals("Tool execution was denied. The person who denied it wrote: \"Not this one.\"",
                results.get(0).getAsJsonObject("data").getAsJsonObject("error").get("message").getAsString());
        assertEquals(Hitl.callId(p.text(), 0), resultCallId(results.get(1)), "the approved call runs in step 1 (golden 04)");
        assertEquals(Json.object("{\"deployed\":\"qa #1\"}"),
                results.get(1).getAsJsonObject("data").getAsJsonObject("result").get("output"));
    }

    private static String resultCallId(JsonObject actionResult) {
        return Json.string(actionResult.getAsJsonObject("data").getAsJsonObject("result"), "callId");
    }

    private static void assertResultsInCallOrder(Parked p, List<JsonObject> events, String... statuses) {
        List<JsonObject> results = Turns.ofType(events, "action.result");
        assertEquals(statuses.length, results.size(), () -> Shapes.types(events).toString());
        String target = p.text().substring("approveboth: ".length());
        for (int i = 0; i < statuses.length; i++) {
            JsonObject data = results.get(i).getAsJsonObject("data");
            assertEquals(statuses[i], Json.string(data, "status"));
            assertEquals(1, data.get("stepIndex").getAsInt(), "approved calls run in step 1 (golden 04)");
            assertEquals(Hitl.callId(p.text(), i), resultCallId(results.get(i)), "action.result in call order");
            assertEquals(Json.object("{\"deployed\":\"" + target + " #" + (i + 1) + "\"}"),
                    data.getAsJsonObject("result").get("output"));
        }
    }
}
