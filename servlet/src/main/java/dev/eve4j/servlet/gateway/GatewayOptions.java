package dev.eve4j.servlet.gateway;

import dev.eve4j.auth.Authenticator;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link GatewayServlet}. Immutable; the {@code with…} methods return copies.
 *
 * @param maxBodyBytes largest accepted request body; larger bodies get 413 and change nothing
 * @param authenticator who may call: {@link Authenticator#none()} (the default), static tokens or
 *     JWTs; {@code GET /models} then needs {@code sessions.read}, both POST routes {@code
 *     sessions.write}
 * @param defaultModel the model {@code GET /models} reports as the default ({@code DEFAULT_MODEL}),
 *     as an id ({@code openai/gpt-4o}) or as {@code EVE4J_MODEL} spells it ({@code openai:gpt-4o});
 *     null for the runtime's own model. A model the runtime does not serve is logged at start and
 *     replaced by the runtime's model
 * @param heartbeatInterval longest silence on an open {@code /chat} stream: an SSE comment is
 *     written when a stream has been idle this long (keeps proxies from cutting a run that waits for
 *     an approval, and notices a client that has gone)
 */
public record GatewayOptions(long maxBodyBytes, Authenticator authenticator, String defaultModel,
    Duration heartbeatInterval) {

  /** 36 MiB, as the eve routes: room for base64 images and documents in a message. */
  public static final long DEFAULT_MAX_BODY_BYTES = 36L * 1024 * 1024;

  public GatewayOptions {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be positive, was " + maxBodyBytes);
    }
    Objects.requireNonNull(authenticator, "authenticator");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive, was " + heartbeatInterval);
    }
    if (defaultModel != null && defaultModel.isBlank()) {
      defaultModel = null;
    }
  }

  /** 36 MiB bodies, no authentication, the runtime's model as default, heartbeats every 15 s. */
  public static GatewayOptions defaults() {
    return new GatewayOptions(DEFAULT_MAX_BODY_BYTES, Authenticator.none(), null, Duration.ofSeconds(15));
  }

  public GatewayOptions withMaxBodyBytes(long n) {
    return new GatewayOptions(n, authenticator, defaultModel, heartbeatInterval);
  }

  public GatewayOptions withAuthenticator(Authenticator a) {
    return new GatewayOptions(maxBodyBytes, a, defaultModel, heartbeatInterval);
  }

  /** The default model, e.g. {@code System.getenv("DEFAULT_MODEL")} (null or blank: the runtime's). */
  public GatewayOptions withDefaultModel(String model) {
    return new GatewayOptions(maxBodyBytes, authenticator, model, heartbeatInterval);
  }

  public GatewayOptions withHeartbeatInterval(Duration d) {
    return new GatewayOptions(maxBodyBytes, authenticator, defaultModel, d);
  }
}
