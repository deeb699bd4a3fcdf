package dev.eve4j.channel;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook endpoints of a channel and the log of their deliveries ({@link OperatorChannel#webhooks()}).
 *
 * <p>Each event is POSTed as snake_case JSON with {@code X-Vessels-Event} and {@code
 * X-Vessels-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the endpoint secret>}.
 * Deliveries are recorded in the channel's journal before the call that caused them returns and
 * run on the {@link WebhookOptions#scheduler()}: a 2xx or 4xx is final; a 5xx, a timeout or no
 * response is retried after each {@link WebhookOptions#backoff()} wait; a pending delivery resumes
 * after a restart. Thread-safe.
 */
public interface Webhooks {
  /** The events an endpoint may subscribe to (all of them by default). */
  List<String> EVENTS = List.of("interaction.response", "message.user", "vessel.created", "vessel.archived",
      "vessel.deleted", "message.cancelled");

  /**
   * Registers an endpoint.
   *
   * @param events the subscribed events, or null for all
   * @throws ChannelException 400 for a URL that is not https, does not resolve, or resolves to a
   *     private, loopback, link-local or metadata address (unless allow-listed), or an unknown event
   */
  WebhookEndpoint.Created create(String workspaceId, String url, Set<String> events);

  List<WebhookEndpoint> endpoints(String workspaceId);

  /** Changes any of url, events, active (null leaves it). @throws ChannelException 404, 400 */
  WebhookEndpoint update(String workspaceId, String endpointId, String url, Set<String> events, Boolean active);

  /** @throws ChannelException 404 */
  WebhookEndpoint delete(String workspaceId, String endpointId);

  /** The newest deliveries first, optionally of one endpoint and/or one vessel (null: any). */
  List<WebhookDelivery> deliveries(String workspaceId, String endpointId, String vesselId, int limit);

  /** @throws ChannelException 404 */
  WebhookDelivery delivery(String workspaceId, String deliveryId);

  /** Sends a delivery's body again, as a new delivery to the same endpoint. @throws ChannelException 404 */
  WebhookDelivery replay(String workspaceId, String deliveryId);

  /** {@code sha256=<hex>}: the value of {@code X-Vessels-Signature} for this body. */
  static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a receiver runs on the raw body before parsing it: a constant-time comparison. */
  static boolean verify(byte[] body, String signature, String secret) {
    if (signature == null || secret == null) {
      return false;
    }
    return MessageDigest.isEqual(sign(secret, body).getBytes(StandardCharsets.UTF_8),
        signature.getBytes(StandardCharsets.UTF_8));
  }
}
