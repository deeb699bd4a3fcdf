package dev.eve4j.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.eve4j.protocol.UploadPolicy;
import dev.eve4j.servlet.EveServletOptions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EveServletOptions#uploadPolicy()}, eve's {@code uploadPolicy}: a file over the size cap gets
 * 413, a file of a type not allowed 415, both with every violation listed and nothing created or
 * appended; files within the policy go through.
 */
@Timeout(60)
class UploadPolicyContractTest {
    private static EveTestServer server;
    private static EveClient client;

    @BeforeAll
    static void start() {
        server = EveTestServer.start(EveServletOptions.defaults()
                .withUploadPolicy(UploadPolicy.defaults().withMaxBytes(16).withAllowedMediaTypes(List.of("text/plain", "image/*"))));
        client = server.client();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String message(String... parts) {
        return "{\"message\":[{\"type\":\"text\",\"text\":\"see attached\"}," + String.join(",", parts) + "]}";
    }

    private static String file(String mediaType, String data, String filename) {
        return "{\"type\":\"file\",\"mediaType\":\"" + mediaType + "\",\"data\":\"" + data + "\""
                + (filename == null ? "" : ",\"filename\":\"" + filename + "\"") + "}";
    }

    private static void assertRefused(EveClient.Response response, int status, String body) {
        assertEquals(status, response.status(), response::toString);
        assertEquals(body, response.body(), "the body, byte for byte (eve's key order)");
        assertTrue(response.header("x-eve-session-id").isEmpty(), () -> "no session was created: " + response);
    }

    @Test
    void aFileOverTheCapIs413WithEveryViolation() {
        String big = b64("twenty bytes of text");
        assertRefused(client.postJson("/session", message(file("text/plain", big, "notes.txt"),
                file("application/pdf", "https://files.example.com/r.pdf", null))), 413,
                "{\"error\":\"notes.txt (20 bytes) exceeds the 16-byte upload limit.\",\"ok\":false,\"violations\":["
                + "{\"byteLength\":20,\"filename\":\"notes.txt\",\"kind\":\"too-large\",\"limit\":16,\"mediaType\":\"text/plain\"},"
                + "{\"allowedMediaTypes\":[\"text/plain\",\"image/*\"],\"kind\":\"disallowed-media-type\",\"mediaType\":\"application/pdf\"}]}");
    }

    @Test
    void aTypeNotAllowedIs415EvenByUrl() {
        assertRefused(client.postJson("/session", message(file("application/pdf", "https://files.example.com/r.pdf", "r.pdf"))),
                415, "{\"error\":\"r.pdf has media type \\\"application/pdf\\\" which is not allowed by this route."
                + " Allowed: text/plain, image/*.\",\"ok\":false,\"violations\":[{\"allowedMediaTypes\":[\"text/plain\",\"image/*\"],"
                + "\"filename\":\"r.pdf\",\"kind\":\"disallowed-media-type\",\"mediaType\":\"application/pdf\"}]}");
    }

    @Test
    void filesWithinThePolicyGoThroughAndAFollowUpIsCheckedToo() {
        String created = message(file("text/plain", b64("hello file"), "note.txt"),
                file("IMAGE/PNG", "data:image/png;base64," + b64("png!"), null),
                file("image/jpeg", "https://files.example.com/large-but-unknown.jpg", "cat.jpg"));
        EveClient.Response ok = client.postJson("/session", created);
        assertEquals(202, ok.status(), ok::toString);
        String sessionId = ok.json().get("sessionId").getAsString();
        List<JsonObject> turn0 = client.readTurn(sessionId, 0);

        assertRefused(client.postJson(EveClient.sessionPath(sessionId), "{\"message\":[" + file("text/csv", b64("a,b"), "t.csv")
                + "]}"), 415, "{\"error\":\"t.csv has media type \\\"text/csv\\\" which is not allowed by this route."
                + " Allowed: text/plain, image/*.\",\"ok\":false,\"violations\":[{\"allowedMediaTypes\":[\"text/plain\",\"image/*\"],"
                + "\"filename\":\"t.csv\",\"kind\":\"disallowed-media-type\",\"mediaType\":\"text/csv\"}]}");
        assertEquals(turn0.size(), client.journalLines(sessionId).size(), "the refused message appended nothing");
        String deliveryId = client.followUp(sessionId, "after the refused one");
        List<JsonObject> turn1 = client.readTurn(sessionId, turn0.size());
        assertEquals("turn_1", Turns.data(turn1.get(0), "turnId"), "the refused message took no turn");
        Shapes.assertAllCarry("turn after a refused file", turn1, deliveryId);
    }
}
