package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.journal.JournalCursor;
import dev.eve4j.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * {@link OperatorChannel} over an {@link EventJournal}.
 *
 * <p>Logs: {@code chw_registry} (workspaces, keys, revocations), {@code chv_<vesselId>} per vessel
 * (creation, patches, messages, responses, cancels, poll events and their acks), {@code
 * chi_<yyyyMMdd>} (idempotency records). Each change is one line, appended before it is applied to
 * memory; a change and the poll event it causes share their line, so a crash never separates them.
 *
 * <p>Locks: a workspace's monitor guards its external-id index (vessel creation, rename, delete);
 * a vessel's monitor guards its state and the appends to its log; the registry lock guards the
 * registry log; a workspace's poll lock serializes acknowledging polls. Order: workspace, then
 * poll lock, then vessel.
 */
final class JournalChannel implements OperatorChannel {
  static final String REGISTRY = "chw_registry";
  static final String VESSEL_PREFIX = "chv_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final EventJournal journal;
  private final Clock clock;
  private final ChannelOptions options;
  private final JournalIdempotency idempotency;
  private final WebhookService webhooks;
  private final Object registryLock = new Object();
  private final Map<String, WorkspaceState> workspaces = new ConcurrentHashMap<>();
  private final Map<String, KeyState> keysById = new ConcurrentHashMap<>();
  private final Map<String, KeyState> keysByHash = new ConcurrentHashMap<>();
  private final Map<String, VesselState> vessels = new ConcurrentHashMap<>();
  private final Map<String, VesselState> vesselOfMessage = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private volatile String defaultWorkspaceId;

  /** A workspace's indexes; its monitor guards {@link #byExternal} changes. */
  private static final class WorkspaceState {
    volatile Workspace workspace;
    final Map<String, VesselState> byExternal = new ConcurrentHashMap<>();
    /** Pending poll events of every vessel, in delivery order: seq to (vessel, event id). */
    final ConcurrentSkipListMap<Long, PendingRef> pending = new ConcurrentSkipListMap<>();
    final Map<String, Long> pendingSeq = new ConcurrentHashMap<>();
    final Object pollLock = new Object();

    WorkspaceState(Workspace w) {
      this.workspace = w;
    }
  }

  private record PendingRef(String vesselId, String eventId) {}

  private static final class KeyState {
    volatile ApiKey key;
    final String hash;

    KeyState(ApiKey key, String hash) {
      this.key = key;
      this.hash = hash;
    }
  }

  private JournalChannel(EventJournal journal, ChannelOptions options, WebhookOptions webhookOptions) {
    this.journal = journal;
    this.options = options;
    this.clock = options.clock();
    this.idempotency = new JournalIdempotency(journal, clock, options.idempotencyWindow().toMillis());
    this.webhooks = new WebhookService(journal, webhookOptions);
  }

  static JournalChannel open(EventJournal journal, ChannelOptions options, WebhookOptions webhookOptions) {
    JournalChannel c = new JournalChannel(java.util.Objects.requireNonNull(journal, "journal"),
        java.util.Objects.requireNonNull(options, "options"), java.util.Objects.requireNonNull(webhookOptions,
        "webhookOptions"));
    c.load();
    c.webhooks.load();
    return c;
  }

  // ------------------------------------------------------------------------------------- loading

  private void load() {
    if (journal.contains(REGISTRY)) {
      for (JsonObject r : readAll(journal, REGISTRY)) {
        applyRegistry(r);
      }
    } else {
      journal.create(REGISTRY);
    }
    if (defaultWorkspaceId == null) {
      createWorkspace(options.defaultWorkspaceName());
    }
    List<String> ids = journal.sessionIds().stream().filter(id -> id.startsWith(VESSEL_PREFIX)).sorted()
        .collect(Collectors.toList());
    for (String logId : ids) {
      List<JsonObject> records = readAll(journal, logId);
      if (records.isEmpty() || !records.get(0).get("t").getAsString().equals("vessel")) {
        continue; // a log whose creation record never landed holds nothing
      }
      JsonObject first = records.get(0);
      WorkspaceState w = workspaces.get(first.get("workspaceId").getAsString());
      if (w == null) {
        continue;
      }
      VesselState v = newVessel(first);
      synchronized (v) {
        for (int i = 1; i < records.size(); i++) {
          apply(v, records.get(i));
        }
      }
      register(w, v);
    }
    idempotency.load();
  }

  /** Every line of a log, parsed. */
  static List<JsonObject> readAll(EventJournal journal, String logId) {
    List<JsonObject> out = new ArrayList<>();
    long tail = journal.tailIndex(logId);
    try (JournalCursor cursor = journal.cursor(logId, 0)) {
      while (cursor.position() <= tail) {
        byte[] line = cursor.poll();
        if (line == null) {
          break;
        }
        out.add(JsonParser.parseString(new String(line, StandardCharsets.UTF_8)).getAsJsonObject());
      }
    }
    return out;
  }

  private void append(String logId, JsonObject record) {
    journal.append(logId, (ChannelJson.toJson(record) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject record(String type, long at) {
    JsonObject r = new JsonObject();
    r.addProperty("t", type);
    r.addProperty("at", at);
    return r;
  }

  // ------------------------------------------------------------------------ registry: workspaces

  private void applyRegistry(JsonObject r) {
    long at = r.get("at").getAsLong();
    switch (r.get("t").getAsString()) {
      case "workspace": {
        Workspace w = new Workspace(r.get("id").getAsString(), r.get("name").getAsString(), Instant.ofEpochMilli(at),
            false, List.of());
        workspaces.put(w.id(), new WorkspaceState(w));
        if (defaultWorkspaceId == null) {
          defaultWorkspaceId = w.id();
        }
        break;
      }
      case "workspace_patch": {
        WorkspaceState s = workspaces.get(r.get("id").getAsString());
        Workspace w = s.workspace;
        String name = r.has("name") ? r.get("name").getAsString() : w.name();
        boolean enabled = r.has("userVesselsEnabled") ? r.get("userVesselsEnabled").getAsBoolean()
            : w.userVesselsEnabled();
        List<String> types = w.vesselTypes();
        if (r.has("vesselTypes")) {
          types = new ArrayList<>();
          for (JsonElement e : r.getAsJsonArray("vesselTypes")) {
            types.add(e.getAsString());
          }
        }
        s.workspace = new Workspace(w.id(), name, w.createdAt(), enabled, types);
        break;
      }
      case "key": {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (JsonElement e : r.getAsJsonArray("scopes")) {
          Scope.fromWire(e.getAsString()).ifPresent(scopes::add);
        }
        ApiKey k = new ApiKey(r.get("id").getAsString(), r.get("workspaceId").getAsString(),
            r.get("name").getAsString(), r.get("prefix").getAsString(), scopes, Instant.ofEpochMilli(at), null);
        KeyState ks = new KeyState(k, r.get("hash").getAsString());
        keysById.put(k.id(), ks);
        keysByHash.put(ks.hash, ks);
        break;
      }
      case "revoke": {
        KeyState ks = keysById.get(r.get("id").getAsString());
        if (ks != null && ks.key.revokedAt() == null) {
          ApiKey k = ks.key;
          ks.key = new ApiKey(k.id(), k.workspaceId(), k.name(), k.prefix(), k.scopes(), k.createdAt(),
              Instant.ofEpochMilli(at));
        }
        break;
      }
      default:
        break; // written by a newer version: ignored
    }
  }

  private void registry(JsonObject r) {
    synchronized (registryLock) {
      append(REGISTRY, r);
      applyRegistry(r);
    }
  }

  @Override
  public Workspace defaultWorkspace() {
    return workspaces.get(defaultWorkspaceId).workspace;
  }

  @Override
  public Workspace createWorkspace(String name) {
    if (name == null || name.isBlank()) {
      throw ChannelException.badRequest("A workspace needs a name");
    }
    JsonObject r = record("workspace", clock.millis());
    String id = UUID.randomUUID().toString();
    r.addProperty("id", id);
    r.addProperty("name", name);
    registry(r);
    return workspaces.get(id).workspace;
  }

  @Override
  public Optional<Workspace> workspace(String id) {
    WorkspaceState s = id == null ? null : workspaces.get(id);
    return s == null ? Optional.empty() : Optional.of(s.workspace);
  }

  @Override
  public List<Workspace> workspaces() {
    return workspaces.values().stream().map(s -> s.workspace).sorted(Comparator.comparing(Workspace::createdAt))
        .collect(Collectors.toList());
  }

  @Override
  public Workspace updateWorkspace(String workspaceId, JsonElement patch) {
    ws(workspaceId);
    PayloadValidator.workspacePatch(patch).orThrow();
    JsonObject p = patch.getAsJsonObject();
    JsonObject r = record("workspace_patch", clock.millis());
    r.addProperty("id", workspaceId);
    for (String k : List.of("name", "userVesselsEnabled", "vesselTypes")) {
      if (p.has(k) && !p.get(k).isJsonNull()) {
        r.add(k, p.get(k).deepCopy());
      }
    }
    registry(r);
    return workspaces.get(workspaceId).workspace;
  }

  // ------------------------------------------------------------------------------- registry: keys

  @Override
  public CreatedApiKey createKey(String workspaceId, String name, Set<Scope> scopes) {
    ws(workspaceId);
    if (scopes == null || scopes.isEmpty()) {
      throw ChannelException.badRequest("A key needs at least one scope (read, push)");
    }
    byte[] raw = new byte[24];
    RANDOM.nextBytes(raw);
    String secret = "vsl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    long now = clock.millis();
    JsonObject r = record("key", now);
    String id = "key_" + Ids.ulid(now);
    r.addProperty("id", id);
    r.addProperty("workspaceId", workspaceId);
    r.addProperty("name", name == null || name.isBlank() ? "key" : name);
    r.addProperty("prefix", secret.substring(0, 8));
    r.addProperty("hash", sha256(secret));
    JsonArray s = new JsonArray();
    for (Scope scope : Scope.values()) {
      if (scopes.contains(scope)) {
        s.add(scope.wire());
      }
    }
    r.add("scopes", s);
    registry(r);
    return new CreatedApiKey(keysById.get(id).key, secret);
  }

  @Override
  public List<ApiKey> keys(String workspaceId) {
    ws(workspaceId);
    return keysById.values().stream().map(k -> k.key).filter(k -> k.workspaceId().equals(workspaceId))
        .sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id)).collect(Collectors.toList());
  }

  @Override
  public Optional<ApiKey> revokeKey(String keyId) {
    KeyState ks = keyId == null ? null : keysById.get(keyId);
    if (ks == null) {
      return Optional.empty();
    }
    if (ks.key.revokedAt() == null) {
      JsonObject r = record("revoke", clock.millis());
      r.addProperty("id", keyId);
      registry(r);
    }
    return Optional.of(ks.key);
  }

  @Override
  public Optional<ApiKey> authenticate(String secret) {
    if (secret == null || !secret.startsWith("vsl_")) {
      return Optional.empty();
    }
    KeyState ks = keysByHash.get(sha256(secret));
    return ks == null || ks.key.revokedAt() != null ? Optional.empty() : Optional.of(ks.key);
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private WorkspaceState ws(String workspaceId) {
    WorkspaceState w = workspaceId == null ? null : workspaces.get(workspaceId);
    if (w == null) {
      throw ChannelException.notFound("Workspace not found");
    }
    return w;
  }

  // ---------------------------------------------------------------------------------- vessels

  private VesselState newVessel(JsonObject r) {
    return new VesselState(r.get("id").getAsString(), r.get("workspaceId").getAsString(),
        r.get("externalId").getAsString(), r.has("type") && !r.get("type").isJsonNull() ? r.get("type").getAsString()
        : null, r.get("at").getAsLong());
  }

  private void register(WorkspaceState w, VesselState v) {
    w.byExternal.put(v.externalId, v);
    vessels.put(v.id, v);
    synchronized (v) {
      for (MessageState m : v.messages) {
        vesselOfMessage.put(m.id, v);
      }
    }
  }

  /** The vessel with this external id, created (with its log) when there is none. */
  private VesselState findOrCreate(WorkspaceState w, String externalId) {
    VesselState v = w.byExternal.get(externalId);
    if (v != null) {
      return v;
    }
    synchronized (w) {
      v = w.byExternal.get(externalId);
      return v != null ? v : create(w, externalId, null, "agent");
    }
  }

  /** Creates a vessel; the caller holds the workspace monitor. */
  private VesselState create(WorkspaceState w, String externalId, String type, String origin) {
    String id = UUID.randomUUID().toString();
    JsonObject r = record("vessel", clock.millis());
    r.addProperty("id", id);
    r.addProperty("workspaceId", w.workspace.id());
    r.addProperty("externalId", externalId);
    r.addProperty("type", type);
    r.addProperty("origin", origin);
    VesselState v = newVessel(r);
    journal.create(v.logId);
    append(v.logId, r);
    register(w, v);
    return v;
  }

  private VesselState resolve(String workspaceId, VesselRef ref) {
    WorkspaceState w = ws(workspaceId);
    VesselState v = ref.external() ? w.byExternal.get(ref.value()) : vessels.get(ref.value());
    if (v == null || !v.workspaceId.equals(workspaceId)) {
      throw ChannelException.notFound("Vessel not found");
    }
    return v;
  }

  private static void checkLive(VesselState v) {
    if (v.deleted) {
      throw ChannelException.notFound("Vessel not found");
    }
  }

  @Override
  public List<Vessel> vessels(String workspaceId, VesselStatus status, Boolean archived) {
    WorkspaceState w = ws(workspaceId);
    List<Vessel> out = new ArrayList<>();
    for (VesselState v : w.byExternal.values()) {
      Vessel s;
      synchronized (v) {
        if (v.deleted) {
          continue;
        }
        s = v.snapshot();
      }
      if ((status == null || s.status() == status) && (archived == null || s.archived() == archived)) {
        out.add(s);
      }
    }
    out.sort(Comparator.comparing(Vessel::pinned).reversed().thenComparing(Vessel::updatedAt,
        Comparator.reverseOrder()).thenComparing(Vessel::id));
    return out;
  }

  @Override
  public Vessel vessel(String workspaceId, VesselRef ref) {
    VesselState v = resolve(workspaceId, ref);
    synchronized (v) {
      checkLive(v);
      return v.snapshot();
    }
  }

  @Override
  public Vessel updateVessel(String workspaceId, VesselRef ref, JsonElement patch) {
    PayloadValidator.vesselPatch(patch).orThrow();
    JsonObject p = patch.getAsJsonObject();
    WorkspaceState w = ws(workspaceId);
    synchronized (w) {
      VesselState v = resolve(workspaceId, ref);
      synchronized (v) {
        checkLive(v);
        JsonObject fields = vesselFields(p, "title");
        String newId = p.has("externalId") ? p.get("externalId").getAsString() : null;
        if (newId != null && !newId.equals(v.externalId)) {
          if (w.byExternal.containsKey(newId)) {
            throw ChannelException.conflict("A vessel with externalId '" + newId + "' already exists");
          }
          fields.addProperty("externalId", newId);
        }
        JsonObject r = record("patch", clock.millis());
        r.add("fields", fields);
        String oldId = v.externalId;
        boolean wasArchived = v.archived;
        append(v.logId, r);
        apply(v, r);
        changed(v, r, null);
        if (!wasArchived && v.archived) {
          webhooks.publish(workspaceId, v.id, WebhookPayloads.lifecycle("vessel.archived", workspaceId,
              v.eventVessel(), r.get("at").getAsLong()));
        }
        if (!oldId.equals(v.externalId)) {
          w.byExternal.remove(oldId, v);
          w.byExternal.put(v.externalId, v);
        }
        return v.snapshot();
      }
    }
  }

  /** The vessel-level fields of a push ({@code vesselTitle}) or patch ({@code title}) as a patch record. */
  private static JsonObject vesselFields(JsonObject p, String titleKey) {
    JsonObject f = new JsonObject();
    if (p.has(titleKey)) {
      f.add("title", p.get(titleKey).deepCopy());
    }
    for (String k : List.of("labels", "details", "metadata", "archived", "pinned")) {
      if (p.has(k) && (k.equals("details") || k.equals("metadata") || !p.get(k).isJsonNull())) {
        f.add(k, p.get(k).deepCopy());
      }
    }
    if (Checker.present(p, "vesselStatus")) {
      f.add("status", p.get("vesselStatus").deepCopy());
    }
    return f;
  }

  @Override
  public Vessel deleteVessel(String workspaceId, VesselRef ref) {
    WorkspaceState w = ws(workspaceId);
    synchronized (w) {
      VesselState v = resolve(workspaceId, ref);
      synchronized (v) {
        checkLive(v);
        Vessel before = v.snapshot();
        JsonObject gone = v.eventVessel();
        journal.delete(v.logId);
        v.deleted = true;
        w.byExternal.remove(v.externalId, v);
        vessels.remove(v.id, v);
        for (MessageState m : v.messages) {
          vesselOfMessage.remove(m.id, v);
        }
        for (VesselState.Pending p : v.pending.values()) {
          w.pending.remove(p.seq());
          w.pendingSeq.remove(p.eventId());
        }
        v.pending.clear();
        v.messages.clear();
        v.byId.clear();
        v.live = null;
        webhooks.publish(workspaceId, v.id, WebhookPayloads.lifecycle("vessel.deleted", workspaceId, gone,
            clock.millis()));
        changed(v, null, "vessel_deleted");
        return before;
      }
    }
  }

  // ----------------------------------------------------------------------------------- messages

  /** Applies one vessel log record (not the creation record) to the vessel; the caller holds its monitor. */
  private void apply(VesselState v, JsonObject r) {
    long at = r.get("at").getAsLong();
    switch (r.get("t").getAsString()) {
      case "patch":
        v.patch(r.getAsJsonObject("fields"), at);
        break;
      case "message": {
        if (r.has("patch")) {
          v.patch(r.getAsJsonObject("patch"), at);
        }
        MessageState m = new MessageState(r.getAsJsonObject("message"), at);
        v.add(m);
        vesselOfMessage.put(m.id, v);
        break;
      }
      case "response": {
        MessageState m = v.byId.get(r.get("messageId").getAsString());
        if (m != null) {
          v.answered(m, r.get("responseId").getAsString(), r.getAsJsonObject("response"), at);
        }
        break;
      }
      case "cancel": {
        MessageState m = v.byId.get(r.get("messageId").getAsString());
        if (m != null) {
          m.cancelRequestedAt = at;
        }
        break;
      }
      case "edit": {
        MessageState m = v.byId.get(r.get("messageId").getAsString());
        if (m != null) {
          JsonObject f = r.getAsJsonObject("fields");
          for (String k : f.keySet()) {
            m.doc.add(k, f.get(k).deepCopy());
          }
          if (f.has("content")) {
            m.content = f.get("content").isJsonNull() ? null : f.get("content").getAsString();
          }
          if (f.has("kind")) {
            m.kind = Kind.fromWire(f.get("kind").getAsString()).orElse(m.kind);
          }
          v.updatedAt = Math.max(v.updatedAt, at);
        }
        break;
      }
      case "resolve": {
        MessageState m = v.byId.get(r.get("messageId").getAsString());
        if (m != null) {
          m.status = InteractionStatus.RESOLVED;
          m.responseId = r.get("responseId").getAsString();
          m.respondedAt = at;
          m.resolution = r.getAsJsonObject("resolution").deepCopy();
          if (v.live == m) {
            v.live = null;
          }
          v.updatedAt = Math.max(v.updatedAt, at);
        }
        break;
      }
      case "receipt": {
        MessageState m = v.byId.get(r.get("messageId").getAsString());
        if (m != null) {
          m.receiptStage = r.get("stage").getAsString();
          m.receiptReason = r.get("reason").isJsonNull() ? null : r.get("reason").getAsString();
          m.receiptAt = at;
        }
        break;
      }
      case "delete_messages": {
        for (JsonElement id : r.getAsJsonArray("ids")) {
          MessageState m = v.byId.remove(id.getAsString());
          if (m != null) {
            v.messages.remove(m);
            vesselOfMessage.remove(m.id, v);
            if (v.live == m) {
              v.live = null;
            }
          }
        }
        v.updatedAt = Math.max(v.updatedAt, at);
        break;
      }
      case "ack": {
        WorkspaceState w = workspaces.get(v.workspaceId);
        for (JsonElement id : r.getAsJsonArray("ids")) {
          VesselState.Pending p = v.pending.remove(id.getAsString());
          if (p != null && w != null) {
            w.pending.remove(p.seq());
            w.pendingSeq.remove(p.eventId());
          }
        }
        break;
      }
      default:
        break; // written by a newer version: ignored
    }
    if (r.has("emit")) {
      JsonObject e = r.getAsJsonObject("emit");
      long s = e.get("seq").getAsLong();
      JsonObject event = e.getAsJsonObject("event");
      String eventId = event.get("id").getAsString();
      v.pending.put(eventId, new VesselState.Pending(s, eventId, event));
      WorkspaceState w = workspaces.get(v.workspaceId);
      if (w != null) {
        w.pending.put(s, new PendingRef(v.id, eventId));
        w.pendingSeq.put(eventId, s);
      }
      seq.accumulateAndGet(s, Math::max);
    }
  }

  /** Appends then applies; the caller holds the vessel monitor and checked it is live. */
  private void commit(VesselState v, JsonObject r) {
    append(v.logId, r);
    apply(v, r);
    changed(v, r, null);
    if (r.has("emit")) {
      webhooks.publish(v.workspaceId, v.id, WebhookPayloads.fromEvent(v.workspaceId,
          r.getAsJsonObject("emit").getAsJsonObject("event")));
    }
  }

  private final List<java.util.function.BiConsumer<String, JsonObject>> changeListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public AutoCloseable onChange(java.util.function.BiConsumer<String, JsonObject> listener) {
    changeListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    return () -> changeListeners.remove(listener);
  }

  /** Tells the change listeners about record {@code r} (or {@code kind} when r is null) of vessel v; v is locked. */
  private void changed(VesselState v, JsonObject r, String kind) {
    if (changeListeners.isEmpty()) {
      return;
    }
    JsonObject c = new JsonObject();
    c.addProperty("vesselId", v.id);
    c.addProperty("externalId", v.externalId);
    String messageId = r == null ? null : r.has("messageId") ? r.get("messageId").getAsString()
        : r.has("message") && r.get("message").isJsonObject() ? r.getAsJsonObject("message").get("id").getAsString()
        : null;
    if (messageId != null) {
      c.addProperty("messageId", messageId);
    }
    c.addProperty("kind", kind != null ? kind : r.get("t").getAsString());
    for (java.util.function.BiConsumer<String, JsonObject> l : changeListeners) {
      try {
        l.accept(v.workspaceId, c.deepCopy());
      } catch (RuntimeException e) {
        java.util.logging.Logger.getLogger(JournalChannel.class.getName())
            .log(java.util.logging.Level.WARNING, "change listener failed", e);
      }
    }
  }

  private JsonObject emit(JsonObject event) {
    JsonObject e = new JsonObject();
    e.addProperty("seq", seq.incrementAndGet());
    e.add("event", event);
    return e;
  }

  @Override
  public PushResult push(String workspaceId, JsonElement payload) {
    PayloadValidator.push(payload).orThrow();
    JsonObject o = payload.getAsJsonObject();
    return deliver(ws(workspaceId), o.get("vessel").getAsString(), o, "message");
  }

  @Override
  public List<PushResult> pushMany(String workspaceId, JsonElement payload) {
    PayloadValidator.pushMany(payload).orThrow();
    WorkspaceState w = ws(workspaceId);
    JsonObject o = payload.getAsJsonObject();
    List<PushResult> out = new ArrayList<>();
    for (JsonElement v : o.getAsJsonArray("vessels")) {
      out.add(deliver(w, v.getAsString(), o, "message"));
    }
    return out;
  }

  @Override
  public PushResult surface(String workspaceId, JsonElement payload) {
    PayloadValidator.surface(payload).orThrow();
    JsonObject o = payload.getAsJsonObject();
    return deliver(ws(workspaceId), o.get("vessel").getAsString(), o, "body");
  }

  @Override
  public PushResult event(String workspaceId, JsonElement payload) {
    PayloadValidator.event(payload).orThrow();
    JsonObject o = payload.getAsJsonObject();
    return deliver(ws(workspaceId), o.get("vessel").getAsString(), o, null);
  }

  /**
   * Appends an agent message (content under {@code contentKey}) or, with a null key, an event
   * message to the vessel, creating it first when needed.
   */
  private PushResult deliver(WorkspaceState w, String externalId, JsonObject o, String contentKey) {
    while (true) {
      VesselState v = findOrCreate(w, externalId);
      synchronized (v) {
        if (v.deleted) {
          continue; // deleted between lookup and lock: create it anew
        }
        long at = v.nextTime(clock.millis());
        JsonObject doc = contentKey == null ? eventDoc(o) : agentDoc(o, contentKey, at);
        JsonObject r = record("message", at);
        JsonObject patch = vesselFields(o, "vesselTitle");
        patch.remove("metadata"); // a push's metadata rides on the message
        patch.remove("archived"); // archived and pinned are set with PATCH only
        patch.remove("pinned");
        if (patch.size() > 0) {
          r.add("patch", patch);
        }
        r.add("message", doc);
        commit(v, r);
        return new PushResult(v.externalId, doc.get("id").getAsString(), v.id, Instant.ofEpochMilli(at));
      }
    }
  }

  private static JsonObject baseDoc(Source source, String kind, String title, String content) {
    JsonObject d = new JsonObject();
    d.addProperty("id", UUID.randomUUID().toString());
    d.addProperty("source", source.wire());
    d.addProperty("kind", kind);
    d.addProperty("title", title);
    d.addProperty("content", content);
    d.add("card", JsonNull.INSTANCE);
    d.add("interaction", JsonNull.INSTANCE);
    d.add("attachments", new JsonArray());
    d.add("suggestions", new JsonArray());
    d.add("preview_url", JsonNull.INSTANCE);
    d.add("metadata", new JsonObject());
    d.add("agent_activity", JsonNull.INSTANCE);
    d.add("token_stream", JsonNull.INSTANCE);
    return d;
  }

  private static JsonObject agentDoc(JsonObject o, String contentKey, long at) {
    boolean surface = contentKey.equals("body");
    String kind = Checker.present(o, "kind") ? o.get("kind").getAsString()
        : surface || Checker.present(o, "interaction") || Checker.present(o, "card") ? "surface" : "bubble";
    JsonObject d = baseDoc(Source.AGENT, kind, string(o, "title"), string(o, contentKey));
    copy(o, "card", d, "card");
    copy(o, "interaction", d, "interaction");
    copy(o, "attachments", d, "attachments");
    copy(o, "suggestions", d, "suggestions");
    copy(o, "previewUrl", d, "preview_url");
    copy(o, "metadata", d, "metadata");
    if (Checker.present(o, "tokenStream")) {
      String s = o.get("tokenStream").getAsString();
      d.addProperty("token_stream", s.length() > Limits.TOKEN_STREAM_KEEP
          ? s.substring(s.length() - Limits.TOKEN_STREAM_KEEP) : s);
    }
    if (Checker.present(o, "agentActivity")) {
      d.add("agent_activity", Activity.open(o.getAsJsonObject("agentActivity"), at));
    }
    return d;
  }

  private static JsonObject eventDoc(JsonObject o) {
    JsonObject d = baseDoc(Source.EVENT, "surface", string(o, "title"), string(o, "body"));
    copy(o, "card", d, "card");
    copy(o, "metadata", d, "metadata");
    d.addProperty("tone", Checker.present(o, "tone") ? o.get("tone").getAsString() : "info");
    d.add("sections", Checker.present(o, "sections") ? o.get("sections").deepCopy() : new JsonArray());
    d.add("buttons", Checker.present(o, "buttons") ? o.get("buttons").deepCopy() : new JsonArray());
    return d;
  }

  private static String string(JsonObject o, String key) {
    return Checker.present(o, key) ? o.get(key).getAsString() : null;
  }

  private static void copy(JsonObject from, String key, JsonObject to, String as) {
    if (Checker.present(from, key)) {
      to.add(as, from.get(key).deepCopy());
    }
  }

  @Override
  public MessagePage messages(String workspaceId, VesselRef ref, int limit, String before) {
    if (limit < 1 || limit > Limits.MAX_PAGE) {
      throw ChannelException.badRequest("limit must be 1-" + Limits.MAX_PAGE);
    }
    Long beforeTime = null;
    if (before != null && !before.isEmpty()) {
      try {
        beforeTime = Instant.parse(before).toEpochMilli();
      } catch (DateTimeParseException notATime) {
        beforeTime = null; // a message id
      }
    }
    VesselState v = resolve(workspaceId, ref);
    synchronized (v) {
      checkLive(v);
      int end = v.messages.size();
      if (beforeTime != null) {
        end = 0;
        while (end < v.messages.size() && v.messages.get(end).createdAt < beforeTime) {
          end++;
        }
      } else if (before != null && !before.isEmpty()) {
        MessageState anchor = v.byId.get(before);
        if (anchor == null) {
          throw ChannelException.badRequest("before must be a message id of this vessel or an ISO-8601 time");
        }
        end = v.messages.indexOf(anchor);
      }
      int start = Math.max(0, end - limit);
      List<Message> page = new ArrayList<>();
      for (int i = start; i < end; i++) {
        page.add(v.messages.get(i).snapshot(v.id));
      }
      return new MessagePage(page, start > 0);
    }
  }

  @Override
  public Message message(String workspaceId, String messageId) {
    VesselState v = vesselOf(workspaceId, messageId);
    synchronized (v) {
      return liveMessage(v, messageId).snapshot(v.id);
    }
  }

  private VesselState vesselOf(String workspaceId, String messageId) {
    ws(workspaceId);
    VesselState v = messageId == null ? null : vesselOfMessage.get(messageId);
    if (v == null || !v.workspaceId.equals(workspaceId)) {
      throw ChannelException.notFound("Message not found");
    }
    return v;
  }

  private static MessageState liveMessage(VesselState v, String messageId) {
    MessageState m = v.deleted ? null : v.byId.get(messageId);
    if (m == null) {
      throw ChannelException.notFound("Message not found");
    }
    return m;
  }

  // ------------------------------------------------------------------------------- poll and ack

  @Override
  public List<JsonObject> poll(String workspaceId, int limit, boolean ack) {
    if (limit < 1 || limit > Limits.MAX_PAGE) {
      throw ChannelException.badRequest("limit must be 1-" + Limits.MAX_PAGE);
    }
    WorkspaceState w = ws(workspaceId);
    if (!ack) {
      return collect(w, limit, null);
    }
    synchronized (w.pollLock) {
      Map<VesselState, List<String>> byVessel = new HashMap<>();
      List<JsonObject> events = collect(w, limit, byVessel);
      byVessel.forEach(this::ackIn);
      return events;
    }
  }

  /** The oldest pending events; fills {@code byVessel} with their ids when given. */
  private List<JsonObject> collect(WorkspaceState w, int limit, Map<VesselState, List<String>> byVessel) {
    List<JsonObject> out = new ArrayList<>();
    for (PendingRef ref : w.pending.values()) {
      if (out.size() == limit) {
        break;
      }
      VesselState v = vessels.get(ref.vesselId());
      if (v == null) {
        continue;
      }
      synchronized (v) {
        VesselState.Pending p = v.pending.get(ref.eventId());
        if (p == null) {
          continue;
        }
        out.add(p.event().deepCopy());
      }
      if (byVessel != null) {
        byVessel.computeIfAbsent(v, k -> new ArrayList<>()).add(ref.eventId());
      }
    }
    return out;
  }

  private void ackIn(VesselState v, List<String> ids) {
    synchronized (v) {
      if (v.deleted) {
        return;
      }
      JsonArray a = new JsonArray();
      ids.stream().filter(v.pending::containsKey).forEach(a::add);
      if (a.size() == 0) {
        return;
      }
      JsonObject r = record("ack", clock.millis());
      r.add("ids", a);
      commit(v, r);
    }
  }

  @Override
  public int ack(String workspaceId, Collection<String> eventIds) {
    WorkspaceState w = ws(workspaceId);
    synchronized (w.pollLock) {
      Map<VesselState, List<String>> byVessel = new HashMap<>();
      int n = 0;
      for (String id : new LinkedHashSet<>(eventIds)) {
        Long s = w.pendingSeq.get(id);
        PendingRef ref = s == null ? null : w.pending.get(s);
        VesselState v = ref == null ? null : vessels.get(ref.vesselId());
        if (v != null) {
          byVessel.computeIfAbsent(v, k -> new ArrayList<>()).add(id);
          n++;
        }
      }
      byVessel.forEach(this::ackIn);
      return n;
    }
  }

  // -------------------------------------------------------------------------------- human side

  private final List<java.util.function.BiConsumer<String, JsonObject>> responseListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public AutoCloseable onResponse(java.util.function.BiConsumer<String, JsonObject> listener) {
    responseListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    return () -> responseListeners.remove(listener);
  }

  @Override
  public RespondResult respond(String workspaceId, String messageId, JsonElement body) {
    VesselState v = vesselOf(workspaceId, messageId);
    synchronized (v) {
      MessageState m = liveMessage(v, messageId);
      if (m.interaction == null) {
        throw ChannelException.conflict("Message carries no interaction");
      }
      if (m.status != InteractionStatus.LIVE) {
        throw ChannelException.conflict(m.status == InteractionStatus.ANSWERED ? "Interaction already answered"
            : m.status == InteractionStatus.RESOLVED ? "Interaction already resolved by the agent"
            : "Interaction expired: the conversation moved past it");
      }
      PayloadValidator.respond(m.interaction, body).orThrow();
      JsonObject response = PayloadValidator.normalize(m.interaction, body.getAsJsonObject().getAsJsonObject(
          "response"));
      long at = clock.millis();
      String responseId = UUID.randomUUID().toString();
      JsonObject event = new JsonObject();
      event.addProperty("id", responseId);
      event.addProperty("type", "interaction.response");
      event.addProperty("timestamp", ChannelJson.time(at));
      event.addProperty("messageId", m.id);
      event.addProperty("responseId", responseId);
      event.addProperty("interactionType", m.interaction.get("type").getAsString());
      event.add("response", response.deepCopy());
      event.add("interactionMetadata", Checker.present(m.interaction, "metadata")
          ? m.interaction.get("metadata").deepCopy() : JsonNull.INSTANCE);
      event.add("vessel", v.eventVessel());
      event.add("originMessage", m.origin());
      JsonObject r = record("response", at);
      r.addProperty("messageId", m.id);
      r.addProperty("responseId", responseId);
      r.add("response", response);
      r.add("emit", emit(event));
      commit(v, r);
      for (java.util.function.BiConsumer<String, JsonObject> l : responseListeners) {
        try {
          l.accept(v.workspaceId, event.deepCopy());
        } catch (RuntimeException e) {
          java.util.logging.Logger.getLogger(JournalChannel.class.getName())
              .log(java.util.logging.Level.WARNING, "response listener failed", e);
        }
      }
      return new RespondResult(responseId, m.id, v.id, response, Instant.ofEpochMilli(at));
    }
  }

  @Override
  public PushResult postUserMessage(String workspaceId, VesselRef ref, JsonElement body) {
    PayloadValidator.userMessage(body).orThrow();
    String content = body.getAsJsonObject().get("content").getAsString();
    VesselState v = resolve(workspaceId, ref);
    synchronized (v) {
      checkLive(v);
      long at = v.nextTime(clock.millis());
      JsonObject doc = baseDoc(Source.USER, "bubble", null, content);
      String id = doc.get("id").getAsString();
      JsonObject event = new JsonObject();
      event.addProperty("id", id);
      event.addProperty("type", "message.user");
      event.addProperty("timestamp", ChannelJson.time(at));
      event.addProperty("messageId", id);
      JsonObject message = new JsonObject();
      message.addProperty("id", id);
      message.addProperty("content", content);
      message.addProperty("createdAt", ChannelJson.time(at));
      event.add("message", message);
      event.add("vessel", v.eventVessel());
      event.add("context", v.context(Limits.CONTEXT_MESSAGES));
      JsonObject superseded = null;
      if (v.live != null) {
        superseded = new JsonObject();
        superseded.addProperty("messageId", v.live.id);
        superseded.addProperty("interactionType", v.live.interaction.get("type").getAsString());
        superseded.addProperty("prompt", v.live.interaction.get("prompt").getAsString());
      }
      event.add("supersededInteraction", superseded == null ? JsonNull.INSTANCE : superseded);
      JsonObject r = record("message", at);
      r.add("message", doc);
      r.add("emit", emit(event));
      commit(v, r);
      return new PushResult(v.externalId, id, v.id, Instant.ofEpochMilli(at));
    }
  }

  @Override
  public PushResult openVessel(String workspaceId, JsonElement body) {
    PayloadValidator.openVessel(body).orThrow();
    JsonObject o = body.getAsJsonObject();
    WorkspaceState w = ws(workspaceId);
    Workspace ws = w.workspace;
    if (!ws.userVesselsEnabled()) {
      throw new ChannelException(403, "user_vessels_disabled");
    }
    String type = string(o, "type");
    if (type != null && !ws.vesselTypes().contains(type)) {
      throw ChannelException.invalid(new Validation("vessel", List.of(new FieldError("type", ws.vesselTypes()
          .isEmpty() ? "This workspace defines no vessel types" : "Invalid enum value. Expected "
          + Checker.expected(ws.vesselTypes()) + ", received '" + type + "'"))));
    }
    VesselState v;
    synchronized (w) {
      String ext;
      do {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        ext = "web-" + HexFormat.of().formatHex(b);
      } while (w.byExternal.containsKey(ext));
      v = create(w, ext, type, "user");
    }
    synchronized (v) {
      checkLive(v);
      long at = v.nextTime(clock.millis());
      JsonObject doc = baseDoc(Source.USER, "bubble", null, o.get("message").getAsString());
      String id = doc.get("id").getAsString();
      JsonObject r = record("message", at);
      JsonObject eventVessel = v.eventVessel();
      if (Checker.present(o, "title")) {
        JsonObject patch = new JsonObject();
        patch.add("title", o.get("title").deepCopy());
        r.add("patch", patch);
        eventVessel.add("title", o.get("title").deepCopy());
      }
      JsonObject event = new JsonObject();
      event.addProperty("id", v.id);
      event.addProperty("type", "vessel.created");
      event.addProperty("timestamp", ChannelJson.time(at));
      event.add("vessel", eventVessel);
      JsonObject message = new JsonObject();
      message.addProperty("id", id);
      message.addProperty("content", doc.get("content").getAsString());
      message.addProperty("createdAt", ChannelJson.time(at));
      event.add("message", message);
      r.add("message", doc);
      r.add("emit", emit(event));
      commit(v, r);
      return new PushResult(v.externalId, id, v.id, Instant.ofEpochMilli(at));
    }
  }

  @Override
  public Message cancel(String workspaceId, String messageId) {
    VesselState v = vesselOf(workspaceId, messageId);
    synchronized (v) {
      MessageState m = liveMessage(v, messageId);
      if (!m.working()) {
        throw ChannelException.conflict("Message is not working: Stop applies to an agent message with an open "
            + "agentActivity");
      }
      JsonObject r = record("cancel", clock.millis());
      r.addProperty("messageId", m.id);
      commit(v, r);
      return m.snapshot(v.id);
    }
  }

  // ------------------------------------------------------------------------------------- trace

  @Override
  public JsonObject trace(String workspaceId, VesselRef ref) {
    VesselState v = resolve(workspaceId, ref);
    synchronized (v) {
      checkLive(v);
      record Item(long at, JsonObject event) {}
      List<Item> items = new ArrayList<>();
      for (MessageState m : v.messages) {
        JsonObject e = new JsonObject();
        e.addProperty("type", "message");
        e.addProperty("messageId", m.id);
        e.addProperty("source", m.source.wire());
        e.addProperty("kind", m.kind.wire());
        e.add("title", m.doc.get("title"));
        e.addProperty("interactionType", m.interaction == null ? null : m.interaction.get("type").getAsString());
        e.addProperty("interactionStatus", m.status == null ? null : m.status.wire());
        e.addProperty("hasCard", !m.doc.get("card").isJsonNull());
        items.add(new Item(m.createdAt, e));
        JsonElement act = m.doc.get("agent_activity");
        if (act != null && act.isJsonObject()) {
          for (JsonElement s : act.getAsJsonObject().getAsJsonArray("steps")) {
            JsonObject step = new JsonObject();
            step.addProperty("type", "activity.step");
            step.addProperty("messageId", m.id);
            step.add("activityType", s.getAsJsonObject().get("type"));
            step.add("label", s.getAsJsonObject().get("label"));
            step.add("startedAt", s.getAsJsonObject().get("started_at"));
            items.add(new Item(m.createdAt, step));
          }
        }
        if (m.responseId != null) {
          JsonObject h = new JsonObject();
          h.addProperty("type", "human.response");
          h.addProperty("messageId", m.id);
          h.addProperty("responseId", m.responseId);
          h.addProperty("interactionType", m.interaction.get("type").getAsString());
          h.add("response", m.response.deepCopy());
          items.add(new Item(m.respondedAt, h));
        }
      }
      JsonArray issues = new JsonArray();
      int webhookFailures = 0;
      for (JsonObject d : webhooks.traceItems(workspaceId, v.id)) {
        long at = d.remove("atMillis").getAsLong();
        items.add(new Item(at, d));
        if (d.get("state").getAsString().equals("failed")) {
          webhookFailures++;
          JsonObject issue = new JsonObject();
          issue.addProperty("code", "webhook_failed");
          issue.addProperty("at", ChannelJson.time(at));
          issue.addProperty("message", "The endpoint never received " + d.get("event").getAsString() + " (delivery "
              + d.get("deliveryId").getAsString() + ")");
          issues.add(issue);
        }
      }
      items.sort(Comparator.comparingLong(Item::at));
      JsonArray events = new JsonArray();
      int n = 0;
      for (Item it : items) {
        it.event().addProperty("at", ChannelJson.time(it.at()));
        it.event().addProperty("seq", n++);
        events.add(it.event());
      }
      JsonObject counts = new JsonObject();
      counts.addProperty("requests", 0);
      counts.addProperty("degraded", 0);
      counts.addProperty("rejected", 0);
      counts.addProperty("webhookFailures", webhookFailures);
      counts.addProperty("messages", v.messages.size());
      JsonObject summary = new JsonObject();
      summary.add("issues", issues);
      summary.add("counts", counts);
      JsonObject vessel = v.eventVessel();
      vessel.addProperty("status", v.status().wire());
      JsonObject t = new JsonObject();
      t.add("vessel", vessel);
      t.addProperty("verbose", false);
      t.add("summary", summary);
      t.add("events", events);
      return t;
    }
  }

  // ---------------------------------------------------------------------------- live work

  private static final List<String> PATCHABLE = List.of("content", "card", "attachments", "suggestions",
      "agentActivity", "tokenStream", "kind", "title");
  private static final List<String> VESSEL_LEVEL = List.of("details", "vesselTitle", "labels", "vesselStatus",
      "vessel", "pinned", "archived");
  private static final List<String> STAGES = List.of("received", "processing", "completed", "dropped");

  @Override
  public Message editMessage(String workspaceId, String messageId, JsonElement patch) {
    if (patch == null || !patch.isJsonObject()) {
      throw ChannelException.badRequest("Expected a JSON object of the fields to change");
    }
    JsonObject p = patch.getAsJsonObject();
    for (String k : p.keySet()) {
      if (k.equals("interaction")) {
        throw ChannelException.notPatchable(k, "Interactions are immutable: to re-ask, push a new message with "
            + "the interaction");
      }
      if (VESSEL_LEVEL.contains(k)) {
        throw ChannelException.notPatchable(k, "A vessel-level field: PATCH /api/v1/vessels/{id} (or "
            + "/vessels/by-external/{externalId}) instead");
      }
      if (!PATCHABLE.contains(k)) {
        throw ChannelException.notPatchable(k, "Patchable fields: " + String.join(", ", PATCHABLE));
      }
    }
    // The values are checked as a push carrying them would be.
    JsonObject probe = new JsonObject();
    probe.addProperty("vessel", "probe");
    for (String k : p.keySet()) {
      if (p.get(k).isJsonNull() && (k.equals("agentActivity") || k.equals("tokenStream") || k.equals("content")
          || k.equals("card") || k.equals("title"))) {
        continue;
      }
      probe.add(k.equals("content") ? "message" : k, p.get(k).deepCopy());
    }
    if (!probe.has("message") && !probe.has("title") && !probe.has("agentActivity") && !probe.has("tokenStream")) {
      probe.addProperty("tokenStream", "");
    }
    PayloadValidator.push(probe).orThrow();
    VesselState v = vesselOf(workspaceId, messageId);
    synchronized (v) {
      MessageState m = liveMessage(v, messageId);
      if (m.source != Source.AGENT) {
        throw ChannelException.badRequest("Only agent messages can be edited (this one is a " + m.source.wire()
            + " message)");
      }
      long at = clock.millis();
      JsonObject f = new JsonObject();
      for (String k : List.of("content", "card", "title", "kind")) {
        if (p.has(k)) {
          f.add(k, p.get(k).deepCopy());
        }
      }
      if (p.has("attachments")) {
        f.add("attachments", p.get("attachments").isJsonNull() ? new JsonArray() : p.get("attachments").deepCopy());
      }
      if (p.has("suggestions")) {
        f.add("suggestions", p.get("suggestions").isJsonNull() ? new JsonArray() : p.get("suggestions").deepCopy());
      }
      if (p.has("tokenStream")) {
        if (p.get("tokenStream").isJsonNull()) {
          f.add("token_stream", JsonNull.INSTANCE);
        } else {
          String t = p.get("tokenStream").getAsString();
          f.addProperty("token_stream", t.length() > Limits.TOKEN_STREAM_KEEP
              ? t.substring(t.length() - Limits.TOKEN_STREAM_KEEP) : t);
        }
      }
      if (p.has("agentActivity")) {
        JsonElement cur = m.doc.get("agent_activity");
        JsonObject next = Activity.edit(cur == null || cur.isJsonNull() ? null : cur.getAsJsonObject(),
            p.get("agentActivity"), at);
        if (next != null) {
          f.add("agent_activity", next);
        }
      }
      if (f.size() > 0) {
        JsonObject r = record("edit", at);
        r.addProperty("messageId", m.id);
        r.add("fields", f);
        commit(v, r);
      }
      return m.snapshot(v.id);
    }
  }

  @Override
  public JsonObject resolveInteraction(String workspaceId, String messageId, JsonElement body) {
    JsonObject o = body != null && body.isJsonObject() ? body.getAsJsonObject() : null;
    List<FieldError> errors = new ArrayList<>();
    List<String> outcomes = List.of("approved", "rejected", "cancelled", "expired");
    JsonElement outcome = o == null ? null : o.get("outcome");
    if (o == null) {
      errors.add(new FieldError("", "Expected object"));
    } else if (outcome == null || !outcome.isJsonPrimitive() || !outcomes.contains(outcome.getAsString())) {
      errors.add(new FieldError("outcome", "Invalid enum value. Expected " + Checker.expected(outcomes)
          + (outcome == null ? ", received undefined" : ", received '" + outcome + "'")));
    }
    for (String k : List.of("label", "reason")) {
      if (o != null && o.has(k) && !o.get(k).isJsonNull() && !(o.get(k).isJsonPrimitive()
          && o.get(k).getAsJsonPrimitive().isString())) {
        errors.add(new FieldError(k, "Expected string"));
      }
    }
    if (!errors.isEmpty()) {
      throw ChannelException.invalid(new Validation("resolve", errors));
    }
    VesselState v = vesselOf(workspaceId, messageId);
    synchronized (v) {
      MessageState m = liveMessage(v, messageId);
      if (m.interaction == null) {
        throw ChannelException.invalid(new Validation("resolve", List.of(new FieldError("messageId",
            "The message carries no interaction"))));
      }
      JsonObject out = new JsonObject();
      out.addProperty("ok", true);
      out.addProperty("messageId", m.id);
      if (m.status == InteractionStatus.ANSWERED || m.status == InteractionStatus.RESOLVED) {
        out.addProperty("responseId", m.responseId);
        out.addProperty("alreadyResolved", true);
        out.addProperty("outcome", m.resolution != null ? m.resolution.get("outcome").getAsString() : null);
        out.addProperty("answeredBy", m.status == InteractionStatus.ANSWERED ? "human" : "agent");
        return out;
      }
      long at = clock.millis();
      JsonObject res = new JsonObject();
      res.add("outcome", outcome.deepCopy());
      res.addProperty("label", o.has("label") && !o.get("label").isJsonNull() ? o.get("label").getAsString()
          : outcome.getAsString());
      res.addProperty("reason", o.has("reason") && !o.get("reason").isJsonNull() ? o.get("reason").getAsString()
          : null);
      res.addProperty("resolved_at", ChannelJson.time(at));
      String responseId = UUID.randomUUID().toString();
      JsonObject r = record("resolve", at);
      r.addProperty("messageId", m.id);
      r.addProperty("responseId", responseId);
      r.add("resolution", res);
      commit(v, r);
      out.addProperty("responseId", responseId);
      out.addProperty("alreadyResolved", false);
      out.add("outcome", outcome.deepCopy());
      out.addProperty("answeredBy", "agent");
      return out;
    }
  }

  private static int rank(String stage) {
    return stage == null ? 0 : Math.min(3, STAGES.indexOf(stage) + 1);
  }

  @Override
  public JsonObject ackMessage(String workspaceId, String messageId, JsonElement body) {
    JsonObject o = body != null && body.isJsonObject() ? body.getAsJsonObject() : null;
    JsonElement stage = o == null ? null : o.get("stage");
    if (stage == null || !stage.isJsonPrimitive() || !STAGES.contains(stage.getAsString())) {
      throw ChannelException.invalid(new Validation("ack", List.of(new FieldError("stage", "Invalid enum value. "
          + "Expected " + Checker.expected(STAGES) + (stage == null ? ", received undefined" : ", received '"
          + stage + "'")))));
    }
    JsonElement reason = o.get("reason");
    if (reason != null && !reason.isJsonNull() && !(reason.isJsonPrimitive()
        && reason.getAsJsonPrimitive().isString())) {
      throw ChannelException.invalid(new Validation("ack", List.of(new FieldError("reason", "Expected string"))));
    }
    VesselState v = vesselOf(workspaceId, messageId);
    synchronized (v) {
      MessageState m = liveMessage(v, messageId);
      String next = stage.getAsString();
      // monotonic: only a higher stage moves it, and completed/dropped are terminal
      if (rank(next) > rank(m.receiptStage)) {
        JsonObject r = record("receipt", clock.millis());
        r.addProperty("messageId", m.id);
        r.addProperty("stage", next);
        r.addProperty("reason", next.equals("dropped") && reason != null && !reason.isJsonNull()
            ? reason.getAsString() : null);
        commit(v, r);
      }
      JsonObject out = new JsonObject();
      out.addProperty("ok", true);
      out.addProperty("stage", m.receiptStage);
      out.addProperty("reason", m.receiptReason);
      return out;
    }
  }

  // ------------------------------------------------------------------------------ deleting

  @Override
  public Message deleteMessage(String workspaceId, String messageId) {
    VesselState v = vesselOf(workspaceId, messageId);
    synchronized (v) {
      MessageState m = liveMessage(v, messageId);
      Message before = m.snapshot(v.id);
      JsonObject r = record("delete_messages", clock.millis());
      JsonArray ids = new JsonArray();
      ids.add(m.id);
      r.add("ids", ids);
      commit(v, r);
      return before;
    }
  }

  @Override
  public JsonObject clearMessages(String workspaceId, VesselRef ref, Map<String, String> query) {
    List<String> anchors = new ArrayList<>();
    for (String k : List.of("afterMessageId", "after", "beforeMessageId", "before")) {
      String val = query.get(k);
      if (val != null && !val.isEmpty()) {
        anchors.add(k);
      }
    }
    if (anchors.size() != 1) {
      throw ChannelException.badRequest("Pass exactly one anchor: afterMessageId, after, beforeMessageId or before"
          + (anchors.isEmpty() ? "" : " (got " + String.join(", ", anchors) + ")"));
    }
    String anchor = anchors.get(0);
    String source = query.getOrDefault("source", "agent");
    source = source == null || source.isEmpty() ? "agent" : source;
    if (!List.of("agent", "user", "all").contains(source)) {
      throw ChannelException.badRequest("source must be agent, user or all");
    }
    String dry = query.get("dryRun");
    boolean dryRun = "true".equals(dry) || "1".equals(dry);
    if (dry != null && !dry.isEmpty() && !dryRun && !"false".equals(dry) && !"0".equals(dry)) {
      throw ChannelException.badRequest("dryRun must be true or false");
    }
    Long time = null;
    if (anchor.equals("after") || anchor.equals("before")) {
      try {
        time = Instant.parse(query.get(anchor)).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw ChannelException.badRequest(anchor + " must be an ISO-8601 time");
      }
    }
    boolean after = anchor.startsWith("after");
    VesselState v = resolve(workspaceId, ref);
    synchronized (v) {
      checkLive(v);
      int pivot = -1;
      if (time == null) {
        MessageState a = v.byId.get(query.get(anchor));
        if (a == null) {
          throw ChannelException.notFound("Anchor message not found in this vessel");
        }
        pivot = v.messages.indexOf(a);
      }
      JsonArray ids = new JsonArray();
      for (int i = 0; i < v.messages.size(); i++) {
        MessageState m = v.messages.get(i);
        boolean inRange = time == null ? (after ? i > pivot : i < pivot)
            : (after ? m.createdAt > time : m.createdAt < time);
        boolean bySource = source.equals("all") || (source.equals("user") ? m.source == Source.USER
            : m.source != Source.USER);
        if (inRange && bySource) {
          ids.add(m.id);
        }
      }
      if (!dryRun && ids.size() > 0) {
        JsonObject r = record("delete_messages", clock.millis());
        r.add("ids", ids);
        commit(v, r);
      }
      JsonObject out = new JsonObject();
      out.addProperty("ok", true);
      out.addProperty("deleted", ids.size());
      out.addProperty("dry_run", dryRun);
      return out;
    }
  }

  @Override
  public CancelResult cancelAndNotify(String workspaceId, String messageId) {
    Message m = cancel(workspaceId, messageId);
    VesselState v = vesselOf(workspaceId, messageId);
    JsonObject payload;
    synchronized (v) {
      payload = WebhookPayloads.cancelled(workspaceId, v.eventVessel(), m.id(), clock.millis());
    }
    int[] r = webhooks.publishSync(workspaceId, v.id, payload).join();
    return new CancelResult(m, r[0], r[1]);
  }

  @Override
  public Webhooks webhooks() {
    return webhooks;
  }

  @Override
  public Idempotency idempotency() {
    return idempotency;
  }
}
