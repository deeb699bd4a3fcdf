package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * §6.3 / §20.3 queue vs steer: golden {@code 16-queue-vs-steer}, one session, replayed with the golden's timing
 * points taken from the stream itself (no sleeps): (A) a {@code turnPolicy:"queue"} message posted after the 5th
 * {@code message.appended} of a {@code slow:} turn runs as the next turn; (B) a default (steer) message posted after
 * the 5th {@code message.appended} (text has started) also becomes the next turn; (C) a steer posted after the 5th
 * {@code reasoning.appended} of a {@code slowthink:} turn interrupts the step ({@code step.completed{other}}) and the
 * same turn continues with it, carrying both delivery ids.
 */
@Timeout(60)
class QueueSteerContractTest {
    private static EveTestServer server;
    private static EveClient client;
    private static Golden.Scenario golden;

    @BeforeAll
    static void start() {
        golden = Golden.scenario("16-queue-vs-steer");
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
    void queuedAndLateSteerBecomeNextTurnsAndAnEarlySteerFoldsIntoTheRunningTurn() {
        Subst subst = Subst.forServer(server);

        // ---- A: #1 create "slow: first turn"; #2 read; #3 the queued message after the 5th message.appended
        EveClient.Response created = Replay.assertReplays(client, golden.exchange(1), subst);
        String sessionId = Json.string(created.json(), "sessionId");
        List<JsonObject> a = new ArrayList<>();
        String queued;
        try (NdjsonStream stream = client.streamSession(sessionId, "streamControlVersion=1")) {
            Turns.assertStreamResponse(stream, sessionId, null);
            a.addAll(stream.readUntilNth("message.appended", 5, EveClient.SLOW_TURN));
            EveClient.Response sent = Replay.send(client, golden.exchange(3), subst); // turnPolicy "queue"
            queued = Turns.assertAccepted(sent, sessionId, true);
            Replay.assertMatches(golden.exchange(3), sent, subst);
            a.addAll(Hitl.readUntilSessionWaitingOf(stream, queued, EveClient.SLOW_TURN));
        }
        Shapes.assertSameShapes("16 A (#2)", golden.exchange(2).streamEvents(), a, sessionId);
        String first = Shapes.deliveryIds(a.get(0)).get(0);
        int turn1At = Hitl.indexOf(a, e -> Hitl.isType(e, "turn.started") && "turn_1".equals(Turns.data(e, "turnId")),
                "turn_1's turn.started");
        Shapes.assertAllCarry("16 A turn_0", a.subList(0, turn1At), first);
        Shapes.assertAllCarry("16 A turn_1 (the queued delivery)", Hitl.from(a, turn1At), queued);
        assertEquals(40, Turns.ofType(a.subList(0, turn1At), "message.appended").size(), "turn_0 ran to its end");
        Turns.assertEchoTurn(server, Hitl.from(a, turn1At), "queued message");

        // ---- B: #4 "slow: second turn"; #5 read from the cursor; #6 the steer after the 5th message.appended
        int cursorB = a.size();
        EveClient.Response slow = Replay.send(client, golden.exchange(4), subst);
        String second = Turns.assertAccepted(slow, sessionId, true);
        Replay.assertMatches(golden.exchange(4), slow, subst);
        List<JsonObject> b = new ArrayList<>();
        String lateSteer;
        try (NdjsonStream stream = client.streamSession(sessionId, EveClient.turnQuery(cursorB))) {
            Turns.assertStreamResponse(stream, sessionId, null);
            b.addAll(stream.readUntilNth("message.appended", 5, EveClient.SLOW_TURN));
            EveClient.Response steer = Replay.send(client, golden.exchange(6), subst); // default turnPolicy
            lateSteer = Turns.assertAccepted(steer, sessionId, true);
            Replay.assertMatches(golden.exchange(6), steer, subst);
            b.addAll(Hitl.readUntilSessionWaitingOf(stream, lateSteer, EveClient.SLOW_TURN));
        }
        Shapes.assertSameShapes("16 B (#5)", golden.exchange(5).streamEvents(), b, sessionId);
        int turn3At = Hitl.indexOf(b, e -> Hitl.isType(e, "turn.started") && "turn_3".equals(Turns.data(e, "turnId")),
                "turn_3's turn.started");
        Shapes.assertAllCarry("16 B turn_2", b.subList(0, turn3At), second);
        Shapes.assertAllCarry("16 B turn_3 (the steer sent after text started)", Hitl.from(b, turn3At), lateSteer);
        assertEquals(40, Turns.ofType(b.subList(0, turn3At), "message.appended").size(),
                "a steer after text started does not interrupt the turn (§20.3)");
        Turns.assertEchoTurn(server, Hitl.from(b, turn3At), "steer after text started");

        // ---- C: #7 "slowthink: third turn"; #8 read from the cursor; #9 the steer after the 5th reasoning.appended
        int cursorC = cursorB + b.size();
        EveClient.Response think = Replay.send(client, golden.exchange(7), subst);
        String third = Turns.assertAccepted(think, sessionId, true);
        Replay.assertMatches(golden.exchange(7), think, subst);
        List<JsonObject> c = new ArrayList<>();
        String earlySteer;
        try (NdjsonStream stream = client.streamSession(sessionId, EveClient.turnQuery(cursorC))) {
            Turns.assertStreamResponse(stream, sessionId, null);
            c.addAll(stream.readUntilNth("reasoning.appended", 5, EveClient.SLOW_TURN));
            EveClient.Response steer = Replay.send(client, golden.exchange(9), subst);
            earlySteer = Turns.assertAccepted(steer, sessionId, true);
            Replay.assertMatches(golden.exchange(9), steer, subst);
            c.addAll(Hitl.readUntilSessionWaitingOf(stream, earlySteer, EveClient.TURN));
        }
        Shapes.assertSameShapes("16 C (#8)", golden.exchange(8).streamEvents(), c, sessionId);
        // the interrupted step ends with finishReason "other" and no usage; the rest carries both ids
        int interrupted = Hitl.indexOf(c, e -> Hitl.isType(e, "step.completed"), "step.completed");
        JsonObject stepCompleted = c.get(interrupted);
        assertEquals("other", Turns.data(stepCompleted, "finishReason"));
        assertTrue(!stepCompleted.getAsJsonObject("data").has("usage"), () -> "no usage on the interrupted step: " + stepCompleted);
        Shapes.assertAllCarry("16 C until the interruption", c.subList(0, interrupted + 1), third);
        Hitl.assertDeliveryIds("16 C after the steer", Hitl.from(c, interrupted + 1), List.of(third, earlySteer));
        assertEquals("steer during reasoning", Turns.data(c.get(interrupted + 1), "message"),
                "the steering message is received into the same turn");
        for (JsonObject e : c) {
            if (e.getAsJsonObject("data").has("turnId")) {
                assertEquals("turn_4", Turns.data(e, "turnId"), () -> "one turn: " + e);
            }
        }
        assertEquals(1, Turns.ofType(c, "turn.started").size(), "the steer started no new turn");
        assertEquals("Echo: steer during reasoning", Turns.data(Turns.only(c, "message.completed"), "message"));
        long slowDeltas = Turns.ofType(c, "reasoning.appended").stream()
                .filter(e -> e.getAsJsonObject("data").get("stepIndex").getAsInt() == 0).count();
        assertTrue(slowDeltas >= 5 && slowDeltas < 40, "the slow reasoning was cut short: " + slowDeltas + " deltas");

        List<JsonObject> journal = client.journal(sessionId);
        List<JsonObject> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        assertEquals(all, journal, "the journal is the three reads back to back");
        Shapes.assertSameShapes("16 events.ndjson", golden.events(), journal, sessionId);
        Shapes.assertValidEnvelopes("16 journal", journal);
    }
}
