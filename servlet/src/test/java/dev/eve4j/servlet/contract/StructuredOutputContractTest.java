package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §11 structured output: golden {@code 06-structured-output}, and the 400 for an output schema that is no JSON Schema. */
@Timeout(60)
class StructuredOutputContractTest {
    /** A schema whose {@code minLength} is a string: not a valid JSON Schema (draft 2020-12). */
    private static final String INVALID_SCHEMA = "{\"type\":\"object\",\"properties\":{\"a\":{\"minLength\":\"3\"}}}";
    /** 400 bodies of the real server (golden 13): {@code {"error":…,"ok":false}}, in this key order. */
    private static final Pattern FLAT_400 = Pattern.compile("^\\{\"error\":\"[^\"].*\",\"ok\":false\\}$");

    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("06-structured-output");
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
    void followUpWithOutputSchemaEmitsResultCompletedAndNoTextOrToolEvents() {
        Subst subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst); // "hello"
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        Shapes.assertSameShapes("06 turn_0", golden.exchange(2).streamEvents(), turn0, sessionId);
        Turns.assertEchoTurn(server, turn0, "hello");

        // #3 the follow-up with outputSchema; #4 read turn_1
        EveClient.Response sent = Replay.send(client, golden.exchange(3), subst);
        String deliveryId = Turns.assertAccepted(sent, sessionId, true);
        Replay.assertMatches(golden.exchange(3), sent, subst);
        List<JsonObject> turn1;
        try (NdjsonStream stream = client.streamSession(sessionId, EveClient.turnQuery(turn0.size()))) {
            Turns.assertStreamResponse(stream, sessionId, null);
            turn1 = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        Shapes.assertSameShapes("06 turn_1", golden.exchange(4).streamEvents(), turn1, sessionId);
        Shapes.assertAllCarry("06 turn_1", turn1, deliveryId);
        // the value the golden mock builds from the schema, exactly
        assertEquals(Turns.only(golden.exchange(4).streamEvents(), "result.completed").getAsJsonObject("data").get("result"),
                Turns.only(turn1, "result.completed").getAsJsonObject("data").get("result"),
                "result.completed.data.result (golden 06 #4)");
        // the internal eve__reply call is not published (§11)
        for (JsonObject e : turn1) {
            String type = NdjsonStream.typeOf(e);
            assertFalse(type.startsWith("message.appended") || type.equals("message.completed") || type.startsWith("action"),
                    () -> "no text or tool events in a structured-output turn: " + Shapes.types(turn1));
            assertFalse(e.toString().contains("eve__reply"), () -> "eve__reply must not be published: " + e);
        }

        List<JsonObject> journal = client.journal(sessionId);
        assertEquals(Hitl.concat(turn0, turn1), journal);
        Shapes.assertSameShapes("06 events.ndjson", golden.events(), journal, sessionId);

        // the schema is per turn (§11): the next plain message is an ordinary echo turn
        String next = client.followUp(sessionId, "plain again");
        List<JsonObject> turn2 = client.readTurn(sessionId, journal.size());
        Shapes.assertAllCarry("turn_2 after structured output", turn2, next);
        Turns.assertEchoTurn(server, turn2, "plain again");
        assertTrue(Turns.first(turn2, "result.completed").isEmpty(), "no result.completed without an outputSchema");
    }

    @Test
    void followUpWithAnInvalidOutputSchemaIs400AndChangesNothing() {
        String sessionId = client.createSession("hello");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        long tail = Hitl.tailIndex(client, sessionId);
        assertEquals(turn0.size() - 1, tail);

        String body = "{\"message\":\"summarize as JSON\",\"outputSchema\":" + INVALID_SCHEMA + "}";
        EveClient.Response rejected = client.postJson(EveClient.sessionPath(sessionId), body);
        assertFlat400(rejected);
        assertEquals(tail, Hitl.tailIndex(client, sessionId), "a rejected message appends nothing");

        // barrier: the next message is turn_1 (the rejected one started no turn and was not queued)
        String deliveryId = client.followUp(sessionId, "after the bad schema");
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        assertEquals("turn_1", Turns.data(turn1.get(0), "turnId"));
        Shapes.assertAllCarry("turn_1 after the 400", turn1, deliveryId);
        Turns.assertEchoTurn(server, turn1, "after the bad schema");
        List<JsonObject> journal = client.journal(sessionId);
        assertEquals(Hitl.concat(turn0, turn1), journal, "only the two accepted turns are in the journal");
    }

    @Test
    void createWithAnInvalidOutputSchemaIs400AndCreatesNoSession() {
        String body = "{\"message\":\"summarize as JSON\",\"outputSchema\":" + INVALID_SCHEMA + "}";
        EveClient.Response rejected = client.postJson("/session", body);
        assertFlat400(rejected);
        assertTrue(rejected.header("x-eve-session-id").isEmpty(), () -> "no session id for a rejected create: " + rejected);
        assertFalse(rejected.json().has("sessionId"), rejected::toString);
    }

    /** A 400 shaped like golden 13's: flat {@code {"error":…,"ok":false}}, JSON, without cache-control. */
    private static void assertFlat400(EveClient.Response response) {
        assertEquals(400, response.status(), response::toString);
        assertTrue(FLAT_400.matcher(response.body()).matches(), () -> "flat 400 body (golden 13 key order): " + response);
        JsonObject json = response.json();
        assertEquals(List.of("error", "ok"), List.copyOf(json.keySet()), response::toString);
        assertFalse(json.get("ok").getAsBoolean());
        assertFalse(Json.string(json, "error").isBlank());
        // golden 13 #20: a follow-up 400 — status, content-type and no cache-control
        Golden.Exchange g400 = Golden.scenario("13-errors").exchange(20);
        Shapes.assertEveHeaders("400 for an invalid outputSchema like " + g400.describe(), g400.responseHeaders(),
                response.headers(), new Subst(), java.util.Set.of());
    }
}
