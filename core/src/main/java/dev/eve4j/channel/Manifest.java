package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * The machine-readable feature manifest ({@code GET /manifest}), composed from the same enums, word
 * lists and limits that {@link PayloadValidator} enforces. Thread-safe.
 */
public final class Manifest {
  private Manifest() {}

  /** As {@link #json(InboundFiles)} with the default file limits. */
  public static JsonObject json() {
    return json(null);
  }

  /**
   * {@code {ok:true, interactionTypes, sources, kinds, webhookEvents, pollEvents, tones, …, limits}};
   * {@code limits.files} are those of {@code files} ({@link InboundFiles#limits()}), or the defaults
   * when null.
   */
  public static JsonObject json(InboundFiles files) {
    JsonObject o = new JsonObject();
    o.addProperty("ok", true);
    o.addProperty("manifestVersion", 1);
    JsonArray types = new JsonArray();
    for (InteractionType t : InteractionType.values()) {
      JsonObject e = new JsonObject();
      e.addProperty("type", t.wire());
      e.addProperty("description", t.description());
      e.addProperty("response", t.responseShape());
      types.add(e);
    }
    o.add("interactionTypes", types);
    JsonArray sources = new JsonArray();
    for (Source s : Source.values()) {
      sources.add(entry(s.wire(), s.description()));
    }
    o.add("sources", sources);
    JsonArray kinds = new JsonArray();
    for (Kind k : Kind.values()) {
      kinds.add(entry(k.wire(), k.description()));
    }
    o.add("kinds", kinds);
    o.add("webhookEvents", list(Vocabulary.WEBHOOK_EVENTS));
    o.add("pollEvents", list(Vocabulary.POLL_EVENTS));
    JsonObject tones = new JsonObject();
    tones.add("event", list(Vocabulary.EVENT_TONES));
    tones.add("field", list(Vocabulary.FIELD_TONES));
    tones.add("button", list(Vocabulary.BUTTON_TONES));
    o.add("tones", tones);
    o.add("activityTypes", list(Vocabulary.ACTIVITY_TYPES));
    o.add("activityStatuses", list(Vocabulary.ACTIVITY_STATUSES));
    o.add("todoStatuses", list(Vocabulary.TODO_STATUSES));
    o.add("editableTypes", list(Vocabulary.EDITABLE_TYPES));
    o.add("attachmentTypes", list(Vocabulary.ATTACHMENT_TYPES));
    JsonArray statuses = new JsonArray();
    for (VesselStatus s : VesselStatus.values()) {
      statuses.add(s.wire());
    }
    o.add("vesselStatuses", statuses);
    JsonArray scopes = new JsonArray();
    for (Scope s : Scope.values()) {
      scopes.add(s.wire());
    }
    o.add("scopes", scopes);
    JsonObject limits = new JsonObject();
    limits.addProperty("labels", Limits.MAX_LABELS);
    limits.addProperty("labelLength", Limits.MAX_LABEL_LENGTH);
    limits.addProperty("suggestions", Limits.MAX_SUGGESTIONS);
    limits.addProperty("attachments", Limits.MAX_ATTACHMENTS);
    limits.add("questions", range(Limits.MIN_QUESTIONS, Limits.MAX_QUESTIONS));
    limits.add("questionOptions", range(Limits.MIN_QUESTION_OPTIONS, Limits.MAX_QUESTION_OPTIONS));
    limits.addProperty("pushManyVessels", Limits.MAX_PUSH_MANY_VESSELS);
    limits.addProperty("externalIdLength", Limits.MAX_EXTERNAL_ID_LENGTH);
    limits.addProperty("tokenStreamChars", Limits.TOKEN_STREAM_KEEP);
    limits.addProperty("messagesPerPage", Limits.MAX_PAGE);
    limits.addProperty("idempotencyKeyLength", Limits.MAX_IDEMPOTENCY_KEY_LENGTH);
    limits.addProperty("contextMessages", Limits.CONTEXT_MESSAGES);
    limits.add("files", files == null ? fileLimits(ChannelOptions.defaults()) : files.limits());
    o.add("limits", limits);
    return o;
  }

  /** {@code {maxBytes, perMessage, ttlSeconds, downloadUrlTtlSeconds, types}} of inbound files. */
  static JsonObject fileLimits(ChannelOptions options) {
    JsonObject f = new JsonObject();
    f.addProperty("maxBytes", options.maxFileBytes());
    f.addProperty("perMessage", options.maxFilesPerMessage());
    f.addProperty("ttlSeconds", options.fileTtl().toSeconds());
    f.addProperty("downloadUrlTtlSeconds", options.downloadUrlTtl().toSeconds());
    JsonArray types = new JsonArray();
    InboundFiles.TYPES.keySet().forEach(types::add);
    f.add("types", types);
    return f;
  }

  private static JsonObject entry(String name, String description) {
    JsonObject e = new JsonObject();
    e.addProperty("name", name);
    e.addProperty("description", description);
    return e;
  }

  private static JsonArray list(Map<String, String> words) {
    JsonArray a = new JsonArray();
    words.forEach((k, v) -> a.add(entry(k, v)));
    return a;
  }

  private static JsonObject range(int min, int max) {
    JsonObject r = new JsonObject();
    r.addProperty("min", min);
    r.addProperty("max", max);
    return r;
  }
}
