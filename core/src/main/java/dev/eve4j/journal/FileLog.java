package dev.eve4j.journal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One session's log in a {@link FileEventJournal}: its files, what is written and what readers may
 * see, its waiting readers, and the byte-level format (see {@link FileEventJournal} for the layout).
 *
 * <p>Threads: the session's appender, {@code expire}, {@code delete}, loading and the journal's
 * close hold {@link #writeLock}. Readers hold no lock: they read {@link #visible} (volatile) and
 * then lines below it, from the {@link #ring} of recent lines or from the files. The waiter list,
 * the state changes that wake readers and the open-cursor count are guarded by this object's
 * monitor, which is only ever held briefly and never during I/O.
 */
final class FileLog {
  static final String DATA_FILE = "events.ndjson";
  static final String INDEX_FILE = "events.idx";
  static final String TOMBSTONE_FILE = "expired";

  static final int HEADER_BYTES = 32;
  static final int ENTRY_BYTES = 16;
  static final int MAGIC = 0x45564A49; // "EVJI"
  static final int VERSION = 1;
  /** The header's checkpoint moves when this many entries were added since it last moved. */
  static final int CHECKPOINT_EVERY = 256;

  static final int LIVE = 0;
  static final int EXPIRED = 1;
  /** Deleted, or the journal closed: readers stop, nothing is served. */
  static final int GONE = 2;

  private static final int RING_SIZE = 64;
  private static final int RING_MAX_LINE = 8 * 1024;
  private static final int BATCH_MAX_LINES = 256;
  private static final int BATCH_MAX_BYTES = 64 * 1024;
  private static final int SCAN_CHUNK = 64 * 1024;

  /** A count of events, the data size they fill and the time of the last (creation when none). */
  record Tail(long count, long size, long lastAt) {}

  /** Before loading: a log costs little memory until it is used (100,000 sessions are listed). */
  private static final Tail NOTHING = new Tail(0, 0, 0);

  /** One recent line with its index, so a reader can tell a recycled ring slot. */
  private record Cached(long index, byte[] line) {}

  /** What {@link #recover} found. */
  record Recovered(long createdAt, Tail tail, boolean repaired) {}

  final String id;
  final Path dir;

  // ---- FileHandles' fields ----
  /** -1: channels closed; n >= 0: open and used by n operations. */
  final AtomicInteger pins = new AtomicInteger(-1);
  volatile FileChannel data;
  volatile FileChannel index;
  volatile long lastUse;
  /** Never to be opened again. Written under FileHandles' lock. */
  volatile boolean retired;

  // ---- state ----
  final ReentrantLock writeLock = new ReentrantLock();
  volatile boolean loaded;
  volatile int state = LIVE;
  /** Epoch millis; written under writeLock before {@link #loaded} is set. */
  long createdAt;
  /** What is in the files (appender-owned, under writeLock). */
  volatile Tail written = NOTHING;
  /** What readers may see: everything written, or under group commit everything fsynced. */
  volatile Tail visible = NOTHING;
  /** Events known fsynced (a hook for tests; equals {@link #visible} under group commit). */
  volatile long durable;
  /** Entries the index header vouches for. */
  volatile long checkpoint;
  /** Under group commit: the new files and directories still need their first fsync. */
  volatile boolean needsCreateSync;
  /** An I/O failure left the files in doubt: no more appends until a restart recovers them. */
  volatile boolean broken;
  /** In the flusher's queue. */
  final AtomicBoolean queued = new AtomicBoolean();
  /** In the checkpointer's queue: entries past the checkpoint wait for the log to go idle. */
  final AtomicBoolean checkpointQueued = new AtomicBoolean();
  /** {@link System#nanoTime()} of the last append. */
  volatile long lastAppendNanos;
  /** Recent lines, kept while the log's files are open; null when dropped. */
  private volatile Cached[] ring;

  // Guarded by this.
  private List<Runnable> waiters = List.of();
  private int openCursors;
  private boolean dataDeleted;

  FileLog(String id, Path dir) {
    this.id = id;
    this.dir = dir;
  }

  Path dataPath() {
    return dir.resolve(DATA_FILE);
  }

  Path indexPath() {
    return dir.resolve(INDEX_FILE);
  }

  // ---- readers and wake-ups ----

  /** Registers a one-shot wake-up, or runs it at once when an event at {@code position} is visible. */
  void await(long position, Runnable wake) {
    synchronized (this) {
      if (state == LIVE && position >= visible.count()) {
        if (waiters.isEmpty()) {
          waiters = new ArrayList<>(2);
        }
        waiters.add(wake);
        return;
      }
    }
    wake.run();
  }

  synchronized void removeWaiter(Runnable wake) {
    if (!waiters.isEmpty()) { // the empty list is immutable
      waiters.remove(wake);
    }
  }

  /** Shows {@code t} to readers; returns the wake-ups to run once the caller holds no lock or pin. */
  List<Runnable> publish(Tail t) {
    synchronized (this) {
      if (t.count() <= visible.count()) {
        return List.of();
      }
      visible = t;
      return takeWaitersLocked();
    }
  }

  /** Moves to EXPIRED or GONE; returns the wake-ups to run. */
  List<Runnable> changeState(int newState) {
    synchronized (this) {
      state = newState;
      return takeWaitersLocked();
    }
  }

  /** Counts an open cursor; false when the log is no longer live. */
  synchronized boolean cursorOpened() {
    if (state != LIVE) {
      return false;
    }
    openCursors++;
    return true;
  }

  /** True when the caller should now delete the expired data (the last cursor closed). */
  synchronized boolean cursorClosed() {
    openCursors--;
    return claimDataDeletionLocked();
  }

  /** True once for the caller that should delete the data of an expired log nobody reads. */
  synchronized boolean claimDataDeletion() {
    return claimDataDeletionLocked();
  }

  synchronized void dataAlreadyDeleted() {
    dataDeleted = true;
  }

  private boolean claimDataDeletionLocked() {
    if (state == EXPIRED && openCursors == 0 && !dataDeleted) {
      dataDeleted = true;
      return true;
    }
    return false;
  }

  private List<Runnable> takeWaitersLocked() {
    if (waiters.isEmpty()) {
      return List.of();
    }
    List<Runnable> w = waiters;
    waiters = List.of();
    return w;
  }

  static void runAll(List<Runnable> wakes) {
    for (Runnable r : wakes) {
      r.run();
    }
  }

  // ---- recent-line ring ----

  /** Keeps a just-written line for live readers; called while the files are pinned. */
  void cache(long index, byte[] line) {
    Cached[] r = ring;
    if (r == null) {
      r = new Cached[RING_SIZE];
      ring = r;
    }
    r[(int) (index & (RING_SIZE - 1))] = line.length <= RING_MAX_LINE ? new Cached(index, line) : null;
  }

  byte[] cached(long index) {
    Cached[] r = ring;
    if (r == null) {
      return null;
    }
    Cached c = r[(int) (index & (RING_SIZE - 1))];
    return c != null && c.index() == index ? c.line() : null;
  }

  /** The files were closed (evicted or retired): drop the ring so memory follows the handle bound. */
  void onClosed() {
    ring = null;
  }

  // ---- the format ----

  /** Writes a fresh index header (a new log, or one recovery rewrote). */
  static void writeHeader(FileChannel index, long createdAt, long checkpoint) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
    b.putInt(MAGIC).putInt(VERSION).putLong(createdAt).putLong(checkpoint).putLong(0L).flip();
    writeFully(index, b, 0);
  }

  /** Moves the header's checkpoint: the first {@code count} entries are durable and valid. */
  void writeCheckpoint(FileChannel index, long count) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8).putLong(count).flip();
    writeFully(index, b, 16);
    checkpoint = count;
  }

  static long entryPosition(long eventIndex) {
    return HEADER_BYTES + eventIndex * ENTRY_BYTES;
  }

  /** Writes line {@code t.count()} after the data and its index entry; publishes nothing. */
  static void writeLine(FileChannel data, FileChannel index, Tail t, byte[] line, long at) throws IOException {
    writeFully(data, ByteBuffer.wrap(line), t.size());
    ByteBuffer e = ByteBuffer.allocate(ENTRY_BYTES).putLong(t.size() + line.length).putLong(at).flip();
    writeFully(index, e, entryPosition(t.count()));
  }

  /** Cuts both files back to {@code t} after a failed append. */
  static void truncateTo(FileChannel data, FileChannel index, Tail t) throws IOException {
    data.truncate(t.size());
    index.truncate(entryPosition(t.count()));
  }

  /**
   * Lines {@code [position, position + k)} for some {@code k >= 1}, read with one index read and one
   * data read; {@code limit} (exclusive) bounds what may be read.
   */
  byte[][] readLines(FileChannel data, FileChannel index, long position, long limit) throws IOException {
    int n = (int) Math.min(limit - position, BATCH_MAX_LINES);
    long first = position == 0 ? 0 : position - 1;
    int entries = (int) (position + n - first);
    ByteBuffer ib = ByteBuffer.allocate(entries * ENTRY_BYTES);
    readFully(index, ib, entryPosition(first));
    int skip = position == 0 ? 0 : 1;
    long start = position == 0 ? 0 : ib.getLong(0);
    long[] ends = new long[n];
    int k = 0;
    long end = start;
    while (k < n) {
      long e = ib.getLong((skip + k) * ENTRY_BYTES);
      if (e <= end) {
        throw new IOException("corrupt index of session " + id + " at event " + (position + k));
      }
      if (k > 0 && e - start > BATCH_MAX_BYTES) {
        break;
      }
      ends[k++] = e;
      end = e;
    }
    if (end - start > Integer.MAX_VALUE - 64) {
      throw new IOException("event " + position + " of session " + id + " is too large to read");
    }
    ByteBuffer db = ByteBuffer.allocate((int) (end - start));
    readFully(data, db, start);
    byte[] all = db.array();
    byte[][] lines = new byte[k][];
    int from = 0;
    for (int i = 0; i < k; i++) {
      int to = (int) (ends[i] - start);
      if (all[to - 1] != '\n') {
        throw new IOException("corrupt data of session " + id + " at event " + (position + i));
      }
      byte[] line = new byte[to - from];
      System.arraycopy(all, from, line, 0, line.length);
      lines[i] = line;
      from = to;
    }
    return lines;
  }

  /**
   * Makes the two files consistent after whatever ended the last run, reading only the part the
   * header's checkpoint does not vouch for. The data file is the truth: complete lines (ending in
   * {@code \n}, free of NUL bytes, as a torn write leaves zeros) are kept and indexed, keeping the
   * append times of index entries that match; a torn last line, garbage after it and index entries
   * past it are cut off. Repairs are fsynced before anything is served.
   *
   * <p>Times lost with the index: a missing header's creation time becomes the directory's
   * modification time (set when the files were created), a lost entry's append time the data file's.
   *
   * @param fsync false under {@code NONE}: lines past the checkpoint are then not fsynced
   */
  Recovered recover(FileChannel data, FileChannel index, boolean fsync) throws IOException {
    long dataLen = data.size();
    long indexLen = index.size();
    long createdAt = 0;
    long checkpointed = 0;
    boolean headerOk = false;
    if (indexLen >= HEADER_BYTES) {
      ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
      readFully(index, h, 0);
      if (h.getInt(0) == MAGIC && h.getInt(4) == VERSION) {
        headerOk = true;
        createdAt = h.getLong(8);
        checkpointed = h.getLong(16);
      }
    }
    if (!headerOk) {
      createdAt = Files.getLastModifiedTime(dir).toMillis();
    }
    long entries = headerOk ? (indexLen - HEADER_BYTES) / ENTRY_BYTES : 0;
    long trusted = Math.max(0, Math.min(checkpointed, entries));
    long start = 0;
    long lastAt = createdAt;
    if (trusted > 0) {
      ByteBuffer e = ByteBuffer.allocate(ENTRY_BYTES);
      readFully(index, e, entryPosition(trusted - 1));
      long end = e.getLong(0);
      if (end > 0 && end <= dataLen && byteAt(data, end - 1) == '\n') {
        start = end;
        lastAt = e.getLong(8);
      } else {
        trusted = 0; // the checkpoint lies (the files were changed behind our back): index everything
      }
    }

    IndexRewriter rewriter = new IndexRewriter(index, trusted, entries, dataPath());
    long goodEnd = start;
    ByteBuffer buf = ByteBuffer.allocate(SCAN_CHUNK);
    long pos = start;
    scan:
    while (pos < dataLen) {
      buf.clear();
      int want = (int) Math.min(SCAN_CHUNK, dataLen - pos);
      buf.limit(want);
      readFully(data, buf, pos);
      for (int i = 0; i < want; i++) {
        byte b = buf.get(i);
        if (b == 0) {
          break scan; // a torn write: this line and everything after it go
        }
        if (b == '\n') {
          goodEnd = pos + i + 1;
          lastAt = rewriter.line(goodEnd);
        }
      }
      pos += want;
    }
    rewriter.finish();
    long count = rewriter.count();
    boolean repaired = rewriter.changed() || !headerOk || goodEnd != dataLen || indexLen != entryPosition(count)
        || trusted < checkpointed;
    if (goodEnd < dataLen) {
      data.truncate(goodEnd);
    }
    if (!headerOk) {
      writeHeader(index, createdAt, 0);
    }
    if (indexLen > entryPosition(count)) {
      index.truncate(entryPosition(count));
    }
    if (repaired || (fsync && count > trusted)) {
      // Lines past the checkpoint may sit in the page cache only (the JVM died, not the machine):
      // make them durable before any reader sees them.
      data.force(false);
      index.force(false);
    }
    if (repaired || count > trusted) {
      writeCheckpoint(index, count);
    } else {
      checkpoint = trusted;
    }
    return new Recovered(createdAt, new Tail(count, goodEnd, lastAt), repaired);
  }

  /** Re-indexes lines from a given entry on, rewriting only the entries that differ. */
  private static final class IndexRewriter {
    private static final int BLOCK = 256;
    private final FileChannel index;
    private final long existing;
    private final Path dataPath;
    private long fallbackAt = -1;
    private final ByteBuffer block = ByteBuffer.allocate(BLOCK * ENTRY_BYTES);
    private long blockFirst = -1;
    private int blockExisting;
    private int blockUsed;
    private boolean blockDirty;
    private long count;
    private boolean changed;

    IndexRewriter(FileChannel index, long from, long existing, Path dataPath) {
      this.index = index;
      this.count = from;
      this.existing = existing;
      this.dataPath = dataPath;
    }

    /** Records the next line, ending at {@code end}; returns its append time. */
    long line(long end) throws IOException {
      long first = count - count % BLOCK;
      if (first != blockFirst) {
        flush();
        blockFirst = first;
        blockUsed = 0;
        blockExisting = (int) Math.max(0, Math.min(BLOCK, existing - first));
        block.clear();
        if (blockExisting > 0) {
          block.limit(blockExisting * ENTRY_BYTES);
          readFully(index, block, entryPosition(first));
        }
      }
      int slot = (int) (count - first);
      int at = slot * ENTRY_BYTES;
      long time;
      if (slot < blockExisting && block.getLong(at) == end) {
        time = block.getLong(at + 8);
      } else {
        if (fallbackAt < 0) {
          fallbackAt = Files.getLastModifiedTime(dataPath).toMillis();
        }
        time = fallbackAt;
        block.limit(block.capacity());
        block.putLong(at, end).putLong(at + 8, time);
        blockDirty = true;
        changed = true;
      }
      blockUsed = slot + 1;
      count++;
      return time;
    }

    void finish() throws IOException {
      flush();
    }

    long count() {
      return count;
    }

    boolean changed() {
      return changed;
    }

    private void flush() throws IOException {
      if (blockDirty) {
        ByteBuffer out = block.duplicate();
        out.position(0).limit(blockUsed * ENTRY_BYTES);
        writeFully(index, out, entryPosition(blockFirst));
        blockDirty = false;
      }
    }
  }

  private static byte byteAt(FileChannel c, long position) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    readFully(c, b, position);
    return b.get(0);
  }

  static void readFully(FileChannel c, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      int n = c.read(b, p);
      if (n < 0) {
        throw new EOFException("unexpected end of journal file at " + p);
      }
      p += n;
    }
    b.flip();
  }

  static void writeFully(FileChannel c, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      p += c.write(b, p);
    }
  }
}
