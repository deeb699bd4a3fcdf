package dev.eve4j.channel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The closed word lists of the channel (value to canonical prose), shared by {@link PayloadValidator}
 * and {@link Manifest} so that what is documented is what is enforced. Immutable.
 */
public final class Vocabulary {
  public static final Map<String, String> EVENT_TONES = ordered(
      "info", "Neutral accent (the default).",
      "alert", "Needs attention.",
      "success", "Good news.");
  public static final Map<String, String> FIELD_TONES = ordered(
      "success", "A green hint on a card or details field; no behaviour.",
      "warning", "An amber hint; no behaviour.",
      "danger", "A red hint; no behaviour.");
  public static final Map<String, String> BUTTON_TONES = ordered(
      "primary", "The emphasised event button.",
      "secondary", "A plain event button (the default).");
  public static final Map<String, String> ACTIVITY_TYPES = ordered(
      "thinking", "LLM reasoning, planning, deciding.",
      "searching", "Web search, vector lookup, database query.",
      "tool_use", "Calling an API, running a function, reading a file.",
      "browsing", "Reading a webpage, scraping content.",
      "processing", "Data transform, calculation, batch operation.");
  public static final Map<String, String> ACTIVITY_STATUSES = ordered(
      "working", "The working card is live.",
      "awaiting_input", "Paused mid-plan on the human; not sealed.");
  public static final Map<String, String> TODO_STATUSES = ordered(
      "pending", "Not started.",
      "in_progress", "The active task; new steps file under it.",
      "done", "Finished.");
  public static final Map<String, String> EDITABLE_TYPES = ordered(
      "text", "A string.",
      "number", "A finite number.",
      "currency", "A finite number (format the symbol around the {{id}} token).",
      "date", "An ISO date, YYYY-MM-DD.",
      "choice", "The id of one of the editable's options.");
  public static final Map<String, String> ATTACHMENT_TYPES = ordered(
      "image", "Rendered inline; the URL is yours.",
      "file", "Rendered as a labelled download link; the URL is yours.");
  public static final Map<String, String> WEBHOOK_EVENTS = ordered(
      "interaction.response", "The human answered an interaction (also a poll event).",
      "message.user", "The human typed a message; carries supersededInteraction when it expired a live one "
          + "(also a poll event).",
      "vessel.created", "The human opened a new vessel; the first message rides inside (also a poll event).",
      "vessel.archived", "A vessel was archived.",
      "vessel.deleted", "A vessel was permanently deleted.",
      "message.cancelled", "The human tapped Stop on a working message (webhook only).");
  /** The webhook events that are also delivered by {@code GET /poll}. */
  public static final Map<String, String> POLL_EVENTS = ordered(
      "interaction.response", WEBHOOK_EVENTS.get("interaction.response"),
      "message.user", WEBHOOK_EVENTS.get("message.user"),
      "vessel.created", WEBHOOK_EVENTS.get("vessel.created"));

  private Vocabulary() {}

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
