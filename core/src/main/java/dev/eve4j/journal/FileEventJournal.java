package dev.eve4j.journal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.journal.FileJournalOptions.Durability;
import dev.eve4j.protocol.EveException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The durable journal: one append-only file of NDJSON lines per session plus a fixed-width index,
 * crash-safe, with a bound on open files. Made by {@link EventJournal#file}.
 *
 * <h2>File format</h2>
 *
 * <pre>
 * &lt;dir&gt;/journal.lock                 held (OS file lock) while a journal has the directory open
 * &lt;dir&gt;/sessions/&lt;xx&gt;/&lt;name&gt;/        one directory per session; xx: 00..ff from a hash of the id;
 *                                     name: the id's UTF-8 bytes, [A-Za-z0-9_-] as is, others as %XX
 *     events.ndjson                   the event lines exactly as appended (each ends in \n), back to back
 *     events.idx                      32-byte header, then one 16-byte entry per event (big-endian):
 *                                       header: int magic "EVJI", int version 1, long createdAt (epoch ms),
 *                                               long checkpoint, long reserved (0)
 *                                       entry i: long end offset of line i in events.ndjson (exclusive),
 *                                               long appendedAt (epoch ms)
 *     expired                         tombstone, present once the log expired: one JSON object
 *                                     {createdAt, lastAppendAt, eventCount, byteSize, expiredAt};
 *                                     the two event files are deleted (once no open cursor reads them)
 * &lt;dir&gt;/trash/                        session directories being deleted, emptied on open
 * </pre>
 *
 * <p>Line {@code i} is the bytes {@code [end(i-1), end(i))} of {@code events.ndjson} ({@code
 * end(-1) = 0}): a cursor seeks with one index read and one data read, whatever its position.
 * Lines hold no other {@code \n} and no NUL byte ({@link #append} rejects them), so the data file
 * alone delimits events: it is the truth, and the index is rebuildable from it. The header's
 * checkpoint counts the leading entries known durable and consistent with the data.
 *
 * <h2>Durability and recovery</h2>
 *
 * <p>An append writes the line, then its index entry. Only the data file is fsynced per the policy
 * ({@link Durability}); a new log's directory entries are fsynced before its first event shows. The
 * index is fsynced only when the checkpoint moves: every {@value FileLog#CHECKPOINT_EVERY} entries,
 * once a log has had no append for a second (one index fsync per burst of events, such as a turn),
 * and at close. Opening the journal only lists the session directories; each log is recovered on
 * first use, reading its index header, its last checkpointed entry and the data after it (after a
 * clean close: nothing): complete lines there are (re)indexed, a torn last line (no {@code \n}, or
 * NUL bytes where a write did not land), garbage after it and index entries past it are cut off,
 * and the repair is fsynced before anything is served. Expiry writes the tombstone (fsynced,
 * atomically renamed) before deleting data, so it survives a restart. Each log is consistent on its
 * own; under group commit, two logs' events reach the disk in no particular order relative to each
 * other.
 *
 * <h2>Threads</h2>
 *
 * <p>Thread-safe. Appends for one session come from one thread at a time (its serial actor);
 * different sessions append concurrently without a shared lock. Readers never block appenders: a
 * reader reads the published tail (a volatile), then lines from a small ring of recent lines
 * (kept while the log's files are open) or from the files. Wake-ups run on the thread that makes
 * the event visible: the appender under {@link Durability#FSYNC_EACH} and {@link Durability#NONE};
 * the flusher thread {@code eve4j-journal-flusher} (or a thread calling {@link #expire}) under
 * {@link Durability#GROUP_COMMIT} (see {@link FileGroupCommit}). A checkpointer thread moves the checkpoints of idle logs. At most {@code
 * maxOpenFiles} files of session logs are open (see {@link FileHandles}); I/O errors surface as
 * {@link UncheckedIOException}.
 */
final class FileEventJournal implements EventJournal {
  private static final Logger LOG = Logger.getLogger(FileEventJournal.class.getName());
  private static final String TOMBSTONE_TMP = FileLog.TOMBSTONE_FILE + ".tmp";

  private final FileLayout layout;
  private final Durability durability;
  private final Clock clock;
  private final FileHandles handles;
  private final ConcurrentHashMap<String, FileLog> logs = new ConcurrentHashMap<>();
  private final FileChannel lockChannel;
  private final FileLock dirLock;
  private final AtomicLong forces = new AtomicLong();
  private final Object closeLock = new Object();
  private volatile boolean closed;
  /** Null unless the policy is GROUP_COMMIT. */
  private final FileGroupCommit groupCommit;

  // Checkpoints: logs with index entries past their header's checkpoint, moved once a log is idle.
  private static final long CHECKPOINT_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private final ConcurrentLinkedQueue<FileLog> unvouched = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService checkpointer;

  private FileEventJournal(Path root, FileJournalOptions options) throws IOException {
    this.durability = options.durability();
    this.clock = options.clock();
    this.handles = new FileHandles(options.maxOpenFiles());
    this.layout = new FileLayout(root);
    Files.createDirectories(layout.sessionsDir);
    Files.createDirectories(layout.trashDir);
    this.lockChannel = FileChannel.open(root.resolve("journal.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      lockChannel.close();
      throw new IllegalStateException("the journal directory " + root + " is already open in another journal");
    }
    this.dirLock = l;
    try {
      FileLayout.deleteTree(layout.trashDir, false);
      layout.listSessions((id, dir) -> logs.putIfAbsent(id, new FileLog(id, dir)));
      if (durability != Durability.NONE) {
        FileLayout.syncDir(layout.sessionsDir); // the shards listed are durable from here on
        FileLayout.syncDir(root);
      }
    } catch (IOException | RuntimeException e) {
      dirLock.release();
      lockChannel.close();
      throw e;
    }
    checkpointer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "eve4j-journal-checkpointer");
      t.setDaemon(true);
      return t;
    });
    checkpointer.scheduleWithFixedDelay(this::checkpointIdleLogs, 1, 1, TimeUnit.SECONDS);
    groupCommit = durability == Durability.GROUP_COMMIT
        ? new FileGroupCommit(options.groupCommitInterval().toNanos(), this::flushLog)
        : null;
  }

  static FileEventJournal open(Path directory, FileJournalOptions options) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(options, "options");
    try {
      return new FileEventJournal(directory, options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the journal in " + directory, e);
    }
  }

  // ---- EventJournal ----------------------------------------------------------------------------

  @Override
  public void create(String sessionId) {
    ensureOpen();
    Path dir = layout.dirFor(sessionId);
    FileLog log = new FileLog(sessionId, dir);
    log.writeLock.lock(); // before it is in the map: a reader finding it waits for the files
    if (logs.putIfAbsent(sessionId, log) != null) {
      log.writeLock.unlock();
      throw new IllegalStateException("session already exists: " + sessionId);
    }
    try {
      if (closed) {
        log.state = FileLog.GONE;
        logs.remove(sessionId, log);
        throw closedException();
      }
      long now = clock.millis();
      Files.createDirectories(dir.getParent());
      Files.createDirectory(dir);
      handles.withChannels(log, (data, index) -> {
        FileLog.writeHeader(index, now, 0); // not fsynced: recovery falls back to the directory's time
        return null;
      });
      if (durability == Durability.FSYNC_EACH) {
        layout.syncNewDirs(dir, new FileLayout.SyncedDirs());
      }
      log.createdAt = now;
      FileLog.Tail empty = new FileLog.Tail(0, 0, now);
      log.written = empty;
      log.visible = empty;
      log.loaded = true;
      if (groupCommit != null) {
        log.needsCreateSync = true;
        groupCommit.enqueue(log);
      }
    } catch (IOException e) {
      log.state = FileLog.GONE;
      logs.remove(sessionId, log);
      try {
        handles.retire(log);
        FileLayout.deleteTree(dir, true);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new UncheckedIOException("cannot create the journal of session " + sessionId, e);
    } finally {
      log.writeLock.unlock();
    }
  }

  @Override
  public boolean contains(String sessionId) {
    FileLog log = logs.get(sessionId);
    return log != null && log.state != FileLog.GONE;
  }

  @Override
  public long append(String sessionId, byte[] line) {
    checkLine(line);
    FileLog log = live(sessionId);
    List<Runnable> wakes = List.of();
    long index;
    log.writeLock.lock();
    try {
      ensureOpen();
      requireLive(log);
      if (log.broken) {
        throw new UncheckedIOException(new IOException(
            "the journal of session " + sessionId + " failed earlier; a restart recovers it"));
      }
      FileLog.Tail t = log.written;
      long at = clock.millis();
      FileLog.Tail next = new FileLog.Tail(t.count() + 1, t.size() + line.length, at);
      try {
        handles.withChannels(log, (data, idx) -> {
          FileLog.writeLine(data, idx, t, line, at);
          if (durability == Durability.FSYNC_EACH) {
            data.force(false);
            forces.incrementAndGet();
            log.durable = next.count();
            if (next.count() - log.checkpoint >= FileLog.CHECKPOINT_EVERY) {
              idx.force(false);
              log.writeCheckpoint(idx, next.count());
            }
          } else if (durability == Durability.NONE && next.count() - log.checkpoint >= FileLog.CHECKPOINT_EVERY) {
            log.writeCheckpoint(idx, next.count());
          }
          log.cache(t.count(), line);
          return null;
        });
      } catch (FileHandles.RetiredException e) {
        throw closed ? closedException() : EveException.sessionNotFound();
      } catch (IOException e) {
        rollBack(log, t, e);
        throw new UncheckedIOException("cannot append to the journal of session " + sessionId, e);
      }
      log.written = next;
      log.lastAppendNanos = System.nanoTime();
      if (groupCommit != null) {
        groupCommit.enqueue(log);
      } else {
        wakes = log.publish(next);
        noteUnvouched(log);
      }
      index = t.count();
    } finally {
      log.writeLock.unlock();
    }
    FileLog.runAll(wakes);
    return index;
  }

  @Override
  public long tailIndex(String sessionId) {
    return live(sessionId).visible.count() - 1;
  }

  @Override
  public JournalCursor cursor(String sessionId, long startIndex) {
    if (startIndex < 0) {
      throw new IllegalArgumentException("startIndex must be >= 0");
    }
    FileLog log = live(sessionId);
    if (!log.cursorOpened()) {
      requireLive(log); // expired or deleted since live() looked
      throw EveException.sessionExpired();
    }
    return new FileCursor(this, log, startIndex);
  }

  @Override
  public void expire(String sessionId) {
    ensureOpen();
    FileLog log = logs.get(sessionId);
    if (log == null || log.state == FileLog.GONE) {
      return;
    }
    load(log);
    List<Runnable> wakes = new ArrayList<>();
    log.writeLock.lock();
    try {
      if (log.state != FileLog.LIVE) {
        return;
      }
      if (groupCommit != null) {
        wakes.addAll(groupCommit.flushOne(log)); // what was appended before is served to open cursors
      }
      writeTombstone(log, log.visible, clock.millis());
      wakes.addAll(log.changeState(FileLog.EXPIRED));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot expire the journal of session " + sessionId, e);
    } finally {
      log.writeLock.unlock();
    }
    FileLog.runAll(wakes);
    if (log.claimDataDeletion()) {
      deleteData(log);
    }
  }

  @Override
  public void delete(String sessionId) {
    ensureOpen();
    FileLog log = logs.get(sessionId);
    if (log == null) {
      return;
    }
    List<Runnable> wakes;
    log.writeLock.lock();
    try {
      if (log.state == FileLog.GONE) {
        return;
      }
      wakes = log.changeState(FileLog.GONE);
    } finally {
      log.writeLock.unlock();
    }
    FileLog.runAll(wakes);
    try {
      handles.retire(log);
      // Move it out first: a crash mid-delete leaves trash (emptied on open), never half a log.
      Path trash = layout.trashFor(log.dir);
      Path doomed = log.dir;
      try {
        Files.move(log.dir, trash, StandardCopyOption.ATOMIC_MOVE);
        doomed = trash;
      } catch (NoSuchFileException gone) {
        doomed = null;
      } catch (IOException cannotMove) {
        LOG.log(Level.FINE, "deleting session " + sessionId + " in place", cannotMove);
      }
      logs.remove(sessionId, log);
      if (doomed != null) {
        FileLayout.deleteTree(doomed, true);
      }
    } catch (IOException e) {
      logs.remove(sessionId, log);
      throw new UncheckedIOException("cannot delete the journal of session " + sessionId, e);
    }
  }

  @Override
  public Collection<String> sessionIds() {
    List<String> ids = new ArrayList<>(logs.size());
    logs.forEach((id, log) -> {
      if (log.state != FileLog.GONE) {
        ids.add(id);
      }
    });
    return ids;
  }

  @Override
  public Optional<LogInfo> info(String sessionId) {
    ensureOpen();
    FileLog log = logs.get(sessionId);
    if (log == null || log.state == FileLog.GONE) {
      return Optional.empty();
    }
    load(log);
    int state = log.state;
    if (state == FileLog.GONE) {
      return Optional.empty();
    }
    FileLog.Tail t = log.visible;
    return Optional.of(new LogInfo(Instant.ofEpochMilli(log.createdAt), Instant.ofEpochMilli(t.lastAt()), t.count(),
        t.size(), state == FileLog.EXPIRED));
  }

  /**
   * Flushes pending group commits, moves each open log's checkpoint (fsyncing its index), stops
   * every open cursor and closes every file. Blocks until in-flight appends finish. Idempotent.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (groupCommit != null) {
      groupCommit.stop();
    }
    checkpointer.shutdownNow();
    for (FileLog log : logs.values()) {
      // Wait for an append in flight; later ones see `closed` under this lock and fail.
      log.writeLock.lock();
      log.writeLock.unlock();
    }
    if (groupCommit != null) {
      groupCommit.pass();
      groupCommit.shutdown();
    }
    try {
      checkpointer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    checkpointAll(true); // the next open reads one index entry per log, not its recent lines
    for (FileLog log : logs.values()) {
      List<Runnable> wakes;
      log.writeLock.lock();
      try {
        wakes = log.changeState(FileLog.GONE);
      } finally {
        log.writeLock.unlock();
      }
      FileLog.runAll(wakes);
    }
    try {
      handles.closeAll();
    } catch (InterruptedIOException e) {
      LOG.log(Level.WARNING, "interrupted while closing the journal's files", e);
    }
    try {
      dirLock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "cannot release the journal directory lock", e);
    }
  }

  // ---- package-private: cursors and tests --------------------------------------------------------

  /** Lines from {@code position} below {@code limit}, read from the files; null once they are gone. */
  byte[][] read(FileLog log, long position, long limit) {
    try {
      return handles.withChannels(log, (data, index) -> log.readLines(data, index, position, limit));
    } catch (FileHandles.RetiredException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the journal of session " + log.id + " at " + position, e);
    }
  }

  void cursorClosed(FileLog log) {
    if (log.cursorClosed()) {
      deleteData(log);
    }
  }

  /**
   * Runs a group-commit pass now on the calling thread, once a pass in progress has finished and
   * woken its readers: on return every event appended before the call is visible and its wake-ups
   * have run (tests). A no-op for the other policies.
   */
  void syncNow() {
    if (groupCommit != null) {
      groupCommit.pass();
    }
  }

  /** Events of the session known fsynced: what a reader may see under group commit never exceeds it. */
  long durableCount(String sessionId) {
    FileLog log = logs.get(sessionId);
    return log == null ? 0 : log.durable;
  }

  /** fsyncs of data files so far. */
  long forceCount() {
    return forces.get();
  }

  int openChannels() {
    return handles.openChannels();
  }

  int peakOpenChannels() {
    return handles.peakChannels();
  }

  // ---- group commit -------------------------------------------------------------------------------

  /**
   * {@link FileGroupCommit}'s flush: fsyncs one log and shows what was written to readers; returns
   * the wake-ups to run once the caller holds no log lock. Runs under the group commit's flush lock
   * (held by this thread, or by the pass that handed this thread its share of the logs).
   */
  private List<Runnable> flushLog(FileLog log, FileLayout.SyncedDirs synced) {
    if (log.state == FileLog.GONE || log.broken) {
      return List.of();
    }
    FileLog.Tail t = log.written;
    boolean create = log.needsCreateSync;
    if (t.count() <= log.visible.count() && !create) {
      return List.of();
    }
    try {
      if (create) {
        layout.syncNewDirs(log.dir, synced);
      }
      if (t.count() > log.durable) {
        handles.withChannels(log, (data, index) -> {
          data.force(false);
          forces.incrementAndGet();
          log.durable = t.count();
          if (t.count() - log.checkpoint >= FileLog.CHECKPOINT_EVERY) {
            index.force(false);
            log.writeCheckpoint(index, t.count());
          }
          return null;
        });
      }
    } catch (FileHandles.RetiredException e) {
      return List.of();
    } catch (IOException e) {
      // After a failed fsync the kernel may have dropped the pages: never show them, stop appending.
      log.broken = true;
      LOG.log(Level.SEVERE, "cannot fsync the journal of session " + log.id + "; its unflushed events are lost", e);
      return List.of();
    }
    if (create) {
      log.needsCreateSync = false;
    }
    noteUnvouched(log);
    return log.publish(t);
  }

  // ---- checkpoints ----------------------------------------------------------------------------------

  /** Queues a log whose index has entries past its checkpoint (called after they are visible). */
  private void noteUnvouched(FileLog log) {
    if (log.written.count() > log.checkpoint && log.checkpointQueued.compareAndSet(false, true)) {
      unvouched.add(log);
    }
  }

  /**
   * Every second on the checkpointer thread: moves the checkpoint of each queued log that had no
   * append for a second. One index fsync per burst of appends (a turn), not per append, keeps
   * recovery after a crash down to the burst that was running.
   */
  private void checkpointIdleLogs() {
    try {
      long now = System.nanoTime();
      for (int n = unvouched.size(); n > 0; n--) {
        FileLog log = unvouched.poll();
        if (log == null || closed) {
          return;
        }
        if (log.state != FileLog.LIVE || log.broken) {
          log.checkpointQueued.set(false);
        } else if (now - log.lastAppendNanos < CHECKPOINT_IDLE_NANOS) {
          unvouched.add(log); // still busy: look again later
        } else {
          log.checkpointQueued.set(false); // before reading its counts: a later append queues it again
          checkpoint(log, false);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "journal checkpoint failed", e); // the next run tries again
    }
  }

  /** Moves the checkpoint of every queued log now, idle or not (close; tests). */
  void checkpointAll(boolean seal) {
    for (FileLog log; (log = unvouched.poll()) != null; ) {
      log.checkpointQueued.set(false);
      if (log.state == FileLog.LIVE && !log.broken) {
        checkpoint(log, seal);
      }
    }
  }

  /**
   * Moves the log's checkpoint to what is durable (written, under NONE): fsyncs the index, then
   * writes the header; {@code seal} fsyncs the header too. Racing writers of the header (appender,
   * flusher) are harmless: every value written vouches only for entries that are durable.
   */
  private void checkpoint(FileLog log, boolean seal) {
    long target = durability == Durability.NONE ? log.written.count() : log.durable;
    if (target <= log.checkpoint) {
      return;
    }
    try {
      handles.withChannels(log, (data, index) -> {
        if (durability != Durability.NONE) {
          index.force(false);
        }
        log.writeCheckpoint(index, target);
        if (seal && durability != Durability.NONE) {
          index.force(false);
        }
        return null;
      });
    } catch (IOException e) {
      LOG.log(Level.FINE, "cannot move the checkpoint of session " + log.id + " (recovery rescans more)", e);
    }
  }

  // ---- loading and recovery -----------------------------------------------------------------------

  /** Recovers the log's files on first use (under its write lock, once). */
  private void load(FileLog log) {
    if (log.loaded) {
      return;
    }
    log.writeLock.lock();
    try {
      if (log.loaded || log.state == FileLog.GONE) {
        return;
      }
      Path tombstone = log.dir.resolve(FileLog.TOMBSTONE_FILE);
      if (Files.exists(tombstone)) {
        loadExpired(log, tombstone);
      } else {
        boolean fsync = durability != Durability.NONE;
        FileLog.Recovered r = handles.withChannels(log, (data, index) -> log.recover(data, index, fsync));
        if (r.repaired()) {
          LOG.info(() -> "journal of session " + log.id + " recovered after an unclean stop: " + r.tail().count()
              + " events");
        }
        log.createdAt = r.createdAt();
        log.written = r.tail();
        log.visible = r.tail();
        log.durable = r.tail().count();
      }
      log.loaded = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the journal of session " + log.id, e);
    } finally {
      log.writeLock.unlock();
    }
  }

  private void loadExpired(FileLog log, Path tombstone) throws IOException {
    long createdAt = 0;
    long lastAppendAt = 0;
    long count = 0;
    long size = 0;
    try {
      JsonObject o = JsonParser.parseString(Files.readString(tombstone, StandardCharsets.UTF_8)).getAsJsonObject();
      createdAt = o.get("createdAt").getAsLong();
      lastAppendAt = o.get("lastAppendAt").getAsLong();
      count = o.get("eventCount").getAsLong();
      size = o.get("byteSize").getAsLong();
    } catch (RuntimeException unreadable) {
      // renamed into place whole, so only a hand edit gets here; the expiry itself still holds
      createdAt = Files.getLastModifiedTime(tombstone).toMillis();
      lastAppendAt = createdAt;
      LOG.log(Level.WARNING, "unreadable expiry marker of session " + log.id, unreadable);
    }
    log.createdAt = createdAt;
    FileLog.Tail t = new FileLog.Tail(count, size, lastAppendAt);
    log.written = t;
    log.visible = t;
    log.durable = count;
    log.state = FileLog.EXPIRED;
    handles.retire(log); // nothing opened; never to be
    Files.deleteIfExists(log.dataPath()); // a crash between the marker and the deletion
    Files.deleteIfExists(log.indexPath());
    log.dataAlreadyDeleted();
  }

  private void writeTombstone(FileLog log, FileLog.Tail t, long expiredAt) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("createdAt", log.createdAt);
    o.addProperty("lastAppendAt", t.lastAt());
    o.addProperty("eventCount", t.count());
    o.addProperty("byteSize", t.size());
    o.addProperty("expiredAt", expiredAt);
    byte[] bytes = (o + "\n").getBytes(StandardCharsets.UTF_8);
    Path tmp = log.dir.resolve(TOMBSTONE_TMP);
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      FileLog.writeFully(c, ByteBuffer.wrap(bytes), 0);
      if (durability != Durability.NONE) {
        c.force(false);
      }
    }
    Files.move(tmp, log.dir.resolve(FileLog.TOMBSTONE_FILE), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (durability != Durability.NONE) {
      FileLayout.syncDir(log.dir);
    }
  }

  /** Deletes an expired log's event files once nothing reads them; the tombstone stays. */
  private void deleteData(FileLog log) {
    try {
      handles.retire(log);
      Files.deleteIfExists(log.dataPath());
      Files.deleteIfExists(log.indexPath());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete the expired events of session " + log.id + " (retried on restart)", e);
    }
  }

  private void rollBack(FileLog log, FileLog.Tail t, IOException cause) {
    try {
      handles.withChannels(log, (data, index) -> {
        FileLog.truncateTo(data, index, t);
        return null;
      });
    } catch (IOException e) {
      // A half-written line may stay after the data: refuse appends until recovery sorts it out.
      log.broken = true;
      cause.addSuppressed(e);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private FileLog live(String sessionId) {
    ensureOpen();
    FileLog log = logs.get(sessionId);
    if (log == null || log.state == FileLog.GONE) {
      throw EveException.sessionNotFound();
    }
    load(log);
    requireLive(log);
    return log;
  }

  private void requireLive(FileLog log) {
    switch (log.state) {
      case FileLog.LIVE:
        return;
      case FileLog.EXPIRED:
        throw EveException.sessionExpired();
      default:
        throw closed ? closedException() : EveException.sessionNotFound();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static IllegalStateException closedException() {
    return new IllegalStateException("the journal is closed");
  }

  private static void checkLine(byte[] line) {
    Objects.requireNonNull(line, "line");
    int n = line.length;
    if (n == 0 || line[n - 1] != '\n') {
      throw new IllegalArgumentException("an event line must end with \\n");
    }
    for (int i = 0; i < n - 1; i++) {
      byte b = line[i];
      if (b == '\n' || b == 0) {
        throw new IllegalArgumentException("an event line must be one line without NUL bytes (byte " + i + ")");
      }
    }
  }
}
