package dev.eve4j.standalone;

import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.FileJournalOptions;
import dev.eve4j.session.Retention;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where the standalone server keeps its data, from the environment:
 * <ul>
 *   <li>{@code EVE4J_DATA_DIR} (default {@code ./eve4j-data}): sessions in {@code journal/}, the
 *       operator channel in {@code channel/}; {@code EVE4J_JOURNAL=memory} keeps nothing on disk;</li>
 *   <li>{@code EVE4J_DURABILITY}: {@code group} (default: fsync at most every 25 ms, nothing shown
 *       before it is durable), {@code fsync} (each event) or {@code none};</li>
 *   <li>{@code EVE4J_RETENTION_MAX_AGE} (ISO-8601, e.g. {@code P30D}), {@code EVE4J_RETENTION_MAX_SESSIONS},
 *       {@code EVE4J_RETENTION_MAX_BYTES}: history past any limit expires (410).</li>
 * </ul>
 */
record Storage(Path dataDir, boolean memory, FileJournalOptions.Durability durability, Retention retention) {

  static Storage fromEnvironment(Map<String, String> env) {
    String dir = env.getOrDefault("EVE4J_DATA_DIR", "");
    boolean memory = "memory".equalsIgnoreCase(env.getOrDefault("EVE4J_JOURNAL", "file").trim());
    String journal = env.getOrDefault("EVE4J_JOURNAL", "file").trim();
    if (!memory && !journal.equalsIgnoreCase("file") && !journal.isEmpty()) {
      throw new IllegalArgumentException("EVE4J_JOURNAL must be file or memory, was '" + journal + "'");
    }
    FileJournalOptions.Durability durability;
    String d = env.getOrDefault("EVE4J_DURABILITY", "group").trim().toLowerCase(java.util.Locale.ROOT);
    switch (d) {
      case "":
      case "group":
        durability = FileJournalOptions.Durability.GROUP_COMMIT;
        break;
      case "fsync":
        durability = FileJournalOptions.Durability.FSYNC_EACH;
        break;
      case "none":
        durability = FileJournalOptions.Durability.NONE;
        break;
      default:
        throw new IllegalArgumentException("EVE4J_DURABILITY must be group, fsync or none, was '" + d + "'");
    }
    Retention retention = Retention.none();
    String age = env.get("EVE4J_RETENTION_MAX_AGE");
    if (age != null && !age.isBlank()) {
      try {
        retention = retention.withMaxAge(Duration.parse(age.trim()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("EVE4J_RETENTION_MAX_AGE must be an ISO-8601 duration such as P30D");
      }
    }
    retention = retention.withMaxSessions((int) number(env, "EVE4J_RETENTION_MAX_SESSIONS"));
    retention = retention.withMaxBytes(number(env, "EVE4J_RETENTION_MAX_BYTES"));
    return new Storage(Path.of(dir.isBlank() ? "eve4j-data" : dir.trim()).toAbsolutePath(), memory, durability,
        retention);
  }

  private static long number(Map<String, String> env, String key) {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return 0;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0 || (key.endsWith("SESSIONS") && n > Integer.MAX_VALUE)) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a non-negative whole number, was '" + v + "'");
    }
  }

  /** The journal of one part of the data ({@code journal}, {@code channel}). */
  EventJournal open(String part) {
    if (memory) {
      return EventJournal.inMemory();
    }
    return EventJournal.file(dataDir.resolve(part), FileJournalOptions.defaults().withDurability(durability));
  }

  String describe() {
    return memory ? "in memory (EVE4J_JOURNAL=memory: nothing survives a restart)"
        : dataDir + " (" + durability.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")";
  }
}
