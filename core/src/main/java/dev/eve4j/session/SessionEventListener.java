package dev.eve4j.session;

import dev.eve4j.protocol.Event;

/**
 * Sees every event appended to any session of a {@link SessionService}, in each session's order:
 * the feed of projections such as the SSE firehose. Called on the appending session's actor thread
 * right after the journal append; must be quick and must never block (hand work to a queue).
 */
public interface SessionEventListener {
  /**
   * @param sessionId the session
   * @param owner the subject of the principal that created the session
   * @param index the event's index in the session's journal
   * @param event the event
   * @param line the exact NDJSON line stored in the journal
   */
  void onEvent(String sessionId, String owner, long index, Event event, byte[] line);
}
