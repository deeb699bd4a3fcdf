package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.http.HttpHeaders;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Compares our events and responses with the golden ones by <em>shape</em>: same event type sequence (runs of
 * {@code *.appended} deltas collapsed, since texts differ), same {@code data} key sets and JSON value kinds
 * recursively, exact values for the stable protocol fields, and a valid {@code meta}. Ids, timestamps, delivery UUIDs
 * and the script's texts are not compared by value; delivery ids must map one-to-one between golden and actual.
 */
final class Shapes {
    static final Pattern EVENT_ID = Pattern.compile("^evt_[0-9A-HJKMNP-TV-Z]{26}$");

    /** {@code data} keys whose values are protocol facts (not texts or ids) and must equal the golden's. */
    static final Set<String> STABLE_VALUE_KEYS = Set.of(
            "turnId", "sequence", "stepIndex", "finishReason", "code", "terminal", "wait", "on", "status", "type",
            "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "kind", "outcome");

    /** {@code data} keys whose value must be the session id of the session under test. */
    static final Set<String> SESSION_ID_KEYS = Set.of("continuationToken", "sessionId");

    /** Response headers that carry protocol meaning and are compared against the golden exchange. */
    static final List<String> EVE_HEADERS = List.of(
            "cache-control", "content-type", "x-accel-buffering", "x-eve-session-id", "x-eve-stream-format",
            "x-eve-stream-version", "x-eve-stream-tail-index", "www-authenticate");

    private Shapes() {}

    static List<String> types(List<JsonObject> events) {
        return events.stream().map(NdjsonStream::typeOf).toList();
    }

    /** Type sequence with runs of identical consecutive {@code *.appended} types collapsed into one. */
    static List<String> collapsedTypes(List<JsonObject> events) {
        return runs(events).stream().map(r -> NdjsonStream.typeOf(r.get(0))).toList();
    }

    private static List<List<JsonObject>> runs(List<JsonObject> events) {
        List<List<JsonObject>> runs = new ArrayList<>();
        for (JsonObject event : events) {
            String type = NdjsonStream.typeOf(event);
            List<JsonObject> last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && type.endsWith(".appended") && type.equals(NdjsonStream.typeOf(last.get(0)))) {
                last.add(event);
            } else {
                List<JsonObject> run = new ArrayList<>();
                run.add(event);
                runs.add(run);
            }
        }
        return runs;
    }

    /**
     * Asserts that {@code actual} has the golden's shape. {@code sessionId} (nullable) is the session the events
     * belong to; {@code continuationToken} and {@code sessionId} fields must carry it.
     */
    static void assertSameShapes(String what, List<JsonObject> golden, List<JsonObject> actual, String sessionId) {
        List<String> goldenTypes = collapsedTypes(golden);
        List<String> actualTypes = collapsedTypes(actual);
        assertEquals(goldenTypes, actualTypes, () -> what + ": event types (runs of *.appended collapsed) differ"
                + "\n  golden: " + types(golden) + "\n  actual: " + types(actual));

        List<String> problems = new ArrayList<>();
        Map<String, String> goldenToActual = new HashMap<>();
        Map<String, String> actualToGolden = new HashMap<>();
        List<List<JsonObject>> goldenRuns = runs(golden);
        List<List<JsonObject>> actualRuns = runs(actual);
        int index = 0;
        for (int r = 0; r < actualRuns.size(); r++) {
            List<JsonObject> goldenRun = goldenRuns.get(r);
            List<JsonObject> actualRun = actualRuns.get(r);
            for (int i = 0; i < actualRun.size(); i++, index++) {
                JsonObject g = goldenRun.get(Math.min(i, goldenRun.size() - 1));
                JsonObject a = actualRun.get(i);
                String where = what + " event[" + index + "] " + NdjsonStream.typeOf(a);
                compareEvent(where, g, a, sessionId, problems, goldenToActual, actualToGolden);
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(what + ": " + problems.size() + " shape difference(s) from the golden:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(problems.size(), 40))));
        }
    }

    private static void compareEvent(String where, JsonObject golden, JsonObject actual, String sessionId,
            List<String> problems, Map<String, String> goldenToActual, Map<String, String> actualToGolden) {
        if (!golden.keySet().equals(actual.keySet())) {
            problems.add(where + ": envelope keys " + new TreeSet<>(actual.keySet()) + " but golden has "
                    + new TreeSet<>(golden.keySet()));
        }
        if (golden.has("data")) {
            compareValue(where + " data", "data", golden.get("data"), actual.get("data"), sessionId, problems);
        }
        JsonObject goldenMeta = golden.getAsJsonObject("meta");
        // Golden 15: eve sends some events (a question's input.requested, turn.waiting{on:input}, input.resolved)
        // without meta.deliveryIds; there the key must be absent in ours too (the meta key set comparison below).
        checkMeta(where, actual.get("meta"), problems, goldenMeta == null || goldenMeta.has("deliveryIds"));
        JsonElement actualMeta = actual.get("meta");
        if (goldenMeta != null && actualMeta != null && actualMeta.isJsonObject()) {
            if (!goldenMeta.keySet().equals(actualMeta.getAsJsonObject().keySet())) {
                problems.add(where + ": meta keys " + new TreeSet<>(actualMeta.getAsJsonObject().keySet())
                        + " but golden has " + new TreeSet<>(goldenMeta.keySet()));
            }
            JsonElement gIds = goldenMeta.get("deliveryIds");
            JsonElement aIds = actualMeta.getAsJsonObject().get("deliveryIds");
            if (gIds != null && gIds.isJsonArray() && aIds != null && aIds.isJsonArray()) {
                compareDeliveryIds(where, gIds.getAsJsonArray(), aIds.getAsJsonArray(), problems, goldenToActual,
                        actualToGolden);
            }
        }
    }

    private static void compareDeliveryIds(String where, JsonArray golden, JsonArray actual, List<String> problems,
            Map<String, String> goldenToActual, Map<String, String> actualToGolden) {
        if (golden.size() != actual.size()) {
            problems.add(where + ": meta.deliveryIds has " + actual.size() + " id(s) " + actual + " but golden has "
                    + golden.size() + " " + golden);
            return;
        }
        for (int i = 0; i < golden.size(); i++) {
            String g = golden.get(i).getAsString();
            String a = actual.get(i).isJsonPrimitive() ? actual.get(i).getAsString() : String.valueOf(actual.get(i));
            String mapped = goldenToActual.putIfAbsent(g, a);
            String back = actualToGolden.putIfAbsent(a, g);
            if ((mapped != null && !mapped.equals(a)) || (back != null && !back.equals(g))) {
                problems.add(where + ": meta.deliveryIds " + actual + " does not correspond one-to-one to golden "
                        + golden + " (golden " + g + " was earlier " + goldenToActual.get(g) + ", actual " + a
                        + " was earlier golden " + actualToGolden.get(a) + ")");
            }
        }
    }

    private static void compareValue(String path, String key, JsonElement golden, JsonElement actual,
            String sessionId, List<String> problems) {
        String gKind = Json.kind(golden);
        String aKind = actual == null ? "absent" : Json.kind(actual);
        if (!gKind.equals(aKind)) {
            problems.add(path + ": " + aKind + " " + Json.abbreviate(String.valueOf(actual)) + " but golden has "
                    + gKind + " " + Json.abbreviate(String.valueOf(golden)));
            return;
        }
        switch (gKind) {
            case "object" -> {
                JsonObject g = golden.getAsJsonObject();
                JsonObject a = actual.getAsJsonObject();
                if (!g.keySet().equals(a.keySet())) {
                    Set<String> missing = new TreeSet<>(g.keySet());
                    missing.removeAll(a.keySet());
                    Set<String> extra = new TreeSet<>(a.keySet());
                    extra.removeAll(g.keySet());
                    problems.add(path + ": keys " + new TreeSet<>(a.keySet()) + " but golden has "
                            + new TreeSet<>(g.keySet()) + " (missing " + missing + ", extra " + extra + ")");
                }
                for (String k : g.keySet()) {
                    if (a.has(k)) {
                        compareValue(path + "." + k, k, g.get(k), a.get(k), sessionId, problems);
                    }
                }
            }
            case "array" -> {
                JsonArray g = golden.getAsJsonArray();
                JsonArray a = actual.getAsJsonArray();
                if (g.size() != a.size()) {
                    problems.add(path + ": array of " + a.size() + " but golden has " + g.size());
                }
                for (int i = 0; i < Math.min(g.size(), a.size()); i++) {
                    compareValue(path + "[" + i + "]", key, g.get(i), a.get(i), sessionId, problems);
                }
            }
            case "null" -> { }
            default -> {
                if (STABLE_VALUE_KEYS.contains(key) && !golden.equals(actual)) {
                    problems.add(path + ": " + actual + " but golden has " + golden);
                }
                if (SESSION_ID_KEYS.contains(key) && sessionId != null && !sessionId.equals(actual.getAsString())) {
                    problems.add(path + ": " + actual + " but the session id is " + sessionId);
                }
            }
        }
    }

    private static void checkMeta(String where, JsonElement meta, List<String> problems) {
        checkMeta(where, meta, problems, true);
    }

    /** {@code deliveryIdsRequired == false}: an absent {@code meta.deliveryIds} is fine; a present one must be valid. */
    private static void checkMeta(String where, JsonElement meta, List<String> problems, boolean deliveryIdsRequired) {
        if (meta == null || !meta.isJsonObject()) {
            problems.add(where + ": meta missing or not an object: " + meta);
            return;
        }
        JsonObject m = meta.getAsJsonObject();
        JsonElement id = m.get("id");
        if (id == null || !id.isJsonPrimitive() || !EVENT_ID.matcher(id.getAsString()).matches()) {
            problems.add(where + ": meta.id " + id + " does not match " + EVENT_ID.pattern());
        }
        JsonElement at = m.get("at");
        if (at == null || !at.isJsonPrimitive() || !isIsoInstant(at.getAsString())) {
            problems.add(where + ": meta.at " + at + " is not an ISO-8601 timestamp");
        }
        JsonElement ids = m.get("deliveryIds");
        if (ids == null && !deliveryIdsRequired) {
            return;
        }
        if (ids == null || !ids.isJsonArray()) {
            problems.add(where + ": meta.deliveryIds " + ids + " is not an array");
        } else {
            for (JsonElement d : ids.getAsJsonArray()) {
                if (!d.isJsonPrimitive() || !d.getAsJsonPrimitive().isString() || d.getAsString().isEmpty()) {
                    problems.add(where + ": meta.deliveryIds holds a non-string or empty id: " + ids);
                }
            }
        }
    }

    static boolean isIsoInstant(String text) {
        try {
            Instant.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            try {
                OffsetDateTime.parse(text);
                return true;
            } catch (DateTimeParseException e2) {
                return false;
            }
        }
    }

    /** Every event's {@code meta} is valid; event ids are unique. */
    static void assertValidEnvelopes(String what, List<JsonObject> events) {
        List<String> problems = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.get(i);
            String where = what + " event[" + i + "] " + NdjsonStream.typeOf(e);
            if (!e.has("type")) {
                problems.add(where + ": no type");
            }
            checkMeta(where, e.get("meta"), problems);
            if (e.has("meta") && e.get("meta").isJsonObject() && e.getAsJsonObject("meta").has("id")
                    && !ids.add(e.getAsJsonObject("meta").get("id").getAsString())) {
                problems.add(where + ": duplicate meta.id " + e.getAsJsonObject("meta").get("id"));
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }

    /** Every event carries exactly {@code [deliveryId]} in {@code meta.deliveryIds}. */
    static void assertAllCarry(String what, List<JsonObject> events, String deliveryId) {
        assertFalse(events.isEmpty(), what + ": no events");
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.get(i);
            JsonElement ids = e.has("meta") ? e.getAsJsonObject("meta").get("deliveryIds") : null;
            JsonArray expected = new JsonArray();
            expected.add(deliveryId);
            int index = i;
            assertEquals(expected, ids, () -> what + ": event[" + index + "] " + NdjsonStream.typeOf(e)
                    + " must carry meta.deliveryIds [" + deliveryId + "]: " + e);
        }
    }

    static List<String> deliveryIds(JsonObject event) {
        JsonElement ids = event.getAsJsonObject("meta").get("deliveryIds");
        List<String> result = new ArrayList<>();
        if (ids != null && ids.isJsonArray()) {
            ids.getAsJsonArray().forEach(d -> result.add(d.getAsString()));
        }
        return result;
    }

    /**
     * The protocol headers of {@code actual} match the golden exchange: same presence, equal values after
     * {@code subst} (content-type compared as a media type; names in {@code presenceOnly} only for presence).
     */
    static void assertEveHeaders(String what, List<String[]> golden, HttpHeaders actual, Subst subst,
            Set<String> presenceOnly) {
        List<String> problems = new ArrayList<>();
        for (String name : EVE_HEADERS) {
            Optional<String> g = golden.stream()
                    .filter(h -> h[0].equalsIgnoreCase(name))
                    .map(h -> h[1])
                    .findFirst();
            Optional<String> a = actual.firstValue(name);
            if (g.isEmpty()) {
                a.ifPresent(v -> problems.add("unexpected header " + name + ": " + v + " (the golden response has none)"));
            } else if (a.isEmpty()) {
                problems.add("missing header " + name + " (golden: " + g.get() + ")");
            } else if (name.equals("content-type")) {
                mediaTypeProblem(g.get(), a.get()).ifPresent(problems::add);
            } else if (!presenceOnly.contains(name)
                    && !normalizeList(subst.apply(g.get())).equals(normalizeList(a.get()))) {
                problems.add("header " + name + ": '" + a.get() + "' but golden has '" + subst.apply(g.get()) + "'");
            }
        }
        assertTrue(problems.isEmpty(), () -> what + ": " + String.join("; ", problems) + "\n  actual headers: "
                + actual.map());
    }

    /** Same media type; golden parameters present with equal values; the only extra parameter allowed is charset=utf-8. */
    static Optional<String> mediaTypeProblem(String golden, String actual) {
        Map<String, String> g = parseMediaType(golden);
        Map<String, String> a = parseMediaType(actual);
        if (!g.get("").equals(a.get(""))) {
            return Optional.of("content-type '" + actual + "' but golden has '" + golden + "'");
        }
        for (Map.Entry<String, String> p : a.entrySet()) {
            if (p.getKey().isEmpty()) {
                continue;
            }
            String expected = g.get(p.getKey());
            boolean allowed = expected != null
                    ? expected.equals(p.getValue())
                    : p.getKey().equals("charset") && p.getValue().equals("utf-8");
            if (!allowed) {
                return Optional.of("content-type '" + actual + "' but golden has '" + golden + "'");
            }
        }
        for (String key : g.keySet()) {
            if (!a.containsKey(key)) {
                return Optional.of("content-type '" + actual + "' lacks '" + key + "' (golden '" + golden + "')");
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> parseMediaType(String value) {
        Map<String, String> result = new LinkedHashMap<>();
        String[] parts = value.split(";");
        result.put("", parts[0].trim().toLowerCase(Locale.ROOT));
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            String v = kv.length > 1 ? kv[1].trim().replace("\"", "") : "";
            result.put(kv[0].trim().toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT));
        }
        return result;
    }

    private static List<String> normalizeList(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).toList();
    }
}
