package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.eve4j.servlet.EveServletOptions;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link EveServletOptions#maxBodyBytes()}: a body over the limit gets 413 and changes nothing. */
@Timeout(60)
class RequestBodyLimitContractTest {
    private static final int LIMIT = 1024;
    private static final String OVERSIZED = "{\"message\":\"" + "x".repeat(4 * LIMIT) + "\"}";

    private static EveTestServer server;
    private static EveClient client;

    @BeforeAll
    static void start() {
        server = EveTestServer.start(EveServletOptions.defaults().withMaxBodyBytes(LIMIT));
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void assertRejected(EveClient.Response response) {
        assertEquals(413, response.status(), response::toString);
        JsonObject body = response.json();
        assertFalse(body.get("ok").getAsBoolean(), () -> "flat error body with ok:false: " + response);
        assertFalse(Json.string(body, "error").isBlank(), () -> "flat error body with an error text: " + response);
        assertFalse(body.has("sessionId") || body.has("deliveryId"), () -> "nothing was accepted: " + response);
        assertTrue(response.header("x-eve-session-id").isEmpty(), () -> "no session was created: " + response);
    }

    @Test
    void createWithABodyOverTheLimitIs413() {
        assertRejected(client.postJson("/session", OVERSIZED));
    }

    @Test
    void chunkedCreateOverTheLimitIs413() {
        byte[] bytes = OVERSIZED.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(server.eve("/session"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))) // no length: chunked
                .build();
        assertRejected(client.send(request, "chunked POST /session (" + bytes.length + " bytes)"));
    }

    @Test
    void aBodyWithinTheLimitIsAccepted() {
        String message = "y".repeat(LIMIT - 64);
        String sessionId = client.createSession(message);
        List<JsonObject> turn = client.readTurn(sessionId, 0);
        Turns.assertEchoTurn(server, turn, message);
    }

    @Test
    void followUpOverTheLimitIs413AndStartsNoTurn() {
        String sessionId = client.createSession("hello there");
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);
        assertRejected(client.postJson(EveClient.sessionPath(sessionId), OVERSIZED));
        assertEquals(turn0.size(), client.journalLines(sessionId).size(), "the rejected message appended nothing");
        String deliveryId = client.followUp(sessionId, "after the rejected one");
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        assertEquals("turn_1", Turns.data(turn1.get(0), "turnId"), "the rejected body did not take a turn");
        Shapes.assertAllCarry("turn after a rejected body", turn1, deliveryId);
        Turns.assertEchoTurn(server, turn1, "after the rejected one");
    }
}
