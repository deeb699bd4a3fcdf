package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * §14 error catalog: every request of golden {@code 13-errors} is replayed against our server and must get the same
 * status, the byte-identical body (key order included) and the same protocol headers (400/404 without cache-control).
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorsContractTest {
    /** Setup and the stale-inputResponses turn; everything else in 13 is a probe replayed one by one. */
    private static final Set<Integer> NOT_PROBES = Set.of(14, 15, 38, 39);

    private EveTestServer server;
    private EveClient client;
    private Golden.Scenario golden;
    private Subst subst;

    @BeforeAll
    void start() {
        golden = Golden.scenario("13-errors");
        server = EveTestServer.start();
        client = server.client();
        subst = Subst.forServer(server);
        // #14/#15: the probe session, idle after its first turn
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(14), subst);
        String probe = Json.string(created.json(), "sessionId");
        client.readTurn(probe, 0);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    Stream<Arguments> probes() {
        return Golden.scenario("13-errors").exchanges().stream()
                .filter(e -> !NOT_PROBES.contains(e.n()))
                .map(e -> Arguments.of(e.n(), e.label()));
    }

    @ParameterizedTest(name = "golden 13 #{0}: {1}")
    @MethodSource("probes")
    void probeAnswersExactlyAsRecorded(int n, String label) {
        Replay.assertReplays(client, golden.exchange(n), subst);
    }

    @Test
    void controlRoutesOfAnUnknownSessionAnswerNothingToDo() {
        String unknown = "/session/wrun_01UNKNOWNSESSION000000000";
        // §13: unknown ids give the "nothing to do" form, not 404 (same bodies as golden 09 #15-#18 after a reset)
        Golden.Scenario g09 = Golden.scenario("09-compact-clear-reset");
        for (String[] route : new String[][] {{"/compact", null, "15"}, {"/clear", null, "16"}, {"/reset", "{}", "18"}}) {
            EveClient.Response response = route[1] == null
                    ? client.postEmptyJson(unknown + route[0])
                    : client.postJson(unknown + route[0], route[1]);
            Replay.assertMatches(g09.exchange(Integer.parseInt(route[2])), response, subst);
        }
    }

    @Test
    void staleInputResponseIsAcceptedAndStartsANewTurnShapedLikeGolden13() {
        Subst s = Subst.forServer(server);
        String sessionId = Json.string(Replay.assertReplays(client, golden.exchange(14), s).json(), "sessionId");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        EveClient.Response accepted = Replay.send(client, golden.exchange(38), s);
        Turns.assertAccepted(accepted, sessionId, true);
        Replay.assertMatches(golden.exchange(38), accepted, s);
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        // within the turn every event carries one and the same delivery id; which one is checked below
        Shapes.assertSameShapes("13 #39 stale-response turn", golden.exchange(39).streamEvents(), turn1, sessionId);
        assertTrue(Turns.first(turn1, "message.completed").isPresent(), "the turn answers");
    }

    @Test
    void staleInputResponseTurnKeepsTheOriginalDeliveryIdLikeGolden13() {
        Subst s = Subst.forServer(server);
        String sessionId = Json.string(Replay.assertReplays(client, golden.exchange(14), s).json(), "sessionId");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        String delivery0 = Shapes.deliveryIds(turn0.get(0)).get(0);
        Turns.assertAccepted(Replay.send(client, golden.exchange(38), s), sessionId, true);
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        // golden 13 #39 / README: events after an inputResponses answer keep the original delivery id
        assertEquals(List.of(delivery0), Shapes.deliveryIds(turn1.get(0)),
                "golden 13 #39: the stale-response turn carries the session's original delivery id, not the POST's");
        Shapes.assertSameShapes("13 events.ndjson", golden.events(), client.journal(sessionId), sessionId);
    }
}
