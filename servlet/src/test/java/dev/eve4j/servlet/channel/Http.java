package dev.eve4j.servlet.channel;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A small JDK HttpClient wrapper for the channel tests; every call has a timeout. */
final class Http {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  /** A response: status, headers, body, body as JSON. */
  record Res(int status, HttpResponse<String> raw) {
    JsonObject json() {
      return JsonParser.parseString(raw.body()).getAsJsonObject();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + raw.body();
    }
  }

  private Http() {}

  static HttpRequest.Builder request(URI uri, String method, String key, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  static Res send(URI uri, String method, String key, String body, String... headers) {
    try {
      HttpResponse<String> r = CLIENT.send(request(uri, method, key, body, headers).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Res(r.statusCode(), r);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static CompletableFuture<Res> sendAsync(URI uri, String method, String key, String body, String... headers) {
    return CLIENT.sendAsync(request(uri, method, key, body, headers).build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Res(r.statusCode(), r));
  }

  /** Single-quoted JSON to JSON. */
  static String j(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }
}
