package dev.eve4j.channel;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * How an {@link OperatorChannel} delivers webhooks. Immutable.
 *
 * @param clock the time of deliveries and attempts
 * @param scheduler runs each attempt and each backoff wait; it must not run a task on the caller's
 *     thread (the caller may hold a vessel's lock)
 * @param httpClient sends the POSTs asynchronously ({@code sendAsync}); no thread waits on a delivery
 * @param attemptTimeout how long one attempt waits for a response (10 s)
 * @param backoff the waits before the second, third, … attempt (500 ms, 2 s: 3 attempts in all)
 * @param allowHosts hosts (names or IP literals, lower case) that may be private, loopback or plain
 *     {@code http}; every other webhook URL must be {@code https} and resolve to public addresses only
 */
public record WebhookOptions(Clock clock, Scheduler scheduler, HttpClient httpClient, Duration attemptTimeout,
    List<Duration> backoff, Set<String> allowHosts) {

  /** Runs a task after a delay, on a thread of its own choosing (never the caller's). */
  @FunctionalInterface
  public interface Scheduler {
    void schedule(Runnable task, Duration delay);
  }

  public WebhookOptions {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(httpClient, "httpClient");
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
      throw new IllegalArgumentException("attemptTimeout must be positive, was " + attemptTimeout);
    }
    backoff = List.copyOf(backoff);
    for (Duration d : backoff) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("backoff waits must not be negative, was " + d);
      }
    }
    allowHosts = allowHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  /** The seed's policy: 10 s per attempt, 3 attempts with 500 ms then 2 s between, no private hosts. */
  public static WebhookOptions defaults() {
    return new WebhookOptions(Clock.systemUTC(), DefaultScheduler::schedule,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), Duration.ofSeconds(10),
        List.of(Duration.ofMillis(500), Duration.ofSeconds(2)), Set.of());
  }

  /** Attempts per delivery: one more than the backoff waits. */
  public int maxAttempts() {
    return backoff.size() + 1;
  }

  public WebhookOptions withClock(Clock c) {
    return new WebhookOptions(c, scheduler, httpClient, attemptTimeout, backoff, allowHosts);
  }

  public WebhookOptions withScheduler(Scheduler s) {
    return new WebhookOptions(clock, s, httpClient, attemptTimeout, backoff, allowHosts);
  }

  public WebhookOptions withAttemptTimeout(Duration d) {
    return new WebhookOptions(clock, scheduler, httpClient, d, backoff, allowHosts);
  }

  public WebhookOptions withBackoff(List<Duration> b) {
    return new WebhookOptions(clock, scheduler, httpClient, attemptTimeout, b, allowHosts);
  }

  public WebhookOptions withAllowHosts(Set<String> hosts) {
    return new WebhookOptions(clock, scheduler, httpClient, attemptTimeout, backoff, hosts);
  }

  /** Two daemon threads shared by every channel opened with the defaults. */
  private static final class DefaultScheduler {
    static final ScheduledExecutorService INSTANCE;

    static {
      AtomicInteger n = new AtomicInteger();
      INSTANCE = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "eve4j-webhooks-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }

    static void schedule(Runnable task, Duration delay) {
      INSTANCE.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private DefaultScheduler() {}
  }
}
