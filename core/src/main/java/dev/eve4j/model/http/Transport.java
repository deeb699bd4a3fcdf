package dev.eve4j.model.http;

import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelException;
import dev.eve4j.model.ModelListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Streams one provider's model calls: sends a request with {@link HttpClient#sendAsync}, reads the
 * SSE body as it arrives (no thread waits on a call), hands each event to the provider's
 * {@link EventDecoder}, and owns what every provider shares: the idle timeout, retries before the
 * first byte, cancellation that closes the connection, and turning failures into
 * {@link ModelException}s whose messages never carry the key. Internal (see the package javadoc).
 * Thread-safe; one instance serves every call of a model.
 */
public final class Transport {
  private static final ScheduledExecutorService SHARED = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "eve4j-model-timer");
    t.setDaemon(true);
    return t;
  });

  /**
   * What the transport needs from the provider for one call. Called on HTTP client and timer
   * threads, never concurrently; must not block.
   */
  public interface Exchange {
    /** The request; sent again, unchanged, on a retry. */
    HttpRequest request();

    /** The error for a non-2xx answer; {@code body} is its first 64 KiB as text. */
    ModelException httpError(int status, HttpHeaders headers, String body);

    /**
     * Whether a non-2xx answer is worth another attempt. The default follows {@code x-should-retry}
     * when present, else retries 408, 409, 429 and 5xx.
     */
    default boolean retryable(int status, HttpHeaders headers, String body) {
      String should = headers.firstValue("x-should-retry").orElse("");
      if (should.equalsIgnoreCase("true")) {
        return true;
      }
      if (should.equalsIgnoreCase("false")) {
        return false;
      }
      return status == 408 || status == 409 || status == 429 || status >= 500;
    }

    /**
     * A decoder for one 2xx response. It reports to {@code sink}, which forwards to the caller's
     * listener until the first {@code onFinish}/{@code onError} or a cancel, and drops the rest.
     */
    EventDecoder decoder(ModelListener sink);
  }

  /**
   * Turns SSE events into listener calls. Called on HTTP client threads, one event at a time (never
   * concurrently), and must not block; may throw a {@link ModelException} (reported as is) or any
   * other runtime exception (reported as an unreadable event).
   */
  public interface EventDecoder {
    void onEvent(String event, String data);

    /** The body ended: finish, or report that the response was cut short. */
    void onEnd();
  }

  record Settings(HttpClient client, String label, String apiKey, Map<String, String> headers,
      Duration idleTimeout, int maxRetries, Duration initialBackoff, Duration maxBackoff,
      Duration maxRetryAfter, ScheduledExecutorService scheduler) {}

  private final Settings settings;

  Transport(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  static ScheduledExecutorService sharedScheduler() {
    return SHARED;
  }

  /** How messages name the provider: "OpenAI", or "OpenAI-compatible server 127.0.0.1:8080". */
  public String label() {
    return settings.label();
  }

  /**
   * A POST of {@code json} to {@code uri} that asks for an event stream. The provider adds its own
   * headers, then builds it with {@link #finish}.
   */
  public HttpRequest.Builder post(URI uri, byte[] json) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .POST(HttpRequest.BodyPublishers.ofByteArray(json))
        .header("content-type", "application/json")
        .header("accept", "text/event-stream");
    if ("http".equalsIgnoreCase(uri.getScheme())) {
      // No h2c upgrade dance with local servers; https negotiates HTTP/2 through ALPN.
      b.version(HttpClient.Version.HTTP_1_1);
    }
    return b;
  }

  /** Applies the builder's extra headers (they win over the provider's) and builds. */
  public HttpRequest finish(HttpRequest.Builder b) {
    settings.headers().forEach(b::setHeader);
    return b.build();
  }

  /** {@code text} with the key and anything secret-shaped removed. */
  public String redact(String text) {
    return ProviderErrors.redact(text, settings.apiKey());
  }

  /** Starts a call; returns at once. The listener hears from HTTP client or timer threads. */
  public ModelCall start(Exchange exchange, ModelListener listener) {
    StreamCall call = new StreamCall(settings, exchange, listener);
    call.start();
    return call;
  }
}
