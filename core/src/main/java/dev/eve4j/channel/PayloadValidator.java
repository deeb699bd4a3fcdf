package dev.eve4j.channel;

import static dev.eve4j.channel.Checker.at;
import static dev.eve4j.channel.Checker.idx;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one validator of every channel payload: the server runs exactly these checks before it
 * stores anything, the {@code validate} command runs them offline, and a library user can call them
 * before sending. Each method returns every field-level error it finds ({@code path: message}),
 * never throws for bad input, and accepts any {@link JsonElement} (a non-object is one root error).
 * Unknown fields are ignored, except in interaction responses, which must match their interaction
 * exactly. Stateless and thread-safe.
 */
public final class PayloadValidator {
  static final String PUSH = "push";
  static final String PUSH_MANY = "push/many";
  static final String SURFACE = "surface";
  static final String EVENT = "event";
  private static final int NO_MAX = Integer.MAX_VALUE;
  private static final Pattern TOKEN = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*\\}\\}");
  private static final Pattern EDITABLE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  static final List<String> SETTABLE_STATUSES = List.of("active", "resolved");

  private PayloadValidator() {}

  /** A payload for {@code POST /push}. */
  public static Validation push(JsonElement payload) {
    return run(PUSH, payload, (c, o) -> message(c, o, PUSH));
  }

  /** A payload for {@code POST /push/many}: the push fields with {@code vessels} (1-100) for {@code vessel}. */
  public static Validation pushMany(JsonElement payload) {
    return run(PUSH_MANY, payload, (c, o) -> message(c, o, PUSH_MANY));
  }

  /** {@link #pushMany} when the payload has a {@code vessels} field, else {@link #push}, as the CLI does. */
  public static Validation auto(JsonElement payload) {
    return isPushMany(payload) ? pushMany(payload) : push(payload);
  }

  /** True when the payload is a broadcast (it has a {@code vessels} field). */
  public static boolean isPushMany(JsonElement payload) {
    return payload != null && payload.isJsonObject() && payload.getAsJsonObject().has("vessels");
  }

  /** A payload for {@code POST /surface}: a title (required), card, markdown {@code body}, interaction. */
  public static Validation surface(JsonElement payload) {
    return run(SURFACE, payload, (c, o) -> message(c, o, SURFACE));
  }

  /** A payload for {@code POST /event}: a backend banner (title, tone, card, body, sections, buttons). */
  public static Validation event(JsonElement payload) {
    return run(EVENT, payload, PayloadValidator::eventBody);
  }

  /**
   * A payload for {@code PATCH /vessels/…}: any of title, labels, details, metadata, archived, pinned,
   * vesselStatus, externalId.
   */
  public static Validation vesselPatch(JsonElement payload) {
    return run("vessel patch", payload, (c, o) -> {
      if (o.has("title") && !o.get("title").isJsonNull()) {
        c.string(o, "title", "", true, 1, NO_MAX);
      }
      if (o.has("externalId")) {
        externalId(c, o, "externalId", true);
      }
      vesselFields(c, o);
      c.bool(o, "archived", "");
      c.bool(o, "pinned", "");
      if (Stream.of("title", "labels", "details", "metadata", "archived", "pinned", "vesselStatus", "externalId")
          .noneMatch(o::has)) {
        c.add("", "Nothing to update: send any of title, labels, details, metadata, archived, pinned, vesselStatus, "
            + "externalId");
      }
    });
  }

  /** A workspace change: any of {@code name}, {@code userVesselsEnabled}, {@code vesselTypes} (unique, non-empty). */
  public static Validation workspacePatch(JsonElement payload) {
    return run("workspace", payload, (c, o) -> {
      c.string(o, "name", "", false, 1, NO_MAX);
      c.bool(o, "userVesselsEnabled", "");
      c.bool(o, "debugMode", "");
      JsonArray types = c.array(o, "vesselTypes", "", false, 0, NO_MAX);
      if (types != null) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < types.size(); i++) {
          String t = c.stringAt(types.get(i), idx("vesselTypes", i), 1, NO_MAX);
          if (t != null && !seen.add(t)) {
            c.add(idx("vesselTypes", i), "Duplicate vessel type '" + t + "'");
          }
        }
      }
    });
  }

  /**
   * A human message posted into a vessel: {@code {content, attachments?}}. With attachments (ids of
   * uploaded files) the content may be absent, null or empty.
   */
  public static Validation userMessage(JsonElement payload) {
    return run("message", payload, (c, o) -> {
      boolean files = fileIds(c, o);
      c.string(o, "content", "", !files, files ? 0 : 1, NO_MAX);
    });
  }

  /**
   * A human opening a vessel: {@code {message, type?, title?, attachments?}}; with attachments the
   * message may be absent, null or empty.
   */
  public static Validation openVessel(JsonElement payload) {
    return run("vessel", payload, (c, o) -> {
      boolean files = fileIds(c, o);
      c.string(o, "message", "", !files, files ? 0 : 1, NO_MAX);
      c.string(o, "type", "", false, 1, NO_MAX);
      c.string(o, "title", "", false, 1, NO_MAX);
    });
  }

  /**
   * Checks {@code attachments} of a human message: up to {@link Limits#MAX_ATTACHMENTS} distinct
   * file ids; true when there is at least one (whether each file exists is the channel's check).
   */
  private static boolean fileIds(Checker c, JsonObject o) {
    JsonArray a = c.array(o, "attachments", "", false, 0, Limits.MAX_ATTACHMENTS);
    if (a == null) {
      return false;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < a.size(); i++) {
      String id = c.stringAt(a.get(i), idx("attachments", i), 1, 64);
      if (id != null && !seen.add(id)) {
        c.add(idx("attachments", i), "Duplicate file id '" + id + "'");
      }
    }
    return a.size() > 0;
  }

  /**
   * A body for {@code POST /messages/:id/respond}, {@code {response: {…}}}, checked against the
   * interaction it answers (shape, option ids, edits against their editables).
   */
  public static Validation respond(JsonObject interaction, JsonElement body) {
    return run("response", body, (c, o) -> {
      JsonObject r = c.object(o, "response", "", true);
      if (r != null) {
        response(c, interaction, r, "response");
      }
    });
  }

  private interface Body {
    void check(Checker c, JsonObject o);
  }

  private static Validation run(String kind, JsonElement payload, Body body) {
    Checker c = new Checker();
    if (payload == null || !payload.isJsonObject()) {
      c.add("", "Expected object, received " + Checker.typeOf(payload));
    } else {
      body.check(c, payload.getAsJsonObject());
    }
    return new Validation(kind, c.errors);
  }

  // ---------------------------------------------------------------------------------------- messages

  private static void message(Checker c, JsonObject o, String variant) {
    if (variant.equals(PUSH_MANY)) {
      JsonArray vessels = c.array(o, "vessels", "", true, 1, Limits.MAX_PUSH_MANY_VESSELS);
      if (vessels != null) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < vessels.size(); i++) {
          String v = c.stringAt(vessels.get(i), idx("vessels", i), 1, Limits.MAX_EXTERNAL_ID_LENGTH);
          if (v != null && !seen.add(v)) {
            c.add(idx("vessels", i), "Duplicate vessel '" + v + "'");
          }
        }
      }
      if (o.has("vessel")) {
        c.add("vessel", "Not allowed with vessels: a broadcast names its vessels in vessels");
      }
    } else {
      externalId(c, o, "vessel", true);
      if (o.has("vessels")) {
        c.add("vessels", "Not allowed on a single push: send a broadcast to push/many");
      }
    }
    vesselFields(c, o);
    boolean surface = variant.equals(SURFACE);
    String contentKey = surface ? "body" : "message";
    String content = c.string(o, contentKey, "", false, 1, NO_MAX);
    if (surface && o.has("message")) {
      c.add("message", "Not allowed on a surface: its content is body");
    }
    c.string(o, "title", "", surface, 1, NO_MAX);
    String kind = c.oneOf(o, "kind", "", false, wires(Kind.values()));
    if (surface && "bubble".equals(kind)) {
      c.add("kind", "A surface is always kind 'surface'");
    }
    Map<String, String> cardEditables = card(c, o, "card");
    JsonObject interaction = c.object(o, "interaction", "", false);
    List<String> editables = interaction == null ? List.of() : interaction(c, interaction, "interaction");
    c.url(o, "previewUrl", "", false);
    attachments(c, o);
    JsonArray suggestions = c.array(o, "suggestions", "", false, 0, Limits.MAX_SUGGESTIONS);
    if (suggestions != null) {
      for (int i = 0; i < suggestions.size(); i++) {
        c.stringAt(suggestions.get(i), idx("suggestions", i), 1, NO_MAX);
      }
    }
    boolean activity = activity(c, o);
    boolean stream = c.string(o, "tokenStream", "", false, 0, NO_MAX) != null;
    if (!surface && !Checker.present(o, "message") && !Checker.present(o, "title") && !activity && !stream) {
      c.add("message", "Required: a push needs one of message, title, agentActivity or tokenStream");
    }
    bindEditables(c, editables, cardEditables, content);
  }

  private static void externalId(Checker c, JsonObject o, String key, boolean required) {
    c.string(o, key, "", required, 1, Limits.MAX_EXTERNAL_ID_LENGTH);
  }

  /** The vessel-level fields a push (or a patch) may carry. */
  private static void vesselFields(Checker c, JsonObject o) {
    c.string(o, "vesselTitle", "", false, 1, NO_MAX);
    labels(c, o);
    c.anyObject(o, "metadata", "");
    if (Checker.present(o, "details")) {
      JsonObject d = c.object(o, "details", "", false);
      if (d != null) {
        fields(c, d, "details", true);
      }
    }
    if (Checker.present(o, "vesselStatus")) {
      JsonElement s = o.get("vesselStatus");
      if (Checker.typeOf(s).equals("string") && s.getAsString().equals("waiting")) {
        c.add("vesselStatus", "'waiting' is derived from a live interaction and cannot be set; use 'active' or "
            + "'resolved'");
      } else {
        c.oneOf(o, "vesselStatus", "", false, SETTABLE_STATUSES);
      }
    }
  }

  private static void labels(Checker c, JsonObject o) {
    JsonArray labels = c.array(o, "labels", "", false, 0, Limits.MAX_LABELS);
    if (labels != null) {
      for (int i = 0; i < labels.size(); i++) {
        c.stringAt(labels.get(i), idx("labels", i), 1, Limits.MAX_LABEL_LENGTH);
      }
    }
  }

  /** Checks a card; returns its fields' editableIds (id to path). */
  private static Map<String, String> card(Checker c, JsonObject o, String key) {
    JsonObject card = c.object(o, key, "", false);
    if (card == null) {
      return Map.of();
    }
    c.string(card, "title", key, false, 1, NO_MAX);
    return fields(c, card, key, false);
  }

  /** Card or details fields ({@code {label, value, url?, tone?, copyable?|editableId?}}); returns editableIds. */
  private static Map<String, String> fields(Checker c, JsonObject holder, String base, boolean details) {
    Map<String, String> editableIds = new LinkedHashMap<>();
    JsonArray fields = c.array(holder, "fields", base, true, 0, NO_MAX);
    if (fields == null) {
      return editableIds;
    }
    for (int i = 0; i < fields.size(); i++) {
      String p = idx(at(base, "fields"), i);
      JsonObject f = c.objectAt(fields.get(i), p);
      if (f == null) {
        continue;
      }
      c.string(f, "label", p, true, 1, NO_MAX);
      c.string(f, "value", p, true, 0, NO_MAX);
      c.url(f, "url", p, false);
      c.oneOf(f, "tone", p, false, Vocabulary.FIELD_TONES.keySet());
      if (details) {
        c.bool(f, "copyable", p);
      } else {
        String id = c.string(f, "editableId", p, false, 1, NO_MAX);
        if (id != null) {
          editableIds.put(id, at(p, "editableId"));
        }
      }
    }
    return editableIds;
  }

  private static void attachments(Checker c, JsonObject o) {
    JsonArray a = c.array(o, "attachments", "", false, 0, Limits.MAX_ATTACHMENTS);
    if (a == null) {
      return;
    }
    for (int i = 0; i < a.size(); i++) {
      String p = idx("attachments", i);
      JsonObject att = c.objectAt(a.get(i), p);
      if (att != null) {
        c.oneOf(att, "type", p, true, Vocabulary.ATTACHMENT_TYPES.keySet());
        c.url(att, "url", p, true);
        c.string(att, "filename", p, false, 1, NO_MAX);
      }
    }
  }

  /** Checks {@code agentActivity}; true when one is present (a push may then omit message). */
  private static boolean activity(Checker c, JsonObject o) {
    JsonObject a = c.object(o, "agentActivity", "", false);
    if (a == null) {
      return false;
    }
    String base = "agentActivity";
    c.oneOf(a, "type", base, false, Vocabulary.ACTIVITY_TYPES.keySet());
    c.string(a, "label", base, false, 0, NO_MAX);
    c.oneOf(a, "status", base, false, Vocabulary.ACTIVITY_STATUSES.keySet());
    JsonArray todos = c.array(a, "todos", base, false, 0, NO_MAX);
    if (todos != null) {
      for (int i = 0; i < todos.size(); i++) {
        String p = idx(at(base, "todos"), i);
        JsonObject t = c.objectAt(todos.get(i), p);
        if (t != null) {
          c.string(t, "label", p, true, 1, NO_MAX);
          c.oneOf(t, "status", p, false, Vocabulary.TODO_STATUSES.keySet());
        }
      }
    }
    return true;
  }

  // ------------------------------------------------------------------------------------ interactions

  /** Checks one interaction; returns the ids of its editables (approval only). */
  static List<String> interaction(Checker c, JsonObject i, String base) {
    String typeName = c.oneOfDiscriminator(i, base);
    c.string(i, "prompt", base, true, 1, NO_MAX);
    c.anyObject(i, "metadata", base);
    if (typeName == null) {
      return List.of();
    }
    switch (InteractionType.fromWire(typeName).orElseThrow()) {
      case APPROVAL:
        c.string(i, "approveLabel", base, false, 1, NO_MAX);
        c.string(i, "rejectLabel", base, false, 1, NO_MAX);
        c.bool(i, "reasonRequired", base);
        c.bool(i, "rejectable", base);
        return editables(c, i, base);
      case CHOICE:
        options(c, i, base, "options", 1, NO_MAX, false);
        c.bool(i, "allowCustom", base);
        return List.of();
      case CHECKLIST:
        options(c, i, base, "options", 1, NO_MAX, true);
        return List.of();
      case TEXT_INPUT:
        c.string(i, "placeholder", base, false, 0, NO_MAX);
        c.bool(i, "multiline", base);
        return List.of();
      case QUESTIONS:
        questions(c, i, base);
        c.string(i, "submitLabel", base, false, 1, NO_MAX);
        return List.of();
      default:
        throw new AssertionError(typeName);
    }
  }

  /** Checks {@code {id, label, description?, checked?}} options with unique ids; returns the ids. */
  private static Set<String> options(Checker c, JsonObject holder, String base, String key, int min, int max,
      boolean checkable) {
    Set<String> ids = new HashSet<>();
    JsonArray options = c.array(holder, key, base, true, min, max);
    if (options == null) {
      return ids;
    }
    for (int k = 0; k < options.size(); k++) {
      String p = idx(at(base, key), k);
      JsonObject opt = c.objectAt(options.get(k), p);
      if (opt == null) {
        continue;
      }
      String id = c.string(opt, "id", p, true, 1, NO_MAX);
      if (id != null && !ids.add(id)) {
        c.add(at(p, "id"), "Duplicate option id '" + id + "'");
      }
      c.string(opt, "label", p, true, 1, NO_MAX);
      c.string(opt, "description", p, false, 0, NO_MAX);
      if (checkable) {
        c.bool(opt, "checked", p);
      }
    }
    return ids;
  }

  private static void questions(Checker c, JsonObject i, String base) {
    JsonArray qs = c.array(i, "questions", base, true, Limits.MIN_QUESTIONS, Limits.MAX_QUESTIONS);
    if (qs == null) {
      return;
    }
    Set<String> ids = new HashSet<>();
    for (int k = 0; k < qs.size(); k++) {
      String p = idx(at(base, "questions"), k);
      JsonObject q = c.objectAt(qs.get(k), p);
      if (q == null) {
        continue;
      }
      String id = c.string(q, "id", p, true, 1, NO_MAX);
      if (id != null && !ids.add(id)) {
        c.add(at(p, "id"), "Duplicate question id '" + id + "'");
      }
      c.string(q, "question", p, true, 1, NO_MAX);
      c.string(q, "header", p, false, 1, NO_MAX);
      c.bool(q, "multiSelect", p);
      c.bool(q, "allowOther", p);
      options(c, q, p, "options", Limits.MIN_QUESTION_OPTIONS, Limits.MAX_QUESTION_OPTIONS, false);
    }
  }

  private static List<String> editables(Checker c, JsonObject i, String base) {
    JsonArray eds = c.array(i, "editables", base, false, 0, NO_MAX);
    if (eds == null) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < eds.size(); k++) {
      String p = idx(at(base, "editables"), k);
      JsonObject ed = c.objectAt(eds.get(k), p);
      if (ed == null) {
        continue;
      }
      String id = c.string(ed, "id", p, true, 1, 64);
      if (id != null) {
        if (!EDITABLE_ID.matcher(id).matches()) {
          c.add(at(p, "id"), "Invalid id: letters, digits, '_', '-' and '.' only (it is used as a {{" + "id}} token)");
        } else if (!seen.add(id)) {
          c.add(at(p, "id"), "Duplicate editable id '" + id + "'");
        } else {
          out.add(id);
        }
      }
      c.string(ed, "label", p, false, 1, NO_MAX);
      String type = c.oneOf(ed, "type", p, true, Vocabulary.EDITABLE_TYPES.keySet());
      Set<String> optionIds = null;
      if ("choice".equals(type)) {
        optionIds = options(c, ed, p, "options", 1, NO_MAX, false);
      } else if (ed.has("options") && type != null) {
        c.add(at(p, "options"), "Only a choice editable takes options");
      }
      if (!Checker.present(ed, "value")) {
        c.add(at(p, "value"), "Required");
      } else if (type != null) {
        String problem = editableValueProblem(type, ed.get("value"), optionIds);
        if (problem != null) {
          c.add(at(p, "value"), problem);
        }
      }
    }
    return out;
  }

  /** Why {@code value} is not a value of an editable of this type, or null when it is. */
  static String editableValueProblem(String type, JsonElement value, Set<String> optionIds) {
    String t = Checker.typeOf(value);
    switch (type) {
      case "text":
        return t.equals("string") ? null : "Expected string, received " + t;
      case "number":
      case "currency":
        if (!t.equals("number")) {
          return "Expected number, received " + t;
        }
        double d = value.getAsDouble();
        return Double.isFinite(d) ? null : "Expected a finite number";
      case "date":
        if (!t.equals("string")) {
          return "Expected string, received " + t;
        }
        try {
          String s = value.getAsString();
          if (s.length() != 10) {
            return "Invalid date: expected YYYY-MM-DD";
          }
          LocalDate.parse(s);
          return null;
        } catch (DateTimeParseException e) {
          return "Invalid date: expected YYYY-MM-DD";
        }
      case "choice":
        if (!t.equals("string")) {
          return "Expected string, received " + t;
        }
        return optionIds == null || optionIds.contains(value.getAsString()) ? null
            : "Invalid option '" + value.getAsString() + "'. Expected " + Checker.expected(sorted(optionIds));
      default:
        return "Unknown editable type '" + type + "'";
    }
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().collect(Collectors.toList());
  }

  /** Every editable bound to a card field or a {{id}} token; every card editableId declared. */
  private static void bindEditables(Checker c, List<String> editables, Map<String, String> cardIds, String content) {
    Set<String> tokens = new HashSet<>();
    if (content != null) {
      Matcher m = TOKEN.matcher(content);
      while (m.find()) {
        tokens.add(m.group(1));
      }
    }
    for (int k = 0; k < editables.size(); k++) {
      String id = editables.get(k);
      if (!cardIds.containsKey(id) && !tokens.contains(id)) {
        c.add("interaction.editables", "Editable '" + id + "' is not bound: reference it from a card field's "
            + "editableId or a {{" + id + "}} token in the body");
      }
    }
    Set<String> declared = new HashSet<>(editables);
    cardIds.forEach((id, path) -> {
      if (!declared.contains(id)) {
        c.add(path, "No editable '" + id + "' is declared on an approval interaction");
      }
    });
  }

  // --------------------------------------------------------------------------------------- responses

  private static void response(Checker c, JsonObject interaction, JsonObject r, String base) {
    InteractionType type = InteractionType.fromWire(interaction.get("type").getAsString()).orElseThrow();
    switch (type) {
      case APPROVAL:
        approvalResponse(c, interaction, r, base);
        break;
      case CHOICE:
        choiceResponse(c, interaction, r, base);
        break;
      case CHECKLIST:
        known(c, r, base, "selected");
        selected(c, r, base, optionIds(interaction.getAsJsonArray("options")), true);
        break;
      case TEXT_INPUT:
        known(c, r, base, "text");
        c.string(r, "text", base, true, 1, NO_MAX);
        break;
      case QUESTIONS:
        questionsResponse(c, interaction, r, base);
        break;
      default:
        throw new AssertionError(type);
    }
  }

  /** Rejects fields a response of this type does not have. */
  private static void known(Checker c, JsonObject r, String base, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (String k : r.keySet()) {
      if (!ok.contains(k)) {
        c.add(at(base, k), "Unknown field for this interaction's response");
      }
    }
  }

  private static void approvalResponse(Checker c, JsonObject i, JsonObject r, String base) {
    known(c, r, base, "action", "reason", "edits");
    String action = c.oneOf(r, "action", base, true, List.of("approved", "rejected"));
    String reason = c.string(r, "reason", base, false, 0, NO_MAX);
    boolean rejectable = !i.has("rejectable") || i.get("rejectable").getAsBoolean();
    boolean reasonRequired = i.has("reasonRequired") && i.get("reasonRequired").getAsBoolean();
    if ("rejected".equals(action)) {
      if (!rejectable) {
        c.add(at(base, "action"), "This approval cannot be rejected (rejectable: false)");
      } else if (reasonRequired && (reason == null || reason.isBlank())) {
        c.add(at(base, "reason"), "Required: this approval asks for a reason on rejection (reasonRequired: true)");
      }
      if (Checker.present(r, "edits")) {
        c.add(at(base, "edits"), "Edits are only sent with an approval");
      }
    } else if ("approved".equals(action) && reason != null) {
      c.add(at(base, "reason"), "A reason is only sent with a rejection");
    }
    JsonObject edits = c.object(r, "edits", base, false);
    if (edits == null) {
      return;
    }
    Map<String, JsonObject> declared = new HashMap<>();
    if (i.has("editables")) {
      for (JsonElement e : i.getAsJsonArray("editables")) {
        declared.put(e.getAsJsonObject().get("id").getAsString(), e.getAsJsonObject());
      }
    }
    for (Map.Entry<String, JsonElement> e : edits.entrySet()) {
      String p = at(at(base, "edits"), e.getKey());
      JsonObject ed = declared.get(e.getKey());
      if (ed == null) {
        c.add(p, declared.isEmpty() ? "This approval declares no editables"
            : "Unknown editable. Expected " + Checker.expected(sorted(declared.keySet())));
        continue;
      }
      String type = ed.get("type").getAsString();
      Set<String> opts = type.equals("choice") ? optionIds(ed.getAsJsonArray("options")) : null;
      String problem = editableValueProblem(type, e.getValue(), opts);
      if (problem != null) {
        c.add(p, problem);
      }
    }
  }

  private static void choiceResponse(Checker c, JsonObject i, JsonObject r, String base) {
    known(c, r, base, "selected", "customValue");
    boolean allowCustom = i.has("allowCustom") && i.get("allowCustom").getAsBoolean();
    Set<String> ids = optionIds(i.getAsJsonArray("options"));
    String custom = c.string(r, "customValue", base, false, 1, NO_MAX);
    boolean hasSelected = Checker.present(r, "selected");
    if (custom != null && !allowCustom) {
      c.add(at(base, "customValue"), "This choice does not allow a custom value (allowCustom is not true)");
    }
    if (hasSelected) {
      String s = c.string(r, "selected", base, true, 1, NO_MAX);
      if (s != null && !ids.contains(s)) {
        c.add(at(base, "selected"), "Invalid option '" + s + "'. Expected " + Checker.expected(sorted(ids)));
      }
      if (custom != null) {
        c.add(at(base, "customValue"), "Send either selected or customValue, not both");
      }
    } else if (!Checker.present(r, "customValue")) {
      c.add(at(base, "selected"), "Required");
    }
  }

  private static void selected(Checker c, JsonObject r, String base, Set<String> ids, boolean required) {
    JsonArray sel = c.array(r, "selected", base, required, 0, NO_MAX);
    if (sel == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < sel.size(); k++) {
      String p = idx(at(base, "selected"), k);
      String s = c.stringAt(sel.get(k), p, 1, NO_MAX);
      if (s == null) {
        continue;
      }
      if (!ids.contains(s)) {
        c.add(p, "Invalid option '" + s + "'. Expected " + Checker.expected(sorted(ids)));
      } else if (!seen.add(s)) {
        c.add(p, "Duplicate option '" + s + "'");
      }
    }
  }

  private static void questionsResponse(Checker c, JsonObject i, JsonObject r, String base) {
    known(c, r, base, "answers");
    Map<String, JsonObject> questions = new LinkedHashMap<>();
    for (JsonElement q : i.getAsJsonArray("questions")) {
      questions.put(q.getAsJsonObject().get("id").getAsString(), q.getAsJsonObject());
    }
    JsonArray answers = c.array(r, "answers", base, true, 0, NO_MAX);
    if (answers == null) {
      return;
    }
    Set<String> answered = new HashSet<>();
    for (int k = 0; k < answers.size(); k++) {
      String p = idx(at(base, "answers"), k);
      JsonObject a = c.objectAt(answers.get(k), p);
      if (a == null) {
        continue;
      }
      for (String key : a.keySet()) {
        if (!Set.of("questionId", "selected", "other").contains(key)) {
          c.add(at(p, key), "Unknown field for an answer");
        }
      }
      String qid = c.string(a, "questionId", p, true, 1, NO_MAX);
      if (qid == null) {
        continue;
      }
      JsonObject q = questions.get(qid);
      if (q == null) {
        c.add(at(p, "questionId"), "Unknown question. Expected " + Checker.expected(questions.keySet()));
        continue;
      }
      if (!answered.add(qid)) {
        c.add(at(p, "questionId"), "Question '" + qid + "' is answered twice");
        continue;
      }
      int before = c.count();
      selected(c, a, p, optionIds(q.getAsJsonArray("options")), true);
      JsonArray sel = a.has("selected") && a.get("selected").isJsonArray() ? a.getAsJsonArray("selected") : null;
      boolean multi = q.has("multiSelect") && q.get("multiSelect").getAsBoolean();
      boolean allowOther = !q.has("allowOther") || q.get("allowOther").getAsBoolean();
      if (sel != null && !multi && sel.size() > 1) {
        c.add(at(p, "selected"), "Question '" + qid + "' is single-select: choose at most one option");
      }
      String other = c.string(a, "other", p, false, 0, NO_MAX);
      if (other != null && !allowOther) {
        c.add(at(p, "other"), "Question '" + qid + "' does not allow Other (allowOther: false)");
      }
      if (c.count() == before && (sel == null || sel.size() == 0) && (other == null || other.isBlank())) {
        c.add(at(p, "selected"), "Choose an option" + (allowOther ? " or fill in other" : ""));
      }
    }
    for (String qid : questions.keySet()) {
      if (!answered.contains(qid)) {
        c.add(at(base, "answers"), "Missing an answer for question '" + qid + "'");
      }
    }
  }

  static Set<String> optionIds(JsonArray options) {
    Set<String> ids = new HashSet<>();
    if (options != null) {
      for (JsonElement o : options) {
        ids.add(o.getAsJsonObject().get("id").getAsString());
      }
    }
    return ids;
  }

  /**
   * The stored form of a valid response: an approval's {@code edits} keep only changed values (none
   * left: no {@code edits}); a choice always has both {@code selected} and {@code customValue}.
   */
  static JsonObject normalize(JsonObject interaction, JsonObject response) {
    JsonObject r = response.deepCopy();
    String type = interaction.get("type").getAsString();
    if (type.equals("approval") && r.has("edits")) {
      if (r.get("edits").isJsonNull()) {
        r.remove("edits");
        return r;
      }
      JsonObject edits = r.getAsJsonObject("edits");
      for (JsonElement e : interaction.getAsJsonArray("editables")) {
        JsonObject ed = e.getAsJsonObject();
        String id = ed.get("id").getAsString();
        if (edits.has(id) && sameValue(ed.get("value"), edits.get(id))) {
          edits.remove(id);
        }
      }
      if (edits.size() == 0) {
        r.remove("edits");
      }
    } else if (type.equals("choice")) {
      if (!r.has("selected")) {
        r.add("selected", com.google.gson.JsonNull.INSTANCE);
      }
      if (!r.has("customValue")) {
        r.add("customValue", com.google.gson.JsonNull.INSTANCE);
      }
    }
    return r;
  }

  private static boolean sameValue(JsonElement a, JsonElement b) {
    if (a.isJsonPrimitive() && b.isJsonPrimitive() && a.getAsJsonPrimitive().isNumber()
        && b.getAsJsonPrimitive().isNumber()) {
      return a.getAsBigDecimal().compareTo(b.getAsBigDecimal()) == 0;
    }
    return a.equals(b);
  }

  // ------------------------------------------------------------------------------------------ events

  private static void eventBody(Checker c, JsonObject o) {
    externalId(c, o, "vessel", true);
    vesselFields(c, o);
    c.string(o, "title", "", true, 1, NO_MAX);
    c.oneOf(o, "tone", "", false, Vocabulary.EVENT_TONES.keySet());
    card(c, o, "card").forEach((id, path) -> c.add(path, "An event's card takes no editableId (events carry no "
        + "interaction)"));
    c.string(o, "body", "", false, 0, NO_MAX);
    JsonArray sections = c.array(o, "sections", "", false, 0, NO_MAX);
    if (sections != null) {
      for (int i = 0; i < sections.size(); i++) {
        String p = idx("sections", i);
        JsonObject s = c.objectAt(sections.get(i), p);
        if (s != null) {
          c.string(s, "heading", p, true, 1, NO_MAX);
          c.string(s, "body", p, true, 0, NO_MAX);
          c.bool(s, "collapsed", p);
        }
      }
    }
    JsonArray buttons = c.array(o, "buttons", "", false, 0, NO_MAX);
    if (buttons != null) {
      for (int i = 0; i < buttons.size(); i++) {
        String p = idx("buttons", i);
        JsonObject b = c.objectAt(buttons.get(i), p);
        if (b != null) {
          c.string(b, "label", p, true, 1, NO_MAX);
          c.url(b, "url", p, true);
          c.oneOf(b, "tone", p, false, Vocabulary.BUTTON_TONES.keySet());
        }
      }
    }
    if (o.has("interaction")) {
      c.add("interaction", "An event carries no interaction: push one to ask for a decision");
    }
  }

  static List<String> wires(Kind[] kinds) {
    return Stream.of(kinds).map(Kind::wire).collect(Collectors.toList());
  }
}
