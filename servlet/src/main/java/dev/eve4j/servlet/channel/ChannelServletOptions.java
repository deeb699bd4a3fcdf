package dev.eve4j.servlet.channel;

import dev.eve4j.auth.Authenticator;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link ChannelServlet}. Immutable; the {@code with…} methods return copies.
 *
 * @param adminAuthenticator who may use the management routes ({@code /keys}, {@code /workspace}):
 *     a principal with the {@code eve4j.admin} scope ({@link Authenticator#none()}, the local default,
 *     lets everyone in)
 * @param maxBodyBytes the largest request body read (413 past it)
 * @param workerThreads threads that run channel calls (they may block on journal I/O; container
 *     threads never do)
 * @param requestTimeout how long a request may take, body read included, before it is answered 503
 */
public record ChannelServletOptions(Authenticator adminAuthenticator, long maxBodyBytes, int workerThreads,
    Duration requestTimeout) {
  public ChannelServletOptions {
    Objects.requireNonNull(adminAuthenticator, "adminAuthenticator");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive, was " + maxBodyBytes);
    }
    if (workerThreads < 1) {
      throw new IllegalArgumentException("workerThreads must be at least 1, was " + workerThreads);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
    }
  }

  /** No admin auth, 1 MiB bodies, max(2, processors) workers, 30 s per request. */
  public static ChannelServletOptions defaults() {
    return new ChannelServletOptions(Authenticator.none(), 1 << 20,
        Math.max(2, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(30));
  }

  public ChannelServletOptions withAdminAuthenticator(Authenticator a) {
    return new ChannelServletOptions(a, maxBodyBytes, workerThreads, requestTimeout);
  }

  public ChannelServletOptions withMaxBodyBytes(long n) {
    return new ChannelServletOptions(adminAuthenticator, n, workerThreads, requestTimeout);
  }

  public ChannelServletOptions withWorkerThreads(int n) {
    return new ChannelServletOptions(adminAuthenticator, maxBodyBytes, n, requestTimeout);
  }

  public ChannelServletOptions withRequestTimeout(Duration d) {
    return new ChannelServletOptions(adminAuthenticator, maxBodyBytes, workerThreads, d);
  }
}
