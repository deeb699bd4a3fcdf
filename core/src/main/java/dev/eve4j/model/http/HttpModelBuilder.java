package dev.eve4j.model.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The settings every HTTP provider shares: key, base URL, extra headers, timeouts, retries and the
 * threads to use. Setters check their argument at once and say what was wrong. Not thread-safe;
 * the models it builds are.
 *
 * @param <B> the provider's own builder type
 */
public abstract class HttpModelBuilder<B extends HttpModelBuilder<B>> {
  private final String model;
  private String apiKey;
  private URI baseUrl;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private Duration connectTimeout = Duration.ofSeconds(10);
  private Duration idleTimeout = Duration.ofMinutes(5);
  private int maxRetries = 2;
  private Duration initialBackoff = Duration.ofMillis(500);
  private Duration maxBackoff = Duration.ofSeconds(8);
  private Duration maxRetryAfter = Duration.ofSeconds(60);
  private ScheduledExecutorService scheduler;
  private HttpClient client;

  protected HttpModelBuilder(String model, String defaultBaseUrl) {
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("the model name must not be blank");
    }
    this.model = model.trim();
    this.baseUrl = parseBaseUrl(defaultBaseUrl);
  }

  protected abstract B self();

  /** The API key; null or blank sends none (local servers need none). */
  public B apiKey(String apiKey) {
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    return self();
  }

  /** The provider's base URL (http or https); a trailing slash is ignored. */
  public B baseUrl(String baseUrl) {
    this.baseUrl = parseBaseUrl(Objects.requireNonNull(baseUrl, "baseUrl"));
    return self();
  }

  /** An extra header sent with every request (it replaces a provider header of the same name). */
  public B header(String name, String value) {
    Objects.requireNonNull(name, "header name");
    Objects.requireNonNull(value, "header value");
    try {
      HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header(name, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("header '" + name + "' cannot be set: " + e.getMessage(), e);
    }
    headers.put(name, value);
    return self();
  }

  /** How long to wait for a connection; default 10 s. */
  public B connectTimeout(Duration timeout) {
    this.connectTimeout = positive(timeout, "connectTimeout");
    return self();
  }

  /**
   * How long the provider may send nothing, from the request until the response ends (waiting for
   * the first byte included, retry pauses excluded); default 5 min, since reasoning models can
   * think that long before their first token.
   */
  public B idleTimeout(Duration timeout) {
    this.idleTimeout = positive(timeout, "idleTimeout");
    return self();
  }

  /** Retries of 408, 409, 429 and 5xx answers and of failed connections, before any byte; default 2. */
  public B maxRetries(int retries) {
    if (retries < 0 || retries > 10) {
      throw new IllegalArgumentException("maxRetries must be in 0..10, was " + retries);
    }
    this.maxRetries = retries;
    return self();
  }

  /**
   * The pause before retry {@code n} is {@code min(initial * 2^n, max)}, less up to 25% jitter,
   * unless the provider says how long ({@code retry-after}, {@code retry-after-ms}); defaults
   * 500 ms and 8 s. A provider asking for more than {@code max(60 s, max)} gets no retry: the
   * error is reported at once.
   */
  public B retryBackoff(Duration initial, Duration max) {
    this.initialBackoff = positive(initial, "initial backoff");
    this.maxBackoff = positive(max, "max backoff");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("the max backoff must not be shorter than the initial one");
    }
    this.maxRetryAfter = max.compareTo(Duration.ofSeconds(60)) > 0 ? max : Duration.ofSeconds(60);
    return self();
  }

  /** The timer for timeouts and retry pauses; default a shared daemon thread. It must not block. */
  public B scheduler(ScheduledExecutorService scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return self();
  }

  /**
   * The client to send with; default one client per model with the connect timeout. A client
   * given here keeps its own connect timeout.
   */
  public B httpClient(HttpClient client) {
    this.client = Objects.requireNonNull(client, "httpClient");
    return self();
  }

  protected final String model() {
    return model;
  }

  /** The API key, or null. */
  protected final String apiKey() {
    return apiKey;
  }

  /** The base URL, without a trailing slash. */
  protected final URI baseUrl() {
    return baseUrl;
  }

  /**
   * The transport for a model built now; {@code label} names the provider in messages ("OpenAI"),
   * and a non-default base URL is named by its host instead.
   */
  protected final Transport transport(String label, String defaultHost) {
    String host = baseUrl.getHost() + (baseUrl.getPort() >= 0 ? ":" + baseUrl.getPort() : "");
    String shown = baseUrl.getHost().equalsIgnoreCase(defaultHost) ? label : label + "-compatible server " + host;
    HttpClient http = client != null ? client
        : HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    return new Transport(new Transport.Settings(http, shown, apiKey, Collections.unmodifiableMap(new LinkedHashMap<>(headers)),
        idleTimeout, maxRetries, initialBackoff, maxBackoff, maxRetryAfter,
        scheduler != null ? scheduler : Transport.sharedScheduler()));
  }

  private static URI parseBaseUrl(String text) {
    String trimmed = text.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid base URL '" + text + "': " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("invalid base URL '" + text + "': expected http(s)://host[:port][/path]");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("invalid base URL '" + text + "': no query or fragment allowed");
    }
    return uri;
  }

  private static Duration positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
    return d;
  }
}
