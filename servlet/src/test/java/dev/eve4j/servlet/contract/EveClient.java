package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * JDK {@link HttpClient} helpers for the eve routes of one {@link EveTestServer} (HTTP/1.1, like the golden recorder).
 * Thread-safe; streams it opened are closed with the client.
 */
final class EveClient implements AutoCloseable {
    /** Upper bound for one ordinary turn (the scripted model answers in well under a second). */
    static final Duration TURN = Duration.ofSeconds(15);
    /** Upper bound for the ~6 s {@code slow:} turn. */
    static final Duration SLOW_TURN = Duration.ofSeconds(30);
    /** Upper bound for anything that should be immediate. */
    static final Duration SHORT = Duration.ofSeconds(5);

    private final EveTestServer server;
    private final HttpClient http;
    private final List<NdjsonStream> streams = new CopyOnWriteArrayList<>();

    EveClient(EveTestServer server) {
        this.server = server;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A complete non-streaming response. */
    record Response(String request, int status, HttpHeaders headers, String body) {
        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        JsonObject json() {
            return Json.object(body);
        }

        @Override
        public String toString() {
            return request + " -> " + status + " " + headers.map() + " " + Json.abbreviate(body);
        }
    }

    HttpClient http() {
        return http;
    }

    /**
     * Sends one request to an absolute path ({@code /eve/v1/...}). {@code body == null} sends no body;
     * {@code headers} are name/value pairs (e.g. {@code "content-type", "application/json"}).
     */
    Response sendAbsolute(String method, String pathAndQuery, String body, String... headers) {
        URI uri = server.absolute(pathAndQuery);
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).method(method, publisher);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return send(builder.build(), method + " " + pathAndQuery + (body == null ? "" : " " + Json.abbreviate(body)));
    }

    Response send(HttpRequest request, String description) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(description, response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new AssertionError(description + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(description + " interrupted", e);
        }
    }

    Response get(String eveRelative) {
        return sendAbsolute("GET", "/eve/v1" + eveRelative, null);
    }

    Response head(String eveRelative) {
        return sendAbsolute("HEAD", "/eve/v1" + eveRelative, null);
    }

    /** POST with {@code content-type: application/json}. */
    Response postJson(String eveRelative, String json) {
        return sendAbsolute("POST", "/eve/v1" + eveRelative, json, "content-type", "application/json");
    }

    /** POST without body and without content-type: the client's prewarm create. */
    Response postNoBody(String eveRelative) {
        return sendAbsolute("POST", "/eve/v1" + eveRelative, null);
    }

    /** POST with {@code content-type: application/json} and an empty body: how the client calls /compact and /clear. */
    Response postEmptyJson(String eveRelative) {
        return sendAbsolute("POST", "/eve/v1" + eveRelative, null, "content-type", "application/json");
    }

    NdjsonStream stream(String eveRelative) {
        NdjsonStream stream = NdjsonStream.open(http, server.eve(eveRelative));
        streams.add(stream);
        return stream;
    }

    static String sessionPath(String sessionId) {
        return "/session/" + URLEncoder.encode(sessionId, StandardCharsets.UTF_8);
    }

    /** Opens the session stream with {@code query} (without the leading '?'; may be empty). */
    NdjsonStream streamSession(String sessionId, String query) {
        return stream(sessionPath(sessionId) + "/stream" + (query.isEmpty() ? "" : "?" + query));
    }

    /** The stream query the client sends for a turn read from {@code startIndex} (omitted when 0). */
    static String turnQuery(int startIndex) {
        return "streamControlVersion=1" + (startIndex == 0 ? "" : "&startIndex=" + startIndex);
    }

    /** POST /session with a first message; asserts 202 and returns the session id. */
    String createSession(String message) {
        JsonObject body = new JsonObject();
        body.addProperty("message", message);
        Response response = postJson("/session", body.toString());
        assertEquals(202, response.status(), () -> "create: " + response);
        return Json.string(response.json(), "sessionId");
    }

    /** POST /session/:id with a message; asserts 202 and returns the (non-empty) delivery id. */
    String followUp(String sessionId, String message) {
        JsonObject body = new JsonObject();
        body.addProperty("message", message);
        Response response = postJson(sessionPath(sessionId), body.toString());
        assertEquals(202, response.status(), () -> "follow-up: " + response);
        String deliveryId = Json.string(response.json(), "deliveryId");
        assertFalse(deliveryId.isEmpty(), () -> "follow-up returned an empty deliveryId: " + response);
        return deliveryId;
    }

    /** Reads a turn like the client: stream from {@code startIndex} with streamControlVersion=1 until session.waiting. */
    List<JsonObject> readTurn(String sessionId, int startIndex) {
        try (NdjsonStream stream = streamSession(sessionId, turnQuery(startIndex))) {
            assertEquals(200, stream.status(), () -> "turn stream: " + stream.describe());
            return stream.readUntilType("session.waiting", TURN);
        }
    }

    /** The whole journal ({@code follow=false}); asserts a clean, bounded 200 response. */
    List<String> journalLines(String sessionId) {
        try (NdjsonStream stream = streamSession(sessionId, "startIndex=0&follow=false")) {
            assertEquals(200, stream.status(), () -> "journal read: " + stream.describe());
            assertTrue(stream.awaitEnd(SHORT), () -> "follow=false did not end: " + stream.describe());
            assertTrue(stream.endedCleanly(), () -> "follow=false did not end cleanly: " + stream.describe());
            assertFalse(stream.unterminatedFinalLine(), () -> "last NDJSON line lacks its \\n: " + stream.describe());
            return stream.eventLines();
        }
    }

    List<JsonObject> journal(String sessionId) {
        return journalLines(sessionId).stream().map(Json::object).toList();
    }

    @Override
    public void close() {
        streams.forEach(NdjsonStream::close);
        streams.clear();
    }
}
