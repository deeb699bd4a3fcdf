package dev.eve4j.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Where a {@link FileEventJournal} keeps its files (the layout is described there) and the
 * directory chores: naming a session's directory after its id, listing the sessions, fsyncing
 * directories, deleting trees. Thread-safe: its only state is concurrent.
 */
final class FileLayout {
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final int MAX_NAME_LENGTH = 200;

  final Path root;
  final Path sessionsDir;
  final Path trashDir;
  /** Shard directories whose own entry in the sessions directory is durable. */
  private final Set<Path> durableShards = ConcurrentHashMap.newKeySet();
  private final AtomicLong trashSeq = new AtomicLong();

  FileLayout(Path root) {
    this.root = root;
    this.sessionsDir = root.resolve("sessions");
    this.trashDir = root.resolve("trash");
  }

  /** Directories one flush pass already fsynced: each is fsynced once per pass, not once per log. */
  static final class SyncedDirs {
    private final Set<Path> shards = new HashSet<>();
    private boolean sessions;
  }

  /**
   * The directory of a session's log: {@code sessions/<xx>/<name>}.
   *
   * @throws IllegalArgumentException for an id that cannot name a directory (empty, or too long)
   */
  Path dirFor(String sessionId) {
    Objects.requireNonNull(sessionId, "sessionId");
    if (sessionId.isEmpty()) {
      throw new IllegalArgumentException("a session id must not be empty");
    }
    String name = encodeName(sessionId);
    if (name.length() > MAX_NAME_LENGTH || !sessionId.equals(decodeName(name))) {
      throw new IllegalArgumentException("session id cannot name a journal directory: " + sessionId);
    }
    return sessionsDir.resolve(shardName(shardOf(sessionId))).resolve(name);
  }

  /** Calls {@code found} with each session's id and directory; reads directory listings only. */
  void listSessions(BiConsumer<String, Path> found) throws IOException {
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(sessionsDir)) {
      for (Path shard : shards) {
        String s = shard.getFileName().toString();
        if (s.length() != 2 || Character.digit(s.charAt(0), 16) < 0 || Character.digit(s.charAt(1), 16) < 0) {
          continue;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(shard)) {
          for (Path dir : dirs) {
            String id = decodeName(dir.getFileName().toString());
            if (id != null) {
              found.accept(id, dir);
            }
          }
        }
        durableShards.add(shard); // once the caller fsyncs the sessions directory (open does)
      }
    }
  }

  /**
   * Makes a new log's directory entries durable: its files in its directory, the directory in its
   * shard, and the shard (unless known durable: another create may have just made it) in the
   * sessions directory.
   */
  void syncNewDirs(Path sessionDir, SyncedDirs synced) throws IOException {
    syncDir(sessionDir);
    Path shard = sessionDir.getParent();
    if (!synced.shards.contains(shard)) {
      syncDir(shard);
      synced.shards.add(shard);
    }
    if (!durableShards.contains(shard)) {
      if (!synced.sessions) {
        syncDir(sessionsDir);
        synced.sessions = true;
      }
      durableShards.add(shard);
    }
  }

  /** A fresh name in the trash for a session directory about to be deleted. */
  Path trashFor(Path sessionDir) {
    return trashDir.resolve(sessionDir.getFileName() + "-" + trashSeq.incrementAndGet());
  }

  static int shardOf(String sessionId) {
    int h = sessionId.hashCode();
    return (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff;
  }

  static String shardName(int shard) {
    return new String(new char[] {Character.forDigit(shard >> 4, 16), Character.forDigit(shard & 15, 16)});
  }

  /** The id's UTF-8 bytes, {@code [A-Za-z0-9_-]} as they are and every other byte as {@code %XX}. */
  static String encodeName(String id) {
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(bytes.length);
    for (byte x : bytes) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
        b.append((char) c);
      } else {
        b.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      }
    }
    return b.toString();
  }

  /** The id a directory name stands for, or null when it is not a name {@link #encodeName} makes. */
  static String decodeName(String name) {
    byte[] out = new byte[name.length()];
    int n = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '%') {
        if (i + 2 >= name.length()) {
          return null;
        }
        int hi = Character.digit(name.charAt(i + 1), 16);
        int lo = Character.digit(name.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        out[n++] = (byte) c;
      } else {
        return null;
      }
    }
    String id = new String(out, 0, n, StandardCharsets.UTF_8);
    return !id.isEmpty() && encodeName(id).equals(name) ? id : null;
  }

  /** Makes a directory's entries (new or renamed files) durable. */
  static void syncDir(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      if (!WINDOWS) { // Windows cannot open a directory; NTFS orders its metadata itself
        throw e;
      }
    }
  }

  static void deleteTree(Path root, boolean includingRoot) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        if (includingRoot || !dir.equals(root)) {
          Files.deleteIfExists(dir);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
