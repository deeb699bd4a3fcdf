package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * §10 / §20.1 {@code ask_question}: golden {@code 15-question}. A question with options answered by
 * {@code inputResponses} ({@code optionId} = the option's label), then an open question answered by a plain message.
 * The question's {@code input.requested}, {@code turn.waiting{on:"input"}} and {@code input.resolved} carry no
 * {@code meta.deliveryIds}; after the plain-message answer the turn carries two delivery ids.
 */
@Timeout(60)
class QuestionContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("15-question");
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
    void questionsAnsweredByOptionAndByPlainMessageMatchGolden15() {
        Subst subst = Subst.forServer(server);
        // #1 create "ask: Which color do you prefer?"; #2 read until turn.waiting{on:"input"}
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> parked0;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            parked0 = Hitl.readUntilWaitingForInput(stream, EveClient.TURN);
        }
        List<JsonObject> golden2 = golden.exchange(2).streamEvents();
        Shapes.assertSameShapes("15 turn_0 until turn.waiting{input}", golden2, parked0, sessionId);
        String delivery0 = Shapes.deliveryIds(parked0.get(0)).get(0);
        assertQuestionEventsBare("15 turn_0", parked0, List.of(delivery0));
        assertTrue(Hitl.isWaitingOn(Turns.ofType(parked0, "turn.waiting").get(0), "tasks"),
                "a turn.waiting{on:tasks} comes first (§20.1)");

        JsonObject question = Hitl.requests(parked0).get(0);
        String question0 = Hitl.requestId(question);
        assertTrue(Hitl.QUESTION_REQUEST_ID.matcher(question0).matches(), () -> "question requestId " + question0);
        JsonObject goldenQuestion = Hitl.requests(golden2).get(0);
        assertQuestionLikeGolden(goldenQuestion, question, parked0);
        subst.put(Hitl.requestId(goldenQuestion), question0);

        // #3 answer with the option's label; #4 read the resumed turn_0 from the cursor
        EveClient.Response answered = Replay.send(client, golden.exchange(3), subst);
        String answerDelivery = Turns.assertAccepted(answered, sessionId, true);
        Replay.assertMatches(golden.exchange(3), answered, subst);
        List<JsonObject> resumed0 = client.readTurn(sessionId, parked0.size());
        Shapes.assertSameShapes("15 resumed turn_0", golden.exchange(4).streamEvents(), resumed0, sessionId);
        assertQuestionEventsBare("15 resumed turn_0", resumed0, List.of(delivery0));
        assertTrue(Hitl.from(resumed0, 0).stream().noneMatch(e -> Shapes.deliveryIds(e).contains(answerDelivery)),
                "an inputResponses answer does not add its delivery id (golden 15 #4)");
        JsonObject resolution = Turns.only(resumed0, "input.resolved").getAsJsonObject("data")
                .getAsJsonArray("resolutions").get(0).getAsJsonObject();
        assertEquals(Json.object("{\"optionId\":\"Red\",\"requestId\":\"" + question0 + "\"}"), resolution.get("response"));
        assertEquals(Json.object("{\"answer\":\"Red\",\"status\":\"answered\"}"), Turns.only(resumed0, "action.result")
                .getAsJsonObject("data").getAsJsonObject("result").get("output"), "ask_question output (golden 15 #4)");
        assertEquals(Turns.data(Turns.only(golden.exchange(4).streamEvents(), "message.completed"), "message"),
                Turns.data(Turns.only(resumed0, "message.completed"), "message"));

        // #5 an open question; #6 read turn_1 until turn.waiting{on:"input"}
        int cursor = parked0.size() + resumed0.size();
        EveClient.Response askFree = Replay.send(client, golden.exchange(5), subst);
        String delivery1 = Turns.assertAccepted(askFree, sessionId, true);
        Replay.assertMatches(golden.exchange(5), askFree, subst);
        List<JsonObject> parked1 = readParked(sessionId, cursor);
        List<JsonObject> golden6 = golden.exchange(6).streamEvents();
        Shapes.assertSameShapes("15 turn_1 until turn.waiting{input}", golden6, parked1, sessionId);
        assertQuestionEventsBare("15 turn_1", parked1, List.of(delivery1));
        JsonObject open = Hitl.requests(parked1).get(0);
        String question1 = Hitl.requestId(open);
        assertTrue(Hitl.QUESTION_REQUEST_ID.matcher(question1).matches(), () -> "question requestId " + question1);
        assertNotEquals(question0, question1, "each question has its own request id");
        assertQuestionLikeGolden(Hitl.requests(golden6).get(0), open, parked1);

        // #7 a plain message answers the open question; #8 read until session.waiting
        cursor += parked1.size();
        EveClient.Response alice = Replay.send(client, golden.exchange(7), subst);
        String delivery2 = Turns.assertAccepted(alice, sessionId, true);
        Replay.assertMatches(golden.exchange(7), alice, subst);
        List<JsonObject> resumed1 = client.readTurn(sessionId, cursor);
        Shapes.assertSameShapes("15 resumed turn_1", golden.exchange(8).streamEvents(), resumed1, sessionId);
        // README: a message that answers a question is added to deliveryIds (two ids), except on input.resolved
        assertQuestionEventsBare("15 resumed turn_1", resumed1, List.of(delivery1, delivery2));
        assertEquals("Alice", Turns.data(resumed1.get(0), "message"), "message.received of the answer");
        JsonObject freeform = Turns.only(resumed1, "input.resolved").getAsJsonObject("data")
                .getAsJsonArray("resolutions").get(0).getAsJsonObject();
        assertEquals(Json.object("{\"requestId\":\"" + question1 + "\",\"text\":\"Alice\"}"), freeform.get("response"),
                "a plain-message answer resolves with text (golden 15 #8)");
        assertEquals(Json.object("{\"answer\":\"Alice\",\"status\":\"answered\"}"), Turns.only(resumed1, "action.result")
                .getAsJsonObject("data").getAsJsonObject("result").get("output"));

        List<JsonObject> journal = client.journal(sessionId);
        assertEquals(Hitl.concat(Hitl.concat(parked0, resumed0), Hitl.concat(parked1, resumed1)), journal,
                "the journal is the four reads back to back");
        Shapes.assertSameShapes("15 events.ndjson", golden.events(), journal, sessionId);
        Hitl.assertUniqueEventIds("15 journal", journal);
    }

    private static List<JsonObject> readParked(String sessionId, int cursor) {
        try (NdjsonStream stream = client.streamSession(sessionId, EveClient.turnQuery(cursor))) {
            Turns.assertStreamResponse(stream, sessionId, null);
            return Hitl.readUntilWaitingForInput(stream, EveClient.TURN);
        }
    }

    /**
     * golden 15 / §20.1: {@code input.requested}, {@code turn.waiting{on:"input"}} and {@code input.resolved} carry no
     * {@code meta.deliveryIds}; every other event carries exactly {@code ids}.
     */
    private static void assertQuestionEventsBare(String what, List<JsonObject> events, List<String> ids) {
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.get(i);
            boolean bare = Hitl.isType(e, "input.requested") || Hitl.isWaitingOn(e, "input")
                    || Hitl.isType(e, "input.resolved");
            if (bare) {
                Hitl.assertNoDeliveryIds(what + " event[" + i + "]", e);
            } else {
                Hitl.assertDeliveryIds(what + " event[" + i + "]", List.of(e), ids);
            }
        }
    }

    /** The request is the golden's apart from ids: prompt, kind, display, allowFreeform, options; action = the call. */
    private static void assertQuestionLikeGolden(JsonObject goldenRequest, JsonObject request, List<JsonObject> events) {
        JsonObject g = goldenRequest.deepCopy();
        JsonObject a = request.deepCopy();
        for (JsonObject r : List.of(g, a)) {
            r.remove("requestId");
            r.getAsJsonObject("action").remove("callId");
        }
        assertEquals(g, a, "question request (golden 15), ids aside");
        JsonObject action = Turns.only(events, "actions.requested").getAsJsonObject("data").getAsJsonArray("actions")
                .get(0).getAsJsonObject();
        assertEquals(action, request.get("action"), "the question's action is the ask_question call");
        JsonObject requested = Turns.only(events, "input.requested").getAsJsonObject("data");
        assertEquals(Json.string(action, "callId"), Json.string(requested, "callId"),
                "input.requested.data.callId names the asking call (golden 15)");
    }
}
