package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The transient bytes of inbound files (one file per id under {@link ChannelOptions#filesDir()}),
 * their metadata and the signing of download URLs. The log {@code chf_files} records each upload
 * and the end of files never attached; what happens to an attached file is recorded in its vessel's
 * log and applied here by {@link JournalChannel}. Every state change and every byte deletion happens
 * under {@link #lock}, so a download that opened the bytes under it never races a deletion; appends
 * to {@code chf_files} are serialized by their own lock, never taken while holding {@link #lock}.
 */
final class FileStore {
  static final String LOG = "chf_files";
  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** The life of a file: pending (uploaded), attached, then resolved, expired or deleted. */
  enum State {
    PENDING, ATTACHED, RESOLVED, EXPIRED, DELETED;

    String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean held() {
      return this == PENDING || this == ATTACHED;
    }
  }

  /** One file; its mutable fields are guarded by {@link FileStore#lock}. */
  static final class FileState {
    final String id;
    final String workspaceId;
    final String filename;
    final String contentType;
    final String type;
    final long size;
    final String sha256;
    final long createdAt;
    final long expiresAt;
    State state = State.PENDING;
    String vesselId;
    String messageId;
    String url;
    /** When it was resolved, expired or deleted (0 while held). */
    long endedAt;

    FileState(JsonObject r) {
      this.id = r.get("id").getAsString();
      this.workspaceId = r.get("workspaceId").getAsString();
      this.filename = r.get("filename").getAsString();
      this.contentType = r.get("contentType").getAsString();
      this.type = r.get("type").getAsString();
      this.size = r.get("size").getAsLong();
      this.sha256 = r.get("sha256").getAsString();
      this.createdAt = r.get("at").getAsLong();
      this.expiresAt = r.get("expiresAt").getAsLong();
    }
  }

  final Object lock = new Object();
  private final Object appendLock = new Object();
  private final EventJournal journal;
  private final ChannelOptions options;
  private final Map<String, FileState> files = new ConcurrentHashMap<>();
  private volatile byte[] secret;
  private Path dir;

  FileStore(EventJournal journal, ChannelOptions options) {
    this.journal = journal;
    this.options = options;
  }

  // ------------------------------------------------------------------------------- log

  /** Rebuilds uploads and the end of unattached files from {@code chf_files}. */
  void load() {
    if (!journal.contains(LOG)) {
      journal.create(LOG);
      return;
    }
    for (JsonObject r : JournalChannel.readAll(journal, LOG)) {
      apply(r);
    }
  }

  private void apply(JsonObject r) {
    switch (r.get("t").getAsString()) {
      case "file": {
        FileState f = new FileState(r);
        files.put(f.id, f);
        break;
      }
      case "files_gone": {
        State s = State.valueOf(r.get("state").getAsString().toUpperCase(java.util.Locale.ROOT));
        for (JsonElement id : r.getAsJsonArray("ids")) {
          FileState f = files.get(id.getAsString());
          if (f != null) {
            end(f, s, r.get("at").getAsLong());
          }
        }
        break;
      }
      default:
        break; // written by a newer version: ignored
    }
  }

  /** Appends to {@code chf_files} and applies; appends to one log are serialized (the journal's contract). */
  private void commit(JsonObject r) {
    synchronized (appendLock) {
      journal.append(LOG, (ChannelJson.toJson(r) + "\n").getBytes(StandardCharsets.UTF_8));
      apply(r);
    }
  }

  /** Records that these files, never attached or in a deleted vessel, ended as {@code state}; deletes their bytes. */
  void gone(List<FileState> ended, State state, long at) {
    if (ended.isEmpty()) {
      return;
    }
    JsonObject r = new JsonObject();
    r.addProperty("t", "files_gone");
    r.addProperty("at", at);
    r.addProperty("state", state.wire());
    JsonArray ids = new JsonArray();
    ended.forEach(f -> ids.add(f.id));
    r.add("ids", ids);
    commit(r);
  }

  // ----------------------------------------------------------------------------- state

  FileState get(String id) {
    return id == null ? null : files.get(id);
  }

  List<FileState> all() {
    return new ArrayList<>(files.values());
  }

  /** Ends a file at {@code at}: its state changes and its bytes are deleted (idempotent), under the lock. */
  void end(FileState f, State state, long at) {
    end(f, state, null, at);
  }

  /** As {@link #end(FileState, State, long)}, keeping the agent's {@code url} of a resolved file. */
  void end(FileState f, State state, String url, long at) {
    synchronized (lock) {
      if (!f.state.held()) {
        return;
      }
      f.state = state;
      f.url = url;
      f.endedAt = at;
      delete(f.id);
    }
  }

  InboundFile snapshot(FileState f) {
    synchronized (lock) {
      return new InboundFile(f.id, f.workspaceId, f.filename, f.contentType, f.type, f.size, f.sha256,
          Instant.ofEpochMilli(f.createdAt), Instant.ofEpochMilli(f.expiresAt), f.state.wire(), f.vesselId,
          f.messageId, f.url);
    }
  }

  // ----------------------------------------------------------------------------- bytes

  /** The directory of the bytes, created on first use (a fresh temp directory when none is configured). */
  synchronized Path dir() {
    if (dir == null) {
      try {
        dir = options.filesDir() == null ? Files.createTempDirectory("eve4j-files-")
            : Files.createDirectories(options.filesDir());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the inbound files directory", e);
      }
    }
    return dir;
  }

  boolean hasBytes(String id) {
    return Files.isRegularFile(dir().resolve(id));
  }

  /**
   * Writes and syncs the bytes, then journals the upload; the file is pending from then on. The
   * bytes are removed again when the record cannot be written.
   */
  FileState create(String workspaceId, String filename, String contentType, String type, byte[] bytes, long at) {
    String id = java.util.UUID.randomUUID().toString();
    Path p = dir().resolve(id);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    } catch (IOException e) {
      delete(id);
      throw new UncheckedIOException("cannot store an inbound file", e);
    }
    JsonObject r = new JsonObject();
    r.addProperty("t", "file");
    r.addProperty("at", at);
    r.addProperty("id", id);
    r.addProperty("workspaceId", workspaceId);
    r.addProperty("filename", filename);
    r.addProperty("contentType", contentType);
    r.addProperty("type", type);
    r.addProperty("size", bytes.length);
    r.addProperty("sha256", HexFormat.of().formatHex(digest("SHA-256", bytes)));
    r.addProperty("expiresAt", at + options.fileTtl().toMillis());
    try {
      commit(r);
    } catch (RuntimeException e) {
      delete(id);
      throw e;
    }
    return files.get(id);
  }

  /** Opens the bytes of a held file; the caller holds the lock and checked the state. */
  InputStream openBytes(FileState f) {
    try {
      return Files.newInputStream(dir().resolve(f.id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read an inbound file", e);
    }
  }

  private void delete(String id) {
    try {
      Files.deleteIfExists(dir().resolve(id));
    } catch (IOException e) {
      java.util.logging.Logger.getLogger(FileStore.class.getName()).log(java.util.logging.Level.WARNING,
          "could not delete inbound file " + id, e);
    }
  }

  /**
   * After loading: deletes bytes no held file owns (a crash between writing them and the record, or
   * between an end and the deletion). Only names shaped like file ids are touched.
   */
  void deleteStrays() {
    if (options.filesDir() == null || !Files.isDirectory(options.filesDir())) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir())) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        FileState f = files.get(name);
        if (ID.matcher(name).matches() && (f == null || !f.state.held())) {
          delete(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the inbound files directory", e);
    }
  }

  // --------------------------------------------------------------------------- signing

  boolean hasSecret() {
    return secret != null;
  }

  void secret(String hex) {
    secret = HexFormat.of().parseHex(hex);
  }

  /** The hex HMAC-SHA256 of {@code v1:<fileId>:<expires>} under the channel's secret. */
  String sign(String fileId, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(("v1:" + fileId + ":" + expires).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code sig} signs this file id and expiry; compared in constant time. */
  boolean verify(String fileId, long expires, String sig) {
    byte[] expected = sign(fileId, expires).getBytes(StandardCharsets.US_ASCII);
    byte[] given = sig.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given);
  }

  /**
   * A signed URL valid for {@link ChannelOptions#downloadUrlTtl()}, never past the file's expiry:
   * {@code <publicUrl>/api/v1/files/<id>?expires=<epochSeconds>&sig=<hex>}.
   */
  String downloadUrl(FileState f, long now) {
    long expires = Math.min(now + options.downloadUrlTtl().toMillis(), f.expiresAt) / 1000;
    return (options.publicUrl() == null ? "" : options.publicUrl()) + "/api/v1/files/" + f.id + "?expires="
        + expires + "&sig=" + sign(f.id, expires);
  }

  private static byte[] digest(String algorithm, byte[] bytes) {
    try {
      return MessageDigest.getInstance(algorithm).digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
