package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** §7.1–§7.5 stream query parameters on one finished session; golden {@code 12-stream-queries}. */
@Timeout(60)
class StreamQueriesContractTest {
    private static final int GOLDEN_EVENTS = 14;

    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;
    private static Subst subst;
    private static String sessionId;
    /** The event lines as first streamed live: every replay must reproduce them byte for byte. */
    private static List<String> live;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("12-stream-queries");
        server = EveTestServer.start();
        client = server.client();
        subst = Subst.forServer(server);
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        sessionId = Json.string(created.json(), "sessionId");
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            stream.readUntilType("session.waiting", EveClient.TURN);
            live = stream.eventLines();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theFinishedSessionMatchesGolden12() {
        List<JsonObject> events = live.stream().map(Json::object).toList();
        Shapes.assertSameShapes("12 events.ndjson", golden.events(), events, sessionId);
        Turns.assertEchoTurn(server, events, "hello stream");
    }

    /** golden exchange, query ({N} = our event count), startIndex as sent ({N} likewise), bounded (server ends it). */
    static Stream<Arguments> queries() {
        return Stream.of(
                Arguments.of(3, "startIndex=0", "0", false),
                Arguments.of(4, "startIndex=5", "5", false),
                Arguments.of(5, "startIndex=-3", "-3", false),
                Arguments.of(6, "follow=false", "0", true),
                Arguments.of(7, "includeTailIndex=1", "0", true),
                Arguments.of(8, "includeTailIndex=true&startIndex=10", "10", true),
                Arguments.of(9, "startIndex=5&follow=false", "5", true),
                Arguments.of(10, "startIndex=-3&follow=false", "-3", true),
                Arguments.of(11, "startIndex=-100&follow=false", "-100", true),
                Arguments.of(12, "startIndex={N}&follow=false", "{N}", true),
                Arguments.of(13, "startIndex=100&follow=false", "100", true),
                Arguments.of(14, "follow=0", "0", true),
                Arguments.of(15, "startIndex=0&follow=true", "0", false));
    }

    private static int start(String spec, int size) {
        int index = Integer.parseInt(spec.replace("{N}", String.valueOf(size)));
        return index >= 0 ? Math.min(index, size) : Math.max(0, size + index);
    }

    @ParameterizedTest(name = "golden 12 #{0}: ?{1}")
    @MethodSource("queries")
    void streamQueryReplaysTheRightSliceWithTheRightHeadersAndEnd(int goldenN, String query, String startSpec,
            boolean bounded) {
        Golden.Exchange exchange = golden.exchange(goldenN);
        // the table above must agree with the recording itself
        assertEquals(bounded, exchange.end().equals("server-ended"), "table vs golden: bounded");
        assertEquals(GOLDEN_EVENTS - start(startSpec, GOLDEN_EVENTS), exchange.streamEvents().size(),
                "table vs golden: event count");

        int size = live.size();
        List<String> expected = live.subList(start(startSpec, size), size);
        String q = query.replace("{N}", String.valueOf(size));
        try (NdjsonStream stream = client.streamSession(sessionId, q)) {
            Turns.assertStreamResponse(stream, sessionId, bounded ? size - 1 : null);
            Shapes.assertEveHeaders(exchange.describe(), exchange.responseHeaders(), stream.headers(), subst,
                    Set.of("x-eve-stream-tail-index"));
            if (bounded) {
                assertTrue(stream.awaitEnd(EveClient.SHORT), () -> "?" + q + " must end at the tail: " + stream.describe());
                assertTrue(stream.endedCleanly(), () -> "?" + q + " must end cleanly: " + stream.describe());
            } else {
                stream.readEvents(expected.size(), EveClient.SHORT);
                assertFalse(stream.awaitEnd(Duration.ofMillis(500)),
                        () -> "?" + q + " follows: the server must keep it open (golden: client-closed)");
            }
            assertEquals(expected, stream.eventLines(), () -> "?" + q + ": events [" + start(startSpec, size) + ".."
                    + (size - 1) + "] exactly as first streamed");
        }
    }
}
