package dev.eve4j.channel;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link OperatorChannel}. Immutable; the {@code with…} methods return copies.
 *
 * @param clock the time of messages, responses, idempotency windows and file expiry
 * @param idempotencyWindow how long a completed Idempotency-Key replays its response (24 h)
 * @param defaultWorkspaceName the name of the workspace created when the store holds none
 * @param filesDir where the bytes of inbound files are held until resolved or expired; null (the
 *     default) is a fresh temp directory per open channel, so pending bytes do not outlive the
 *     process: give a durable channel a directory of its own
 * @param fileTtl how long an inbound file is held before it is deleted unless resolved (1 h)
 * @param maxFileBytes the largest inbound file (25 MB)
 * @param maxFilesPerMessage the most files attached to one human message (10)
 * @param downloadUrlTtl how long a signed {@code downloadUrl} works (15 min, never past the file's expiry)
 * @param publicUrl the base of absolute {@code downloadUrl}s ({@code http://127.0.0.1:3000}); null
 *     gives the path {@code /api/v1/files/…} alone
 */
public record ChannelOptions(Clock clock, Duration idempotencyWindow, String defaultWorkspaceName, Path filesDir,
    Duration fileTtl, long maxFileBytes, int maxFilesPerMessage, Duration downloadUrlTtl, String publicUrl) {
  /** 25 MB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 25L * 1000 * 1000;

  public ChannelOptions {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
    Objects.requireNonNull(defaultWorkspaceName, "defaultWorkspaceName");
    Objects.requireNonNull(fileTtl, "fileTtl");
    Objects.requireNonNull(downloadUrlTtl, "downloadUrlTtl");
    positive("idempotencyWindow", idempotencyWindow);
    positive("fileTtl", fileTtl);
    positive("downloadUrlTtl", downloadUrlTtl);
    if (maxFileBytes < 1) {
      throw new IllegalArgumentException("maxFileBytes must be positive, was " + maxFileBytes);
    }
    if (maxFilesPerMessage < 1) {
      throw new IllegalArgumentException("maxFilesPerMessage must be positive, was " + maxFilesPerMessage);
    }
    if (publicUrl != null) {
      publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
      if (!publicUrl.startsWith("http://") && !publicUrl.startsWith("https://")) {
        throw new IllegalArgumentException("publicUrl must be an http(s) URL, was " + publicUrl);
      }
    }
  }

  /** The settings before inbound files existed; the file settings take their defaults. */
  public ChannelOptions(Clock clock, Duration idempotencyWindow, String defaultWorkspaceName) {
    this(clock, idempotencyWindow, defaultWorkspaceName, null, Duration.ofHours(1), DEFAULT_MAX_FILE_BYTES,
        Limits.MAX_ATTACHMENTS, Duration.ofMinutes(15), null);
  }

  private static void positive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }

  public static ChannelOptions defaults() {
    return new ChannelOptions(Clock.systemUTC(), Duration.ofHours(24), "default");
  }

  public ChannelOptions withClock(Clock c) {
    return new ChannelOptions(c, idempotencyWindow, defaultWorkspaceName, filesDir, fileTtl, maxFileBytes,
        maxFilesPerMessage, downloadUrlTtl, publicUrl);
  }

  public ChannelOptions withIdempotencyWindow(Duration d) {
    return new ChannelOptions(clock, d, defaultWorkspaceName, filesDir, fileTtl, maxFileBytes, maxFilesPerMessage,
        downloadUrlTtl, publicUrl);
  }

  public ChannelOptions withDefaultWorkspaceName(String name) {
    return new ChannelOptions(clock, idempotencyWindow, name, filesDir, fileTtl, maxFileBytes, maxFilesPerMessage,
        downloadUrlTtl, publicUrl);
  }

  public ChannelOptions withFilesDir(Path dir) {
    return new ChannelOptions(clock, idempotencyWindow, defaultWorkspaceName, dir, fileTtl, maxFileBytes,
        maxFilesPerMessage, downloadUrlTtl, publicUrl);
  }

  public ChannelOptions withFileTtl(Duration d) {
    return new ChannelOptions(clock, idempotencyWindow, defaultWorkspaceName, filesDir, d, maxFileBytes,
        maxFilesPerMessage, downloadUrlTtl, publicUrl);
  }

  public ChannelOptions withMaxFileBytes(long n) {
    return new ChannelOptions(clock, idempotencyWindow, defaultWorkspaceName, filesDir, fileTtl, n,
        maxFilesPerMessage, downloadUrlTtl, publicUrl);
  }

  public ChannelOptions withMaxFilesPerMessage(int n) {
    return new ChannelOptions(clock, idempotencyWindow, defaultWorkspaceName, filesDir, fileTtl, maxFileBytes, n,
        downloadUrlTtl, publicUrl);
  }

  public ChannelOptions withDownloadUrlTtl(Duration d) {
    return new ChannelOptions(clock, idempotencyWindow, defaultWorkspaceName, filesDir, fileTtl, maxFileBytes,
        maxFilesPerMessage, d, publicUrl);
  }

  public ChannelOptions withPublicUrl(String url) {
    return new ChannelOptions(clock, idempotencyWindow, defaultWorkspaceName, filesDir, fileTtl, maxFileBytes,
        maxFilesPerMessage, downloadUrlTtl, url);
  }
}
