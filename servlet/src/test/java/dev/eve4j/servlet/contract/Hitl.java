package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Helpers for the tool, human-in-the-loop, structured-output and steering contract tests: reading a stream up to a
 * parked turn, the input requests of a turn, answers, golden-derived expectations (a golden event list with an event
 * repeated or a value patched) and the journal's tail index.
 */
final class Hitl {
    /** Our approval request ids: {@code aitxt-} + 24 alphanumerics (the golden's are random too). */
    static final Pattern APPROVAL_REQUEST_ID = Pattern.compile("^aitxt-[0-9A-Za-z]{24}$");
    /** Question request ids, golden 15: {@code <wrun id>-ask-<n>}. */
    static final Pattern QUESTION_REQUEST_ID = Pattern.compile("^wrun_[0-9A-Za-z]+-ask-[0-9]+$");
    /** Tool call ids: {@code call_<8 hex>_<n>} (golden 03/04/14; the hash differs, the form does not). */
    static final Pattern CALL_ID = Pattern.compile("^call_[0-9a-f]{8}_[0-9]+$");

    private Hitl() {}

    static boolean isType(JsonObject event, String type) {
        return type.equals(NdjsonStream.typeOf(event));
    }

    /** {@code turn.waiting} with {@code data.on == on}. */
    static boolean isWaitingOn(JsonObject event, String on) {
        return isType(event, "turn.waiting") && on.equals(Turns.data(event, "on"));
    }

    /** Reads until {@code turn.waiting{on:"input"}}: where eve/client stops reading a parked turn (§9.1). */
    static List<JsonObject> readUntilWaitingForInput(NdjsonStream stream, Duration timeout) {
        return stream.readEventsUntil("turn.waiting{on:\"input\"}", e -> isWaitingOn(e, "input"), timeout);
    }

    /** Reads until a {@code session.waiting} whose {@code meta.deliveryIds} holds {@code deliveryId}. */
    static List<JsonObject> readUntilSessionWaitingOf(NdjsonStream stream, String deliveryId, Duration timeout) {
        return stream.readEventsUntil("session.waiting carrying delivery " + deliveryId,
                e -> isType(e, "session.waiting") && Shapes.deliveryIds(e).contains(deliveryId), timeout);
    }

    /** Every request of every {@code input.requested} event, in order. */
    static List<JsonObject> requests(List<JsonObject> events) {
        List<JsonObject> requests = new ArrayList<>();
        for (JsonObject e : Turns.ofType(events, "input.requested")) {
            e.getAsJsonObject("data").getAsJsonArray("requests").forEach(r -> requests.add(r.getAsJsonObject()));
        }
        return requests;
    }

    static String requestId(JsonObject request) {
        return Json.string(request, "requestId");
    }

    /** One answer entry: {@code {requestId, optionId?, text?}} (null values left out). */
    static JsonObject answer(String requestId, String optionId, String text) {
        JsonObject a = new JsonObject();
        a.addProperty("requestId", requestId);
        if (optionId != null) {
            a.addProperty("optionId", optionId);
        }
        if (text != null) {
            a.addProperty("text", text);
        }
        return a;
    }

    /** The body {@code {"inputResponses":[…]}}. */
    static String inputResponses(JsonObject... answers) {
        JsonArray array = new JsonArray();
        for (JsonObject a : answers) {
            array.add(a);
        }
        JsonObject body = new JsonObject();
        body.add("inputResponses", array);
        return body.toString();
    }

    /** POSTs an answer; asserts the §6.2 202 body (with a delivery id) and returns the delivery id. */
    static String respond(EveClient client, String sessionId, String body) {
        EveClient.Response response = client.postJson(EveClient.sessionPath(sessionId), body);
        return Turns.assertAccepted(response, sessionId, true);
    }

    /** POSTs {@code {"message": text}} (plus {@code extra} keys); asserts 202 and returns the delivery id. */
    static String send(EveClient client, String sessionId, String text, JsonObject extra) {
        JsonObject body = extra == null ? new JsonObject() : extra.deepCopy();
        body.addProperty("message", text);
        EveClient.Response response = client.postJson(EveClient.sessionPath(sessionId), body.toString());
        return Turns.assertAccepted(response, sessionId, true);
    }

    /** The index of the journal's last event ({@code x-eve-stream-tail-index} of a bounded read). */
    static long tailIndex(EveClient client, String sessionId) {
        try (NdjsonStream stream = client.streamSession(sessionId, "startIndex=-1&follow=false")) {
            assertEquals(200, stream.status(), stream::describe);
            String tail = stream.headers().firstValue("x-eve-stream-tail-index")
                    .orElseThrow(() -> new AssertionError("no x-eve-stream-tail-index on " + stream.uri()));
            assertTrue(stream.awaitEnd(EveClient.SHORT), stream::describe);
            return Long.parseLong(tail);
        }
    }

    // ---- golden-derived expectations --------------------------------------------------------

    static List<JsonObject> copy(List<JsonObject> events) {
        List<JsonObject> copy = new ArrayList<>();
        events.forEach(e -> copy.add(e.deepCopy()));
        return copy;
    }

    /** The first event of {@code type} in a golden list (a template for one expected event). */
    static JsonObject template(List<JsonObject> golden, String type) {
        return Turns.first(golden, type)
                .orElseThrow(() -> new AssertionError("the golden has no " + type + ": " + Shapes.types(golden)))
                .deepCopy();
    }

    /** {@code events} with every event of {@code type} repeated {@code times} times in place. */
    static List<JsonObject> repeat(List<JsonObject> events, String type, int times) {
        List<JsonObject> result = new ArrayList<>();
        for (JsonObject e : events) {
            int n = isType(e, type) ? times : 1;
            for (int i = 0; i < n; i++) {
                result.add(e.deepCopy());
            }
        }
        return result;
    }

    /** {@code events} with the array {@code data.<arrayKey>} of every {@code type} event repeated to {@code size} items. */
    static List<JsonObject> widen(List<JsonObject> events, String type, String arrayKey, int size) {
        List<JsonObject> result = copy(events);
        for (JsonObject e : result) {
            if (isType(e, type)) {
                JsonArray array = e.getAsJsonObject("data").getAsJsonArray(arrayKey);
                JsonElement first = array.get(0);
                while (array.size() < size) {
                    array.add(first.deepCopy());
                }
            }
        }
        return result;
    }

    /** Sets {@code data.usage.inputTokens/outputTokens} of every {@code type} event. */
    static List<JsonObject> withUsage(List<JsonObject> events, String type, int input, int output) {
        List<JsonObject> result = copy(events);
        for (JsonObject e : result) {
            if (isType(e, type)) {
                JsonObject usage = e.getAsJsonObject("data").getAsJsonObject("usage");
                usage.addProperty("inputTokens", input);
                usage.addProperty("outputTokens", output);
            }
        }
        return result;
    }

    /**
     * {@code events} with {@code meta.deliveryIds} set to {@code ids} wherever it is present: for expectations stitched
     * together from events of different golden sessions (whose delivery ids differ).
     */
    static List<JsonObject> withDeliveryIds(List<JsonObject> events, List<String> ids) {
        List<JsonObject> result = copy(events);
        for (JsonObject e : result) {
            JsonObject meta = e.getAsJsonObject("meta");
            if (meta.has("deliveryIds")) {
                JsonArray array = new JsonArray();
                ids.forEach(array::add);
                meta.add("deliveryIds", array);
            }
        }
        return result;
    }

    static List<JsonObject> concat(List<JsonObject> first, List<JsonObject> second) {
        List<JsonObject> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    // ---- our agent -------------------------------------------------------------------------

    /** Our scripted model's call id for a message: {@code call_<first 8 hex of sha-256(text)>_<n>}. */
    static String callId(String messageText, int n) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(messageText.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("call_");
            for (int i = 0; i < 4; i++) {
                sb.append(String.format(Locale.ROOT, "%02x", hash[i]));
            }
            return sb.append('_').append(n).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Every event has a unique {@code meta.id}; {@code meta.deliveryIds}, where present, is a non-empty array. */
    static void assertUniqueEventIds(String what, List<JsonObject> events) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            JsonObject meta = events.get(i).getAsJsonObject("meta");
            String id = Json.string(meta, "id");
            int index = i;
            assertTrue(ids.add(id), () -> what + ": duplicate meta.id " + id + " at event " + index);
            if (meta.has("deliveryIds")) {
                assertFalse(meta.getAsJsonArray("deliveryIds").isEmpty(),
                        () -> what + ": empty meta.deliveryIds at event " + index);
            }
        }
    }

    /** Asserts that each event of {@code events} carries exactly {@code expected} (in order) in {@code meta.deliveryIds}. */
    static void assertDeliveryIds(String what, List<JsonObject> events, List<String> expected) {
        assertFalse(events.isEmpty(), what + ": no events");
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.get(i);
            int index = i;
            assertTrue(e.getAsJsonObject("meta").has("deliveryIds"),
                    () -> what + ": event[" + index + "] " + NdjsonStream.typeOf(e) + " lacks meta.deliveryIds: " + e);
            assertEquals(expected, Shapes.deliveryIds(e), () -> what + ": event[" + index + "] "
                    + NdjsonStream.typeOf(e) + " meta.deliveryIds");
        }
    }

    /** Asserts that the event has no {@code meta.deliveryIds} key at all (golden 15's question events). */
    static void assertNoDeliveryIds(String what, JsonObject event) {
        assertFalse(event.getAsJsonObject("meta").has("deliveryIds"),
                () -> what + ": " + NdjsonStream.typeOf(event) + " must carry no meta.deliveryIds (golden 15): " + event);
    }

    /** {@code events[from..]} as a view. */
    static List<JsonObject> from(List<JsonObject> events, int index) {
        return events.subList(index, events.size());
    }

    /** Index of the first event matching {@code p}, failing when none does. */
    static int indexOf(List<JsonObject> events, Predicate<JsonObject> p, String what) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no " + what + " in " + Shapes.types(events));
    }
}
