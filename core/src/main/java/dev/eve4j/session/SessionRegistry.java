package dev.eve4j.session;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the journal of events does not hold but a restart needs: who created each session, and the
 * summaries compactions produced (the model's summary is not published on the stream). Kept as one
 * more log in the same journal, so it is exactly as durable as the events. Thread-safe: appends
 * from any session's actor are serialized here.
 */
final class SessionRegistry {
  /** The log's id; never a session id (those start with {@code wrun_}). */
  static final String LOG = "eve4j.sessions";

  private final EventJournal journal;

  SessionRegistry(EventJournal journal) {
    this.journal = journal;
    if (!journal.contains(LOG)) {
      journal.create(LOG);
    }
  }

  /** Records a session's creation. */
  void created(String sessionId, String owner) {
    JsonObject o = new JsonObject();
    o.addProperty("op", "create");
    o.addProperty("sessionId", sessionId);
    o.addProperty("owner", owner);
    append(o);
  }

  /** Records the summary a compaction produced, keyed by its {@code compaction.completed} event. */
  void summary(String sessionId, String eventId, String text) {
    JsonObject o = new JsonObject();
    o.addProperty("op", "summary");
    o.addProperty("sessionId", sessionId);
    o.addProperty("eventId", eventId);
    o.addProperty("text", text);
    append(o);
  }

  private synchronized void append(JsonObject entry) {
    journal.append(LOG, (Json.toJson(entry) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Every entry recorded so far, oldest first. */
  List<JsonObject> entries() {
    List<JsonObject> out = new ArrayList<>();
    long tail = journal.tailIndex(LOG);
    JournalCursor c = journal.cursor(LOG, 0);
    try {
      while (c.position() <= tail) {
        byte[] line = c.poll();
        if (line == null) {
          break;
        }
        out.add(JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject());
      }
    } finally {
      c.close();
    }
    return out;
  }
}
