package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** §5 create with a first message, §7 reading the turn; golden {@code 01-simple-turn}. */
@Timeout(60)
class SimpleTurnContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("01-simple-turn");
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
    void createAnswers202WithSessionHeaderAndExactBody() {
        Golden.Exchange exchange = golden.exchange(1);
        Subst subst = Subst.forServer(server);
        EveClient.Response response = Replay.assertReplays(client, exchange, subst);
        String sessionId = Json.string(response.json(), "sessionId");
        assertFalse(sessionId.isBlank(), "sessionId");
        assertEquals(sessionId, response.header("x-eve-session-id").orElse(null), "x-eve-session-id header");
        assertEquals("no-store", response.header("cache-control").orElse(null), "cache-control");
    }

    @Test
    void firstTurnMatchesGolden01() {
        String text = "hello there";
        String sessionId = client.createSession(text);
        List<JsonObject> events;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            events = stream.readUntilType("session.waiting", EveClient.TURN);
        }
        Shapes.assertSameShapes("01 turn_0 stream", golden.exchange(2).streamEvents(), events, sessionId);
        Turns.assertSessionStarted(server, events.get(0));
        Turns.assertEchoTurn(server, events, text);
        String deliveryId = Shapes.deliveryIds(events.get(0)).get(0);
        Shapes.assertAllCarry("01 turn_0", events, deliveryId);
    }

    @Test
    void journalReplaysTheLiveLinesByteForByte() {
        String sessionId = client.createSession("hello there");
        List<String> live;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            stream.readUntilType("session.waiting", EveClient.TURN);
            live = stream.eventLines();
        }
        List<String> journal = client.journalLines(sessionId);
        assertEquals(live, journal, "replayed lines (follow=false) must equal the live lines, meta.id included");
        Shapes.assertSameShapes("01 events.ndjson", golden.events(), journal.stream().map(Json::object).toList(),
                sessionId);
        Shapes.assertValidEnvelopes("01 journal", journal.stream().map(Json::object).toList());
        assertEquals(Set.copyOf(live).size(), live.size(), "no duplicated lines");
    }
}
