package dev.eve4j.model.http;

import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelException;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ToolCall;
import dev.eve4j.protocol.TokenUsage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One streaming model call: attempts, the idle timer, the body subscribers and the guarded
 * listener. Every listener call happens while holding {@link #lock} (the decoder runs under it
 * too), so the listener hears one callback at a time whichever thread delivers the bytes or fires
 * the timer; {@link #cancel} takes no lock, so a listener may call it from a callback.
 */
final class StreamCall implements ModelCall {
  private static final Logger LOG = Logger.getLogger(Transport.class.getName());
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final Transport.Settings settings;
  private final Transport.Exchange exchange;
  private final ModelListener target;
  private final long idleNanos;
  private final Object lock = new Object();

  // Guarded by lock.
  private boolean terminal;

  private volatile boolean cancelled;
  private volatile CompletableFuture<?> inFlight;
  private volatile Flow.Subscription subscription;
  private volatile ScheduledFuture<?> timer;
  private volatile ScheduledFuture<?> retry;
  private volatile long lastActivity;

  StreamCall(Transport.Settings settings, Transport.Exchange exchange, ModelListener target) {
    this.settings = settings;
    this.exchange = exchange;
    this.target = target;
    this.idleNanos = settings.idleTimeout().toNanos();
  }

  void start() {
    attempt(0);
  }

  @Override
  public void cancel() {
    cancelled = true;
    cancelTask(retry);
    cancelTask(timer);
    abort();
  }

  // ---- attempts -------------------------------------------------------------------------------

  private void attempt(int n) {
    if (cancelled || isTerminal()) {
      return;
    }
    lastActivity = System.nanoTime();
    armTimer(idleNanos);
    CompletableFuture<HttpResponse<Void>> f;
    try {
      f = settings.client().sendAsync(exchange.request(), info -> {
        lastActivity = System.nanoTime();
        int status = info.statusCode();
        return status >= 200 && status < 300 ? new EventBody() : new ErrorBody(status, info.headers(), n);
      });
    } catch (RuntimeException e) {
      fail(new ModelException(ModelException.NETWORK,
          "cannot send the request to " + settings.label() + ": " + e.getMessage(), e));
      return;
    }
    inFlight = f;
    // Both body subscribers complete getBody() at once, so this only reports failures that happen
    // before the response head; later failures reach the subscriber's onError.
    f.whenComplete((response, error) -> {
      if (error != null) {
        failedBeforeResponse(unwrap(error), n);
      }
    });
    if (cancelled) {
      f.cancel(true);
    }
  }

  private void failedBeforeResponse(Throwable error, int n) {
    if (cancelled || isTerminal() || error instanceof CancellationException) {
      return;
    }
    if (error instanceof HttpConnectTimeoutException) {
      fail(new ModelException(ModelException.TIMEOUT,
          "could not connect to " + settings.label() + " in time", error));
      return;
    }
    if (error instanceof HttpTimeoutException) {
      fail(new ModelException(ModelException.TIMEOUT, settings.label() + " did not answer in time", error));
      return;
    }
    String reason = error instanceof ConnectException ? "connection refused"
        : error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
    ModelException failure = new ModelException(ModelException.NETWORK,
        "cannot reach " + settings.label() + ": " + reason, error);
    if (error instanceof IOException && n < settings.maxRetries()) {
      retryLater(n, backoff(n), failure);
    } else {
      fail(failure);
    }
  }

  private void httpFailed(int status, HttpHeaders headers, String body, int n) {
    if (cancelled || isTerminal()) {
      return;
    }
    ModelException failure = exchange.httpError(status, headers, body);
    if (n < settings.maxRetries() && exchange.retryable(status, headers, body)) {
      Duration delay = retryAfter(headers);
      if (delay == null) {
        delay = backoff(n);
      }
      if (delay.compareTo(settings.maxRetryAfter()) <= 0) {
        retryLater(n, delay, failure);
        return;
      }
    }
    fail(failure);
  }

  private void retryLater(int n, Duration delay, ModelException because) {
    cancelTask(timer);
    LOG.info(() -> settings.label() + ": " + because.code() + " (" + redactSafe(because.getMessage()) + "); retry "
        + (n + 1) + " of " + settings.maxRetries() + " in " + delay.toMillis() + " ms");
    try {
      retry = settings.scheduler().schedule(() -> attempt(n + 1), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      fail(because);
      return;
    }
    if (cancelled) {
      cancelTask(retry);
    }
  }

  private Duration backoff(int n) {
    long initial = settings.initialBackoff().toMillis();
    long capped = Math.min(settings.maxBackoff().toMillis(), initial << Math.min(n, 20));
    long jitter = (long) (capped * 0.25 * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(Math.max(1, capped - jitter));
  }

  /** {@code retry-after-ms} (OpenAI), else {@code retry-after} in seconds or as an HTTP date. */
  static Duration retryAfter(HttpHeaders headers) {
    String ms = headers.firstValue("retry-after-ms").orElse(null);
    if (ms != null) {
      try {
        return Duration.ofMillis(Math.max(0, (long) Double.parseDouble(ms.trim())));
      } catch (NumberFormatException e) {
        // fall through to retry-after
      }
    }
    String after = headers.firstValue("retry-after").orElse(null);
    if (after == null) {
      return null;
    }
    try {
      return Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(after.trim()) * 1000)));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(after.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  // ---- idle timer -----------------------------------------------------------------------------

  private void armTimer(long delayNanos) {
    cancelTask(timer);
    try {
      timer = settings.scheduler().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.log(Level.WARNING, "cannot schedule the idle timeout of a model call", e);
    }
  }

  private void checkIdle() {
    if (cancelled) {
      return;
    }
    long idle = System.nanoTime() - lastActivity;
    if (idle < idleNanos) {
      armTimer(idleNanos - idle);
      return;
    }
    synchronized (lock) {
      if (terminal) {
        // Finished, but the body never ended: stop waiting for it.
        abort();
        return;
      }
    }
    fail(new ModelException(ModelException.TIMEOUT, settings.label() + " sent nothing for "
        + settings.idleTimeout().toMillis() / 1000.0 + " s"));
  }

  // ---- endings --------------------------------------------------------------------------------

  private boolean isTerminal() {
    synchronized (lock) {
      return terminal;
    }
  }

  /** Reports {@code error} unless the call already ended, then closes the connection. */
  private void fail(ModelException error) {
    boolean report;
    synchronized (lock) {
      report = !terminal && !cancelled;
      terminal = true;
      if (report) {
        target.onError(safe(error));
      }
    }
    cancelTask(timer);
    cancelTask(retry);
    abort();
  }

  private ModelException safe(ModelException e) {
    String message = redactSafe(e.getMessage());
    return message.equals(e.getMessage()) ? e : new ModelException(e.code(), message, e.getCause());
  }

  private String redactSafe(String text) {
    return ProviderErrors.redact(text, settings.apiKey());
  }

  private void abort() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    CompletableFuture<?> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
  }

  private static void cancelTask(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  // ---- bodies ---------------------------------------------------------------------------------

  /** A 2xx body: SSE events into the provider's decoder, as they arrive. */
  private final class EventBody implements HttpResponse.BodySubscriber<Void> {
    private final Transport.EventDecoder decoder = exchange.decoder(new Sink());
    private final SseParser parser = new SseParser(this::onEvent);
    private Flow.Subscription upstream;

    @Override
    public CompletionStage<Void> getBody() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      upstream = s;
      subscription = s;
      if (cancelled || isTerminal()) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      lastActivity = System.nanoTime();
      ModelException broken = null;
      synchronized (lock) {
        try {
          for (ByteBuffer b : buffers) {
            parser.feed(b);
          }
        } catch (ModelException e) {
          broken = e;
        }
      }
      if (broken != null) {
        fail(broken);
      } else if (!cancelled) {
        // Also after the end: the rest of the body is drained so the connection can be reused.
        upstream.request(1);
      }
    }

    private void onEvent(String event, String data) {
      // Under lock (called from feed/finish).
      if (terminal || cancelled) {
        return;
      }
      try {
        decoder.onEvent(event, data);
      } catch (ModelException e) {
        fail(e);
      } catch (RuntimeException e) {
        fail(new ModelException(ModelException.PROVIDER_ERROR,
            settings.label() + " sent an unreadable '" + event + "' event: " + e.getMessage(), e));
      }
    }

    @Override
    public void onError(Throwable error) {
      if (cancelled) {
        return;
      }
      String reason = error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
      fail(new ModelException(ModelException.NETWORK,
          "the connection to " + settings.label() + " was lost mid-stream: " + reason, error));
    }

    @Override
    public void onComplete() {
      cancelTask(timer);
      synchronized (lock) {
        if (terminal || cancelled) {
          return;
        }
        try {
          parser.finish();
          if (!terminal) {
            decoder.onEnd();
          }
        } catch (ModelException e) {
          fail(e);
        } catch (RuntimeException e) {
          fail(new ModelException(ModelException.PROVIDER_ERROR,
              settings.label() + " ended the stream with an unreadable event: " + e.getMessage(), e));
        }
        if (!terminal) {
          fail(new ModelException(ModelException.NETWORK,
              settings.label() + " ended the stream before the response was complete"));
        }
      }
    }
  }

  /** A non-2xx body: collected (up to 64 KiB), then retried or reported. */
  private final class ErrorBody implements HttpResponse.BodySubscriber<Void> {
    private final int status;
    private final HttpHeaders headers;
    private final int attempt;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    ErrorBody(int status, HttpHeaders headers, int attempt) {
      this.status = status;
      this.headers = headers;
      this.attempt = attempt;
    }

    @Override
    public CompletionStage<Void> getBody() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (cancelled) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      lastActivity = System.nanoTime();
      for (ByteBuffer b : buffers) {
        int n = Math.min(b.remaining(), MAX_ERROR_BODY - body.size());
        if (n > 0) {
          byte[] bytes = new byte[n];
          b.get(bytes);
          body.write(bytes, 0, n);
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      done();
    }

    @Override
    public void onComplete() {
      done();
    }

    private void done() {
      httpFailed(status, headers, body.toString(StandardCharsets.UTF_8), attempt);
    }
  }

  /** The decoder's view of the listener: silent after the end or a cancel. Called under lock. */
  private final class Sink implements ModelListener {
    private boolean open() {
      return !terminal && !cancelled;
    }

    @Override
    public void onReasoningDelta(String delta) {
      if (open()) {
        target.onReasoningDelta(delta);
      }
    }

    @Override
    public void onTextDelta(String delta) {
      if (open()) {
        target.onTextDelta(delta);
      }
    }

    @Override
    public void onToolInputDelta(String callId, String toolName, String delta) {
      if (open()) {
        target.onToolInputDelta(callId, toolName, delta);
      }
    }

    @Override
    public void onToolCall(ToolCall call) {
      if (open()) {
        target.onToolCall(call);
      }
    }

    @Override
    public void onFinish(String finishReason, TokenUsage usage) {
      if (open()) {
        terminal = true;
        target.onFinish(finishReason, usage);
      }
    }

    @Override
    public void onError(Throwable error) {
      ModelException e = error instanceof ModelException ? (ModelException) error
          : new ModelException(ModelException.PROVIDER_ERROR, String.valueOf(error.getMessage()), error);
      if (open()) {
        terminal = true;
        target.onError(safe(e));
      }
      // The rest of the body is of no use: close the connection (allowed from within onNext).
      cancelTask(timer);
      abort();
    }
  }
}
