package dev.eve4j.channel;

import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Idempotency} over the journal: completed keys are appended to one log per UTC day
 * ({@code chi_yyyyMMdd}); logs older than the window are deleted whole; claims in progress live in
 * memory only (a crash releases them).
 */
final class JournalIdempotency implements Idempotency {
  static final String PREFIX = "chi_";
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

  private final EventJournal journal;
  private final Clock clock;
  private final long windowMillis;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();
  private final Object logLock = new Object();
  private final AtomicLong completions = new AtomicLong();

  /** A claim ({@code done} false) or a recorded response. */
  private record Entry(boolean done, int status, String body, long at, long token) {}

  JournalIdempotency(EventJournal journal, Clock clock, long windowMillis) {
    this.journal = journal;
    this.clock = clock;
    this.windowMillis = windowMillis;
  }

  /** Loads the records still inside the window and deletes day logs past it. */
  void load() {
    long now = clock.millis();
    for (String id : journal.sessionIds()) {
      if (!id.startsWith(PREFIX)) {
        continue;
      }
      LocalDate day = day(id);
      if (day == null) {
        continue;
      }
      if (stale(day, now)) {
        journal.delete(id);
        continue;
      }
      for (JsonObject r : JournalChannel.readAll(journal, id)) {
        long at = r.get("at").getAsLong();
        if (now - at < windowMillis) {
          String k = key(r.get("ws").getAsString(), r.get("key").getAsString());
          entries.merge(k, new Entry(true, r.get("status").getAsInt(), r.get("body").getAsString(), at, 0),
              (a, b) -> a.at >= b.at ? a : b);
        }
      }
    }
  }

  @Override
  public Claim begin(String workspaceId, String key) {
    Idempotency.checkKey(key);
    long now = clock.millis();
    Claim[] out = new Claim[1];
    entries.compute(key(workspaceId, key), (k, e) -> {
      if (e == null || (e.done && now - e.at >= windowMillis)) {
        long token = tokens.incrementAndGet();
        out[0] = new Started(workspaceId, key, token);
        return new Entry(false, 0, null, now, token);
      }
      out[0] = e.done ? new Replay(e.status, e.body) : new InProgress();
      return e;
    });
    return out[0];
  }

  @Override
  public void complete(Started s, int status, String body) {
    if (status < 200 || status > 299) {
      abandon(s);
      return;
    }
    long now = clock.millis();
    JsonObject r = new JsonObject();
    r.addProperty("ws", s.workspaceId());
    r.addProperty("key", s.key());
    r.addProperty("status", status);
    r.addProperty("body", body);
    r.addProperty("at", now);
    try {
      append(r, now);
    } catch (RuntimeException e) {
      abandon(s);
      throw e;
    }
    entries.computeIfPresent(key(s.workspaceId(), s.key()),
        (k, e) -> e.token == s.token() ? new Entry(true, status, body, now, 0) : e);
    if (completions.incrementAndGet() % 512 == 0) {
      sweep(now);
    }
  }

  @Override
  public void abandon(Started s) {
    entries.computeIfPresent(key(s.workspaceId(), s.key()), (k, e) -> !e.done && e.token == s.token() ? null : e);
  }

  private void append(JsonObject record, long now) {
    String id = PREFIX + DAY.format(Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).toLocalDate());
    byte[] line = (ChannelJson.toJson(record) + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (logLock) {
      if (!journal.contains(id)) {
        journal.create(id);
        for (String other : journal.sessionIds()) {
          LocalDate d = other.startsWith(PREFIX) ? day(other) : null;
          if (d != null && stale(d, now)) {
            journal.delete(other);
          }
        }
      }
      journal.append(id, line);
    }
  }

  /** Drops recorded responses whose window has passed. */
  private void sweep(long now) {
    entries.entrySet().removeIf(e -> e.getValue().done && now - e.getValue().at >= windowMillis);
  }

  /** A day log is stale once every record it can hold is past the window. */
  private boolean stale(LocalDate day, long now) {
    long endOfDay = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    return now - endOfDay >= windowMillis;
  }

  private static LocalDate day(String logId) {
    try {
      return LocalDate.parse(logId.substring(PREFIX.length()), DAY);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String key(String workspaceId, String key) {
    return workspaceId + "\n" + key;
  }
}
