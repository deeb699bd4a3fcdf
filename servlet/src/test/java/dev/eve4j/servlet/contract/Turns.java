package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Optional;

/** Assertions about what our scripted agent says, and about stream response framing. */
final class Turns {
    private Turns() {}

    static List<JsonObject> ofType(List<JsonObject> events, String type) {
        return events.stream().filter(e -> type.equals(NdjsonStream.typeOf(e))).toList();
    }

    static Optional<JsonObject> first(List<JsonObject> events, String type) {
        return events.stream().filter(e -> type.equals(NdjsonStream.typeOf(e))).findFirst();
    }

    static JsonObject only(List<JsonObject> events, String type) {
        List<JsonObject> matches = ofType(events, type);
        assertEquals(1, matches.size(), () -> "expected exactly one " + type + " in " + Shapes.types(events));
        return matches.get(0);
    }

    static String data(JsonObject event, String key) {
        return Json.string(event.getAsJsonObject("data"), key);
    }

    static String concat(List<JsonObject> events, String type, String key) {
        StringBuilder sb = new StringBuilder();
        ofType(events, type).forEach(e -> sb.append(data(e, key)));
        return sb.toString();
    }

    /**
     * The scripted model's plain-text rule (mirrors the golden mock): reasoning "Thinking " + "about it.", then
     * "Echo: <text>" streamed word by word; the deltas add up to the completed texts; our model and agent are named.
     */
    static void assertEchoTurn(EveTestServer server, List<JsonObject> events, String userText) {
        assertEquals(userText, data(only(events, "message.received"), "message"), "message.received.data.message");
        assertEquals(server.runtime().agent().model().id(), data(only(events, "step.started"), "modelId"),
                "step.started.data.modelId");
        assertEquals("Thinking about it.", data(only(events, "reasoning.completed"), "reasoning"));
        assertEquals("Thinking about it.", concat(events, "reasoning.appended", "reasoningDelta"),
                "reasoning deltas must add up to reasoning.completed");
        String expected = "Echo: " + userText;
        assertEquals(expected, data(only(events, "message.completed"), "message"), "message.completed.data.message");
        assertEquals(expected, concat(events, "message.appended", "messageDelta"),
                "message deltas must add up to message.completed");
    }

    static void assertSessionStarted(EveTestServer server, JsonObject event) {
        assertEquals("session.started", NdjsonStream.typeOf(event), "the first event of a session");
        JsonObject runtime = event.getAsJsonObject("data").getAsJsonObject("runtime");
        assertEquals(server.runtime().agent().name(), Json.string(runtime, "agentName"),
                "session.started.data.runtime.agentName");
    }

    /** §7.2 headers and §7.3 initial blank line of a 200 stream response. */
    static void assertStreamResponse(NdjsonStream stream, String sessionId, Integer tailIndex) {
        assertEquals(200, stream.status(), stream::describe);
        var h = stream.headers();
        List<String> problems = new java.util.ArrayList<>();
        Shapes.mediaTypeProblem("application/x-ndjson; charset=utf-8", h.firstValue("content-type").orElse(""))
                .ifPresent(problems::add);
        expect(problems, h, "cache-control", "no-store, no-transform");
        expect(problems, h, "x-accel-buffering", "no");
        expect(problems, h, "x-eve-session-id", sessionId);
        expect(problems, h, "x-eve-stream-format", "ndjson");
        expect(problems, h, "x-eve-stream-version", "26");
        if (tailIndex == null) {
            h.firstValue("x-eve-stream-tail-index").ifPresent(v ->
                    problems.add("x-eve-stream-tail-index: " + v + " on a follow read (golden 12 sends it only when bounded)"));
        } else {
            expect(problems, h, "x-eve-stream-tail-index", String.valueOf(tailIndex));
        }
        assertTrue(problems.isEmpty(), () -> stream.uri() + ": " + problems + "\n  headers: " + h.map());
        NdjsonStream.Line first = stream.nextLine(EveClient.SHORT);
        assertTrue(first != null && first.blank(),
                () -> stream.uri() + ": the response must start with one blank line (§7.3); first line: "
                        + (first == null ? "<end of response>" : first.text()));
    }

    private static void expect(List<String> problems, java.net.http.HttpHeaders h, String name, String value) {
        Optional<String> actual = h.firstValue(name);
        String normalizedActual = actual.map(v -> v.replaceAll("\\s*,\\s*", ", ")).orElse(null);
        if (!value.equals(normalizedActual)) {
            problems.add(name + ": expected '" + value + "' but was " + actual.map(v -> "'" + v + "'").orElse("absent"));
        }
    }

    /**
     * §5.2 / §6.2: the create (no delivery id) and follow-up (with one) 202 bodies, exactly, in golden key order, plus
     * their {@code cache-control} and {@code x-eve-session-id} headers. Returns the delivery id (or {@code null}).
     */
    static String assertAccepted(EveClient.Response response, String sessionId, boolean withDeliveryId) {
        assertEquals(202, response.status(), response::toString);
        String deliveryId = null;
        if (withDeliveryId) {
            deliveryId = Json.string(response.json(), "deliveryId");
            assertFalse(deliveryId.isEmpty(), () -> "empty deliveryId: " + response);
        }
        String expected = "{\"ok\":true,\"sessionId\":\"" + sessionId + "\",\"status\":\"accepted\""
                + (withDeliveryId ? ",\"deliveryId\":\"" + deliveryId + "\"" : "") + "}";
        assertEquals(expected, response.body(), "accepted body (golden 02 #3 / 01 #1 key order)");
        assertEquals("no-store", response.header("cache-control").orElse(null), "cache-control of " + response);
        assertEquals(sessionId, response.header("x-eve-session-id").orElse(null), "x-eve-session-id of " + response);
        return deliveryId;
    }
}
