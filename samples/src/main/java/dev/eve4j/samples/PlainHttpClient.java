package dev.eve4j.samples;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * The eve session protocol with nothing but {@code java.net.http} and Gson: create a session with a
 * first message, then read its NDJSON event stream until the agent waits for the next message.
 *
 * <pre>
 * java -cp ... dev.eve4j.samples.PlainHttpClient http://127.0.0.1:3000/eve/v1 "hello there"
 * </pre>
 *
 * <p>The base URL may also be given without {@code /eve/v1}. Prints one line per event ({@code
 * type} and {@code data}), then the final answer. Exit code 1 if the server answers with an error.
 */
public final class PlainHttpClient {

  private PlainHttpClient() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println(
          "usage: PlainHttpClient <base URL, e.g. http://127.0.0.1:3000/eve/v1> <message>");
      System.exit(2);
    }
    String base = args[0].replaceAll("/+$", "");
    if (!base.endsWith("/eve/v1")) {
      base += "/eve/v1";
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    JsonObject body = new JsonObject();
    body.addProperty("message", args[1]);
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/session"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() / 100 != 2) {
      fail("create", created.statusCode(), created.body());
    }
    String sessionId =
        JsonParser.parseString(created.body()).getAsJsonObject().get("sessionId").getAsString();
    System.out.println("session " + sessionId);

    // The stream replays the session from index 0 and then follows it live; it does not end at a
    // turn boundary, so the reader decides when it has seen enough.
    String id = URLEncoder.encode(sessionId, StandardCharsets.UTF_8).replace("+", "%20");
    HttpResponse<Stream<String>> stream =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/session/" + id + "/stream")).GET().build(),
            HttpResponse.BodyHandlers.ofLines());
    if (stream.statusCode() != 200) {
      fail("stream", stream.statusCode(), String.join("\n", stream.body().toList()));
    }
    String answer = null;
    try (Stream<String> lines = stream.body()) {
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.isBlank()) {
          continue; // heartbeat: keeps idle connections open
        }
        JsonObject event = JsonParser.parseString(line).getAsJsonObject();
        String type = event.get("type").getAsString();
        JsonObject data = event.has("data") ? event.getAsJsonObject("data") : new JsonObject();
        System.out.println(type + " " + data);
        if (type.equals("message.completed")) {
          answer = data.get("message").getAsString();
        }
        if (type.equals("session.waiting")
            || type.equals("session.completed")
            || type.equals("session.failed")) {
          break; // closing the stream closes the connection; the session lives on
        }
      }
    }
    System.out.println("answer: " + answer);
  }

  private static void fail(String what, int status, String body) {
    System.err.println(what + " failed with HTTP " + status + ": " + body);
    System.exit(1);
  }
}
