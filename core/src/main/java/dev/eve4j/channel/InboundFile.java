package dev.eve4j.channel;

import com.google.gson.JsonObject;
import java.time.Instant;

/**
 * A file a human attached, held transiently until the agent resolves it or it expires. Immutable
 * snapshot.
 *
 * @param id the {@code fileId}
 * @param type {@code image} or {@code file}, from the content type
 * @param status {@code pending} (uploaded, not attached), {@code attached}, {@code resolved} (the
 *     agent's link replaced it), {@code expired} or {@code deleted} (with its message or vessel)
 * @param vesselId the vessel of the message it is attached to, or null
 * @param messageId the message it is attached to, or null
 * @param url the agent's permanent link once resolved, or null
 */
public record InboundFile(String id, String workspaceId, String filename, String contentType, String type, long size,
    String sha256, Instant createdAt, Instant expiresAt, String status, String vesselId, String messageId,
    String url) {

  /** Whether the bytes are still held (pending or attached). */
  public boolean available() {
    return status.equals("pending") || status.equals("attached");
  }

  /** {@code {fileId, filename, type, contentType, size, status, expiresAt}}. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("fileId", id);
    o.addProperty("filename", filename);
    o.addProperty("type", type);
    o.addProperty("contentType", contentType);
    o.addProperty("size", size);
    o.addProperty("status", status);
    o.addProperty("expiresAt", ChannelJson.time(expiresAt.toEpochMilli()));
    return o;
  }
}
