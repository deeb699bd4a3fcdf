package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Replays a recorded (non-streaming) golden request against our server and compares status, body and headers. */
final class Replay {
    /** Request headers the recorder sent that matter to the server (the rest is transport: host, length, ...). */
    private static final Set<String> FORWARDED = Set.of(
            "content-type", "origin", "access-control-request-method", "access-control-request-headers",
            "authorization");
    /** Ids the server generates; learnt from our response the first time a golden value is seen. */
    private static final List<String> LEARNT_KEYS = List.of("sessionId", "deliveryId", "previousSessionId");

    private Replay() {}

    static EveClient.Response send(EveClient client, Golden.Exchange exchange, Subst subst) {
        List<String> headers = new ArrayList<>();
        for (String[] h : exchange.requestHeaders()) {
            if (FORWARDED.contains(h[0].toLowerCase(Locale.ROOT))) {
                headers.add(h[0]);
                headers.add(subst.apply(h[1]));
            }
        }
        return client.sendAbsolute(exchange.method(), subst.apply(exchange.path()), subst.apply(exchange.requestBody()),
                headers.toArray(String[]::new));
    }

    /** Replays and asserts: same status, byte-identical body after substitutions, same protocol headers. */
    static EveClient.Response assertReplays(EveClient client, Golden.Exchange exchange, Subst subst) {
        EveClient.Response response = send(client, exchange, subst);
        assertMatches(exchange, response, subst);
        return response;
    }

    static void assertMatches(Golden.Exchange exchange, EveClient.Response response, Subst subst) {
        String what = exchange.describe();
        assertEquals(exchange.status(), response.status(), () -> what + ": status; got " + response);
        String goldenBody = exchange.body();
        learnIds(what, goldenBody, response.body(), subst);
        assertAll(what,
                () -> assertEquals(subst.apply(goldenBody), response.body(), () -> what + ": body (byte-exact, ids substituted)"),
                () -> Shapes.assertEveHeaders(what, exchange.responseHeaders(), response.headers(), subst, Set.of()));
    }

    private static void learnIds(String what, String goldenBody, String actualBody, Subst subst) {
        if (!goldenBody.startsWith("{") || !actualBody.startsWith("{")) {
            return;
        }
        JsonObject golden = Json.object(goldenBody);
        JsonObject actual;
        try {
            actual = Json.object(actualBody);
        } catch (AssertionError notJson) {
            return; // the byte comparison reports it
        }
        for (String key : LEARNT_KEYS) {
            JsonElement g = golden.get(key);
            JsonElement a = actual.get(key);
            if (g != null && g.isJsonPrimitive() && !subst.knows(g.getAsString()) && a != null && a.isJsonPrimitive()) {
                assertFalse(a.getAsString().isEmpty(), () -> what + ": empty " + key + " in " + actualBody);
                subst.put(g.getAsString(), a.getAsString());
            }
        }
    }
}
