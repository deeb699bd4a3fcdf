package dev.eve4j.channel;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Files from the human (seed 003 "Receiving files from the human"): a transient relay, not a store.
 * The human side uploads the bytes ({@link #upload}), attaches the {@code fileId} to a message; the
 * agent fetches them through a signed, short-lived {@code downloadUrl} and {@link #resolve}s the
 * file with its own permanent link, which deletes the transient copy. A file nobody resolved is
 * deleted when it expires ({@link ChannelOptions#fileTtl()}) and the human is told. Thread-safe.
 */
public interface InboundFiles {
  /** The accepted content types (parameters such as {@code charset} stripped) and the kind each becomes. */
  Map<String, String> TYPES = Collections.unmodifiableMap(types());

  private static Map<String, String> types() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String t : new String[] {"image/png", "image/jpeg", "image/gif", "image/webp", "image/heic"}) {
      m.put(t, "image");
    }
    for (String t : new String[] {"application/pdf", "text/plain", "text/csv", "text/markdown", "application/json",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation", "application/zip"}) {
      m.put(t, "file");
    }
    return m;
  }

  /** The largest file accepted ({@link ChannelOptions#maxFileBytes()}). */
  long maxFileBytes();

  /** {@code {maxBytes, perMessage, ttlSeconds, downloadUrlTtlSeconds, types}}, as {@code /manifest} lists them. */
  JsonObject limits();

  /**
   * The checks an upload can fail before its body is read: 400 without a filename, 415 for a type
   * not in {@link #TYPES}, 413 when {@code declaredLength} (-1 unknown) is over the limit.
   */
  void checkUpload(String filename, String contentType, long declaredLength);

  /**
   * {@code POST /files}: stores the bytes (written and synced before the record that makes them
   * known), held until {@code expiresAt}.
   *
   * @throws ChannelException 400 empty or no filename, 413 too big, 415 unsupported type, 404 workspace
   */
  InboundFile upload(String workspaceId, String filename, String contentType, byte[] bytes);

  /** @throws ChannelException 404 for an unknown file or one of another workspace */
  InboundFile file(String workspaceId, String fileId);

  /** A fresh signed download URL for a file still held, or null once it is resolved, expired or deleted. */
  String downloadUrl(String fileId);

  /**
   * {@code GET /files/:id?expires=&sig=}: the signed URL is the credential.
   *
   * @throws ChannelException 403 bad signature or {@code Download link expired}, 410 once the file
   *     is resolved, expired or deleted
   */
  FileDownload open(String fileId, String expires, String sig);

  /**
   * {@code POST /files/:id/resolve {url}}: the attachment becomes {@code {type, filename, url}} and
   * the transient copy is deleted; {@code {ok, replayed}}, a repeat (any url: the first wins)
   * answering {@code replayed: true}.
   *
   * @throws ChannelException 400 bad url, 404 unknown, 409 not attached to a message yet, 410 expired or deleted
   */
  JsonObject resolve(String workspaceId, String fileId, JsonElement body);

  /**
   * Deletes every unresolved file past its expiry, telling the human in the vessel of each attached
   * one; returns how many expired. Runs periodically by itself; callable any time.
   */
  int sweep();
}
