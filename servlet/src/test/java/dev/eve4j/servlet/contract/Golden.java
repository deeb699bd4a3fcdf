package dev.eve4j.servlet.contract;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads the recorded traces of the real eve 0.80.1 server ({@code testdata/golden/eve-0.80.1}), the oracle of these
 * tests.
 *
 * <p>The folder is found by walking up from the working directory until a directory has a {@code testdata/golden}
 * child (vendored in the repository; a {@code shared/golden} upstream copy is accepted too). The system property {@code eve4j.golden} may point at the {@code eve-0.80.1} folder directly. A missing folder
 * fails the test: it is never skipped.
 */
final class Golden {
    static final String VERSION_DIR = "eve-0.80.1";
    private static volatile Path root;

    private Golden() {}

    static Path root() {
        Path found = root;
        if (found == null) {
            found = locate();
            root = found;
        }
        return found;
    }

    private static Path locate() {
        String override = System.getProperty("eve4j.golden");
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override).toAbsolutePath();
            if (!Files.isDirectory(path.resolve("01-simple-turn"))) {
                throw new AssertionError("-Deve4j.golden=" + override + " is not the " + VERSION_DIR + " golden folder");
            }
            return path;
        }
        Path start = Path.of("").toAbsolutePath().normalize();
        List<Path> tried = new ArrayList<>();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            // The repository vendors the traces in testdata/; ../shared is the upstream copy.
            for (String base : List.of("testdata", "shared")) {
                Path candidate = dir.resolve(base).resolve("golden").resolve(VERSION_DIR);
                tried.add(candidate);
                if (Files.isDirectory(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError("golden traces not found: walked up from " + start
                + " looking for testdata/golden/" + VERSION_DIR + " (vendored in the repository); tried " + tried);
    }

    static Scenario scenario(String name) {
        Path dir = root().resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("golden scenario folder missing: " + dir);
        }
        return new Scenario(name, dir);
    }

    /** One scenario folder: its journal ({@code events.ndjson}) and HTTP exchanges ({@code transcript.json}). */
    static final class Scenario {
        private final String name;
        private final Path dir;

        private Scenario(String name, Path dir) {
            this.name = name;
            this.dir = dir;
        }

        String name() {
            return name;
        }

        List<String> eventLines() {
            Path file = dir.resolve("events.ndjson");
            try {
                List<String> lines = new ArrayList<>();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        lines.add(line);
                    }
                }
                return lines;
            } catch (IOException e) {
                throw new AssertionError("cannot read " + file, e);
            }
        }

        List<JsonObject> events() {
            return eventLines().stream().map(Json::object).toList();
        }

        List<Exchange> exchanges() {
            Path file = dir.resolve("transcript.json");
            JsonElement parsed;
            try {
                parsed = Json.parseStrict(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AssertionError("cannot read " + file, e);
            }
            List<Exchange> exchanges = new ArrayList<>();
            for (JsonElement element : parsed.getAsJsonArray()) {
                exchanges.add(new Exchange(name, element.getAsJsonObject()));
            }
            return exchanges;
        }

        Exchange exchange(int n) {
            return exchanges().stream()
                    .filter(e -> e.n() == n)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no exchange #" + n + " in golden " + name));
        }
    }

    /** One recorded HTTP exchange. */
    static final class Exchange {
        private final String scenario;
        private final JsonObject raw;

        Exchange(String scenario, JsonObject raw) {
            this.scenario = scenario;
            this.raw = raw;
        }

        int n() {
            return raw.get("n").getAsInt();
        }

        String label() {
            return raw.get("label").getAsString();
        }

        String method() {
            return request().get("method").getAsString();
        }

        String path() {
            return request().get("path").getAsString();
        }

        /** Raw request body, or {@code null} when none was sent. */
        String requestBody() {
            JsonElement body = request().get("body");
            return body == null || body.isJsonNull() ? null : body.getAsString();
        }

        List<String[]> requestHeaders() {
            return headers(request());
        }

        Optional<String> requestHeader(String name) {
            return find(requestHeaders(), name);
        }

        int status() {
            return response().get("status").getAsInt();
        }

        List<String[]> responseHeaders() {
            return headers(response());
        }

        Optional<String> responseHeader(String name) {
            return find(responseHeaders(), name);
        }

        /** The response body of a plain (non-NDJSON) response. */
        String body() {
            JsonElement body = response().get("body");
            if (body == null || body.isJsonNull()) {
                return "";
            }
            if (!body.isJsonPrimitive()) {
                throw new AssertionError(describe() + " has an NDJSON body, not a plain one");
            }
            return body.getAsString();
        }

        /** Every line of an NDJSON response as received, blank lines included. */
        List<String> lines() {
            JsonElement body = response().get("body");
            if (body == null || !body.isJsonArray()) {
                throw new AssertionError(describe() + " is not an NDJSON response");
            }
            List<String> lines = new ArrayList<>();
            for (JsonElement line : body.getAsJsonArray()) {
                lines.add(line.getAsJsonObject().get("line").getAsString());
            }
            return lines;
        }

        /** The events (non-blank, non-control lines) of an NDJSON response. */
        List<JsonObject> streamEvents() {
            List<JsonObject> events = new ArrayList<>();
            for (String line : lines()) {
                if (!line.isBlank()) {
                    JsonObject object = Json.object(line);
                    if (!object.has("$eve")) {
                        events.add(object);
                    }
                }
            }
            return events;
        }

        /** {@code server-ended} or {@code client-closed} for NDJSON responses. */
        String end() {
            JsonElement end = response().get("end");
            return end == null || end.isJsonNull() ? "" : end.getAsString();
        }

        String describe() {
            return "golden " + scenario + " #" + n() + " (" + label() + "): " + method() + " " + path();
        }

        private JsonObject request() {
            return raw.getAsJsonObject("request");
        }

        private JsonObject response() {
            return raw.getAsJsonObject("response");
        }

        private static List<String[]> headers(JsonObject message) {
            List<String[]> headers = new ArrayList<>();
            JsonArray array = message.getAsJsonArray("headers");
            for (JsonElement pair : array) {
                JsonArray p = pair.getAsJsonArray();
                headers.add(new String[] {p.get(0).getAsString(), p.get(1).getAsString()});
            }
            return headers;
        }

        private static Optional<String> find(List<String[]> headers, String name) {
            String wanted = name.toLowerCase(Locale.ROOT);
            return headers.stream()
                    .filter(h -> h[0].toLowerCase(Locale.ROOT).equals(wanted))
                    .map(h -> h[1])
                    .findFirst();
        }
    }
}
