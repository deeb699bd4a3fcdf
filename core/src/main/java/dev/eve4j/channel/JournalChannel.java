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
 * <p>Logs: {@code chw_registry} (workspaces, keys, revocations, the download-signing secret), {@code
 * chv_<vesselId>} per vessel (creation, patches, messages, responses, cancels, poll events and their
 * acks, the resolution or expiry of its attached files), {@code chi_<yyyyMMdd>} (idempotency
 * records), {@code chf_files} (inbound file uploads and the end of files never attached; see {@link
 * FileStore}). Each change is one line, appended before it is applied to memory; a change and the
 * poll event it causes share their line, so a crash never separates them.
 *
 * <p>Locks: a workspace's monitor guards its external-id index (vessel creation, rename, delete);
 * a vessel's monitor guards its state and the appends to its log; the registry lock guards the
 * registry log; a workspace's poll lock serializes acknowledging polls; the file store's lock
 * guards file states. Order: workspace, then poll lock, then vessel, then file store.
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
  private final FileStore fileStore;
  private final InboundFiles files = new Inbound();
  private final Object sweeperLock = new Object();
  private java.util.concurrent.ScheduledExecutorService sweeper;
  private boolean closed;
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
    this.fileStore = new FileStore(journal, options);
  }

  static JournalChannel open(EventJournal journal, ChannelOptions options, WebhookOptions webhookOptions) {
    JournalChannel c = new JournalChannel(java.util.Objects.requireNonNull(journal, "journal"),
        java.util.Objects.requireNonNull(options, "options"), java.util.Objects.requireNonNull(webhookOptions,
        "webhookOptions"));
    c.load();
    c.webhooks.load();
    c.startFiles();
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
    if (!fileStore.hasSecret()) {
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      JsonObject r = record("files_secret", clock.millis());
      r.addProperty("secret", HexFormat.of().formatHex(key));
      registry(r);
    }
    fileStore.load();
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
        boolean debug = r.has("debugMode") ? r.get("debugMode").getAsBoolean() : w.debugMode();
        s.workspace = new Workspace(w.id(), name, w.createdAt(), enabled, types, debug);
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
      case "files_secret":
        fileStore.secret(r.get("secret").getAsString());
        break;
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
    for (String k : List.of("name", "userVesselsEnabled", "vesselTypes", "debugMode")) {
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
        // The fate of its files outlives the vessel log: held ones are deleted, ended ones stay as they ended.
        Map<FileStore.State, List<FileStore.FileState>> ended = new java.util.EnumMap<>(FileStore.State.class);
        for (FileStore.FileState f : fileStore.all()) {
          synchronized (fileStore.lock) {
            if (v.id.equals(f.vesselId)) {
              ended.computeIfAbsent(f.state.held() ? FileStore.State.DELETED : f.state, k -> new ArrayList<>()).add(f);
            }
          }
        }
        ended.forEach((state, list) -> fileStore.gone(list, state, clock.millis()));
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
        if (m.source == Source.USER) {
          attachFiles(v, m);
        }
        break;
      }
      case "file_resolved": {
        MessageState m = v.byId.get(r.get("messageId").getAsString());
        FileStore.FileState f = fileStore.get(r.get("fileId").getAsString());
        if (m != null && f != null) {
          JsonObject shown = new JsonObject();
          shown.addProperty("type", f.type);
          shown.addProperty("filename", f.filename);
          shown.add("url", r.get("url"));
          replaceAttachment(m, f.id, shown);
        }
        if (f != null) {
          fileStore.end(f, FileStore.State.RESOLVED, r.get("url").getAsString(), at);
        }
        v.updatedAt = Math.max(v.updatedAt, at);
        break;
      }
      case "file_expired": {
        MessageState m = v.byId.get(r.get("messageId").getAsString());
        FileStore.FileState f = fileStore.get(r.get("fileId").getAsString());
        if (m != null && f != null) {
          JsonObject shown = new JsonObject();
          shown.addProperty("type", f.type);
          shown.addProperty("filename", f.filename);
          shown.addProperty("status", "expired");
          replaceAttachment(m, f.id, shown);
        }
        if (f != null) {
          fileStore.end(f, FileStore.State.EXPIRED, at);
        }
        MessageState notice = new MessageState(r.getAsJsonObject("message"), at);
        v.add(notice);
        vesselOfMessage.put(notice.id, v);
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
            for (String fileId : pendingFileIds(m)) {
              FileStore.FileState f = fileStore.get(fileId);
              if (f != null) {
                fileStore.end(f, FileStore.State.DELETED, at);
              }
            }
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
      case "request":
        v.requests.add(r.getAsJsonObject("request"));
        break;
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
          withDownloadUrls(r.getAsJsonObject("emit").getAsJsonObject("event").deepCopy())));
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
        out.add(withDownloadUrls(p.event().deepCopy()));
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
    String content = userText(body.getAsJsonObject(), "content");
    VesselState v = resolve(workspaceId, ref);
    synchronized (v) {
      checkLive(v);
      long at = v.nextTime(clock.millis());
      JsonObject doc = baseDoc(Source.USER, "bubble", null, content);
      String id = doc.get("id").getAsString();
      List<FileStore.FileState> claimed = claim(workspaceId, body.getAsJsonObject(), "message", v.id, id);
      try {
        return postUserMessage(v, doc, claimed, at);
      } catch (RuntimeException e) {
        unclaim(claimed);
        throw e;
      }
    }
  }

  /** The rest of {@link #postUserMessage}: the message, its files and the event; the caller holds the vessel. */
  private PushResult postUserMessage(VesselState v, JsonObject doc, List<FileStore.FileState> claimed, long at) {
    String id = doc.get("id").getAsString();
    String content = doc.get("content").isJsonNull() ? null : doc.get("content").getAsString();
    doc.add("attachments", attachmentDocs(claimed, true));
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
    if (!claimed.isEmpty()) {
      event.add("attachments", attachmentDocs(claimed, false));
    }
    JsonObject r = record("message", at);
    r.add("message", doc);
    r.add("emit", emit(event));
    commit(v, r);
    return new PushResult(v.externalId, id, v.id, Instant.ofEpochMilli(at));
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
    String firstId = UUID.randomUUID().toString();
    List<FileStore.FileState> claimed = claim(workspaceId, o, "vessel", null, firstId);
    try {
      return openVessel(w, o, type, firstId, claimed);
    } catch (RuntimeException e) {
      unclaim(claimed);
      throw e;
    }
  }

  /** The rest of {@link #openVessel}, once the files are claimed for the first message {@code firstId}. */
  private PushResult openVessel(WorkspaceState w, JsonObject o, String type, String firstId,
      List<FileStore.FileState> claimed) {
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
      JsonObject doc = baseDoc(Source.USER, "bubble", null, userText(o, "message"));
      doc.addProperty("id", firstId);
      String id = firstId;
      synchronized (fileStore.lock) {
        for (FileStore.FileState f : claimed) {
          f.vesselId = v.id;
        }
      }
      doc.add("attachments", attachmentDocs(claimed, true));
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
      message.add("content", doc.get("content"));
      message.addProperty("createdAt", ChannelJson.time(at));
      event.add("message", message);
      if (!claimed.isEmpty()) {
        event.add("attachments", attachmentDocs(claimed, false));
      }
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

  // ------------------------------------------------------------------------------ inbound files

  /** The text of a human message: null when absent or empty (a message of attachments only). */
  private static String userText(JsonObject o, String key) {
    String t = string(o, key);
    return t == null || t.isEmpty() ? null : t;
  }

  /**
   * Reserves the files named by {@code attachments} for the new message {@code messageId} (in
   * {@code vesselId}, null while the vessel is being created): each must be a pending, unexpired
   * file of this workspace, else 400 with field errors under {@code kind}. Undo with {@link #unclaim}
   * when the message is not stored.
   */
  private List<FileStore.FileState> claim(String workspaceId, JsonObject o, String kind, String vesselId,
      String messageId) {
    JsonElement a = o.get("attachments");
    if (a == null || !a.isJsonArray() || a.getAsJsonArray().size() == 0) {
      return List.of();
    }
    JsonArray ids = a.getAsJsonArray();
    if (ids.size() > options.maxFilesPerMessage()) {
      throw ChannelException.invalid(new Validation(kind, List.of(new FieldError("attachments",
          "Array must contain at most " + options.maxFilesPerMessage() + " element(s)"))));
    }
    long now = clock.millis();
    List<FieldError> errors = new ArrayList<>();
    List<FileStore.FileState> out = new ArrayList<>();
    synchronized (fileStore.lock) {
      for (int i = 0; i < ids.size(); i++) {
        FileStore.FileState f = fileStore.get(ids.get(i).getAsString());
        String path = Checker.idx("attachments", i);
        if (f == null || !f.workspaceId.equals(workspaceId)) {
          errors.add(new FieldError(path, "File not found"));
        } else if (f.state != FileStore.State.PENDING) {
          errors.add(new FieldError(path, f.state.held() || f.state == FileStore.State.RESOLVED
              ? "File is already attached to a message" : "File " + f.state.wire()));
        } else if (f.expiresAt <= now) {
          errors.add(new FieldError(path, "File expired"));
        } else {
          out.add(f);
        }
      }
      if (!errors.isEmpty()) {
        throw ChannelException.invalid(new Validation(kind, errors));
      }
      for (FileStore.FileState f : out) {
        f.state = FileStore.State.ATTACHED;
        f.vesselId = vesselId;
        f.messageId = messageId;
      }
    }
    return out;
  }

  /** Gives claimed files back (the message they were for was not stored). */
  private void unclaim(List<FileStore.FileState> claimed) {
    synchronized (fileStore.lock) {
      for (FileStore.FileState f : claimed) {
        if (f.state == FileStore.State.ATTACHED) {
          f.state = FileStore.State.PENDING;
          f.vesselId = null;
          f.messageId = null;
        }
      }
    }
  }

  /**
   * The attachments of a human message: as stored ({@code {type, filename, fileId, status:
   * "pending"}}) or as its event carries them ({@code {type, filename, fileId}}; the {@code
   * downloadUrl} is signed at delivery).
   */
  private static JsonArray attachmentDocs(List<FileStore.FileState> files, boolean stored) {
    JsonArray a = new JsonArray();
    for (FileStore.FileState f : files) {
      JsonObject o = new JsonObject();
      o.addProperty("type", f.type);
      o.addProperty("filename", f.filename);
      o.addProperty("fileId", f.id);
      if (stored) {
        o.addProperty("status", "pending");
      }
      a.add(o);
    }
    return a;
  }

  /** The ids of the files a message still holds pending. */
  private static List<String> pendingFileIds(MessageState m) {
    List<String> out = new ArrayList<>();
    JsonElement a = m.doc.get("attachments");
    if (a != null && a.isJsonArray()) {
      for (JsonElement x : a.getAsJsonArray()) {
        JsonObject o = x.isJsonObject() ? x.getAsJsonObject() : null;
        if (o != null && o.has("fileId") && o.has("status") && "pending".equals(o.get("status").getAsString())) {
          out.add(o.get("fileId").getAsString());
        }
      }
    }
    return out;
  }

  /** Marks the pending files of a human message attached to it (a no-op for files claimed live). */
  private void attachFiles(VesselState v, MessageState m) {
    for (String id : pendingFileIds(m)) {
      FileStore.FileState f = fileStore.get(id);
      if (f == null) {
        continue;
      }
      synchronized (fileStore.lock) {
        if (f.state == FileStore.State.PENDING || (f.state == FileStore.State.ATTACHED && m.id.equals(f.messageId))) {
          f.state = FileStore.State.ATTACHED;
          f.vesselId = v.id;
          f.messageId = m.id;
        }
      }
    }
  }

  /** Replaces the attachment of {@code fileId} in a message by {@code shown}. */
  private static void replaceAttachment(MessageState m, String fileId, JsonObject shown) {
    JsonArray a = m.doc.getAsJsonArray("attachments");
    for (int i = 0; i < a.size(); i++) {
      JsonObject o = a.get(i).isJsonObject() ? a.get(i).getAsJsonObject() : null;
      if (o != null && o.has("fileId") && o.get("fileId").getAsString().equals(fileId)) {
        a.set(i, shown);
      }
    }
  }

  /** Adds a fresh {@code downloadUrl} to each file entry of an event's {@code attachments} (null once gone). */
  private JsonObject withDownloadUrls(JsonObject event) {
    JsonElement a = event.get("attachments");
    if (a != null && a.isJsonArray()) {
      for (JsonElement x : a.getAsJsonArray()) {
        JsonObject o = x.getAsJsonObject();
        if (o.has("fileId")) {
          o.addProperty("downloadUrl", files.downloadUrl(o.get("fileId").getAsString()));
        }
      }
    }
    return event;
  }

  /** Whether a file is held past its expiry. */
  private boolean overdue(FileStore.FileState f, long now) {
    synchronized (fileStore.lock) {
      return f.state.held() && f.expiresAt <= now;
    }
  }

  /** The file's lifetime as the notice says it: {@code 1 hour}, {@code 30 minutes}, {@code 90 seconds}. */
  private String ttlText() {
    java.time.Duration d = options.fileTtl();
    if (d.toMinutes() > 0 && d.toMinutes() % 60 == 0 && d.toSecondsPart() == 0) {
      return plural(d.toHours(), "hour");
    }
    return d.toSeconds() % 60 == 0 && d.toNanosPart() == 0 ? plural(d.toMinutes(), "minute")
        : plural(Math.max(1, d.toSeconds()), "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  /**
   * Ends a held file now: one never attached is recorded gone in {@code chf_files}; an attached one
   * gets a {@code file_expired} record in its vessel that marks the attachment expired and tells the
   * human with a {@code system} message. Returns whether this call expired it.
   */
  private boolean expire(FileStore.FileState f) {
    FileStore.State state;
    String vesselId;
    synchronized (fileStore.lock) {
      state = f.state;
      vesselId = f.vesselId;
    }
    if (state == FileStore.State.PENDING) {
      synchronized (fileStore.lock) {
        if (f.state != FileStore.State.PENDING) {
          return false;
        }
      }
      fileStore.gone(List.of(f), FileStore.State.EXPIRED, clock.millis());
      return true;
    }
    VesselState v = state == FileStore.State.ATTACHED && vesselId != null ? vessels.get(vesselId) : null;
    if (v == null) {
      return false; // ended already, being attached right now, or its vessel is being deleted
    }
    synchronized (v) {
      String messageId;
      synchronized (fileStore.lock) {
        if (v.deleted || f.state != FileStore.State.ATTACHED) {
          return false;
        }
        messageId = f.messageId;
      }
      long at = v.nextTime(clock.millis());
      JsonObject notice = baseDoc(Source.SYSTEM, "bubble", null, "Couldn't deliver " + f.filename
          + ": the agent didn't pick it up within " + ttlText() + ".");
      JsonObject meta = new JsonObject();
      meta.addProperty("fileId", f.id);
      meta.addProperty("reason", "file_expired");
      notice.add("metadata", meta);
      JsonObject r = record("file_expired", at);
      r.addProperty("messageId", messageId);
      r.addProperty("fileId", f.id);
      r.add("message", notice);
      commit(v, r);
      return true;
    }
  }

  /** Expires every held file past its expiry; returns how many. */
  int sweepFiles() {
    long now = clock.millis();
    int n = 0;
    for (FileStore.FileState f : fileStore.all()) {
      if (overdue(f, now) && expire(f)) {
        n++;
      }
    }
    return n;
  }

  /**
   * After loading: stray bytes go, held files whose bytes are missing (a fresh temp directory after
   * a restart) and overdue ones expire at once, and the sweeper starts when any file is still held.
   */
  private void startFiles() {
    fileStore.deleteStrays();
    boolean held = false;
    for (FileStore.FileState f : fileStore.all()) {
      boolean h;
      synchronized (fileStore.lock) {
        h = f.state.held();
      }
      if (h && !fileStore.hasBytes(f.id)) {
        expire(f);
      } else {
        held |= h;
      }
    }
    sweepFiles();
    if (held) {
      startSweeper();
    }
  }

  /** Starts the periodic sweep (every tenth of the file lifetime, 1 s to 1 min) unless running or closed. */
  private void startSweeper() {
    synchronized (sweeperLock) {
      if (sweeper != null || closed) {
        return;
      }
      long period = Math.max(1000, Math.min(60_000, options.fileTtl().toMillis() / 10));
      sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "eve4j-channel-files");
        t.setDaemon(true);
        return t;
      });
      sweeper.scheduleWithFixedDelay(() -> {
        try {
          sweepFiles();
        } catch (RuntimeException e) {
          java.util.logging.Logger.getLogger(JournalChannel.class.getName())
              .log(java.util.logging.Level.WARNING, "inbound file sweep failed", e);
        }
      }, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    java.util.concurrent.ScheduledExecutorService s;
    synchronized (sweeperLock) {
      closed = true;
      s = sweeper;
      sweeper = null;
    }
    if (s != null) {
      s.shutdown(); // not shutdownNow: an interrupt would close the journal's file channels
      try {
        s.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public InboundFiles files() {
    return files;
  }

  /** 410 for a file no longer held, saying why. */
  private ChannelException gone(FileStore.FileState f) {
    FileStore.State s;
    synchronized (fileStore.lock) {
      s = f.state;
    }
    return new ChannelException(410, s == FileStore.State.RESOLVED ? "File already resolved: the transient copy is "
        + "deleted" : s == FileStore.State.DELETED ? "File deleted" : "File expired");
  }

  /** {@link InboundFiles} over the {@link FileStore} and the vessels it is attached in. */
  private final class Inbound implements InboundFiles {
    private static final int MAX_FILENAME = 255;
    private static final int MAX_URL = 2048;

    @Override
    public long maxFileBytes() {
      return options.maxFileBytes();
    }

    @Override
    public JsonObject limits() {
      return Manifest.fileLimits(options);
    }

    @Override
    public void checkUpload(String filename, String contentType, long declaredLength) {
      filename(filename);
      kind(contentType);
      if (declaredLength > options.maxFileBytes()) {
        throw ChannelException.fileTooLarge(options.maxFileBytes());
      }
    }

    /** The filename as stored: its last path segment without control characters, 1-255 characters. */
    private String filename(String name) {
      String n = name == null ? "" : name;
      n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
      n = n.codePoints().filter(c -> c >= 0x20 && c != 0x7f).collect(StringBuilder::new, StringBuilder::appendCodePoint,
          StringBuilder::append).toString().strip();
      if (n.isEmpty()) {
        throw ChannelException.invalid(new Validation("file", List.of(new FieldError("filename", "Required"))));
      }
      if (n.length() > MAX_FILENAME) {
        throw ChannelException.invalid(new Validation("file", List.of(new FieldError("filename",
            "String must contain at most " + MAX_FILENAME + " character(s)"))));
      }
      return n;
    }

    /** {@code image} or {@code file} for an accepted content type (parameters ignored), else 415. */
    private String kind(String contentType) {
      String base = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
      String kind = TYPES.get(base);
      if (kind == null) {
        throw ChannelException.unsupportedFileType(TYPES.keySet());
      }
      return kind;
    }

    @Override
    public InboundFile upload(String workspaceId, String filename, String contentType, byte[] bytes) {
      ws(workspaceId);
      String name = filename(filename);
      String kind = kind(contentType);
      if (bytes.length > options.maxFileBytes()) {
        throw ChannelException.fileTooLarge(options.maxFileBytes());
      }
      if (bytes.length == 0) {
        throw ChannelException.badRequest("Empty file");
      }
      String base = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
      FileStore.FileState f = fileStore.create(workspaceId, name, base, kind, bytes, clock.millis());
      startSweeper();
      return fileStore.snapshot(f);
    }

    /** The file of this workspace, expired first when overdue; 404 otherwise. */
    private FileStore.FileState find(String workspaceId, String fileId) {
      ws(workspaceId);
      FileStore.FileState f = fileStore.get(fileId);
      if (f == null || !f.workspaceId.equals(workspaceId)) {
        throw ChannelException.notFound("File not found");
      }
      if (overdue(f, clock.millis())) {
        expire(f);
      }
      return f;
    }

    @Override
    public InboundFile file(String workspaceId, String fileId) {
      return fileStore.snapshot(find(workspaceId, fileId));
    }

    @Override
    public String downloadUrl(String fileId) {
      FileStore.FileState f = fileStore.get(fileId);
      long now = clock.millis();
      if (f == null || overdue(f, now)) {
        return null;
      }
      synchronized (fileStore.lock) {
        if (!f.state.held()) {
          return null;
        }
      }
      return fileStore.downloadUrl(f, now);
    }

    @Override
    public FileDownload open(String fileId, String expires, String sig) {
      long e;
      try {
        e = Long.parseLong(expires == null ? "" : expires);
      } catch (NumberFormatException bad) {
        throw new ChannelException(403, "Invalid download signature");
      }
      if (fileId == null || sig == null || !fileStore.verify(fileId, e, sig)) {
        throw new ChannelException(403, "Invalid download signature");
      }
      if (clock.millis() > e * 1000) {
        throw new ChannelException(403, "Download link expired");
      }
      FileStore.FileState f = fileStore.get(fileId);
      if (f == null) {
        throw ChannelException.notFound("File not found");
      }
      if (overdue(f, clock.millis())) {
        expire(f);
      }
      synchronized (fileStore.lock) {
        if (!f.state.held()) {
          throw gone(f);
        }
        return new FileDownload(fileStore.snapshot(f), fileStore.openBytes(f));
      }
    }

    @Override
    public JsonObject resolve(String workspaceId, String fileId, JsonElement body) {
      String url = url(body);
      FileStore.FileState f = find(workspaceId, fileId);
      while (true) {
        FileStore.State state;
        String vesselId;
        synchronized (fileStore.lock) {
          state = f.state;
          vesselId = f.vesselId;
        }
        if (state == FileStore.State.RESOLVED) {
          return resolved(true);
        }
        if (!state.held()) {
          throw gone(f);
        }
        if (overdue(f, clock.millis())) {
          expire(f);
          continue;
        }
        VesselState v = vesselId == null ? null : vessels.get(vesselId);
        if (state == FileStore.State.PENDING || v == null) {
          throw ChannelException.conflict("File is not attached to a message");
        }
        synchronized (v) {
          String messageId;
          synchronized (fileStore.lock) {
            if (v.deleted || f.state != FileStore.State.ATTACHED || f.expiresAt <= clock.millis()) {
              continue; // it changed meanwhile: look again
            }
            messageId = f.messageId;
          }
          JsonObject r = record("file_resolved", clock.millis());
          r.addProperty("messageId", messageId);
          r.addProperty("fileId", f.id);
          r.addProperty("url", url);
          commit(v, r);
          return resolved(false);
        }
      }
    }

    private JsonObject resolved(boolean replayed) {
      JsonObject o = new JsonObject();
      o.addProperty("ok", true);
      o.addProperty("replayed", replayed);
      return o;
    }

    /** The {@code url} of a resolve body: an absolute http(s) URL of at most 2048 characters, else 400. */
    private String url(JsonElement body) {
      JsonObject o = body != null && body.isJsonObject() ? body.getAsJsonObject() : null;
      JsonElement u = o == null ? null : o.get("url");
      String error = null;
      if (o == null) {
        throw ChannelException.invalid(new Validation("resolve", List.of(new FieldError("", "Expected object"))));
      } else if (u == null || u.isJsonNull()) {
        error = "Required";
      } else if (!u.isJsonPrimitive() || !u.getAsJsonPrimitive().isString()) {
        error = "Expected string, received " + Checker.typeOf(u);
      } else if (u.getAsString().length() > MAX_URL) {
        error = "String must contain at most " + MAX_URL + " character(s)";
      } else {
        try {
          java.net.URI uri = new java.net.URI(u.getAsString());
          String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
          if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            error = "Invalid url: expected an absolute http(s) URL";
          }
        } catch (java.net.URISyntaxException e) {
          error = "Invalid url";
        }
      }
      if (error != null) {
        throw ChannelException.invalid(new Validation("resolve", List.of(new FieldError("url", error))));
      }
      return u.getAsString();
    }

    @Override
    public int sweep() {
      return sweepFiles();
    }
  }

  // ------------------------------------------------------------------------------------- trace

  @Override
  public void recordRequest(String workspaceId, AgentRequest request) {
    WorkspaceState w = workspaces.get(workspaceId);
    if (w == null || !w.workspace.debugMode()) {
      return;
    }
    JsonElement sent = parseQuietly(request.body());
    List<RequestTrace.Target> targets = RequestTrace.targets(request.method(), request.path(), sent);
    JsonElement answered = parseQuietly(request.response());
    for (RequestTrace.Target t : targets) {
      VesselState v;
      String messageId = t.messageId();
      if (t.vessel() != null) {
        try {
          v = resolve(workspaceId, t.vessel());
        } catch (ChannelException e) {
          continue; // a request that created nothing has no vessel to file it under
        }
        messageId = request.status() < 300 ? RequestTrace.createdMessageId(answered, t.index()) : null;
      } else {
        v = vesselOfMessage.get(messageId);
        if (v == null || !v.workspaceId.equals(workspaceId)) {
          continue;
        }
      }
      synchronized (v) {
        if (v.deleted) {
          continue;
        }
        MessageState m = messageId == null ? null : v.byId.get(messageId);
        boolean patchesVessel = request.path().startsWith("/vessels");
        JsonArray diagnostics = request.status() >= 300 || !sent.isJsonObject() ? new JsonArray()
            : RequestTrace.diagnose(sent.getAsJsonObject(), m == null ? null : m.snapshot(v.id).toJson(),
                v.snapshot().toJson(), patchesVessel);
        long at = clock.millis();
        JsonObject q = new JsonObject();
        q.addProperty("method", request.method());
        q.addProperty("path", request.path());
        q.addProperty("messageId", messageId);
        q.addProperty("status", request.status());
        q.addProperty("verdict", RequestTrace.verdict(request.status(), diagnostics));
        q.addProperty("body", RequestTrace.clip(request.body()));
        q.add("response", answered);
        q.add("diagnostics", diagnostics);
        q.addProperty("atMillis", at);
        JsonObject r = record("request", at);
        r.add("request", q);
        commit(v, r);
      }
    }
  }

  private static JsonElement parseQuietly(String json) {
    if (json == null || json.isEmpty()) {
      return JsonNull.INSTANCE;
    }
    try {
      return com.google.gson.JsonParser.parseString(json);
    } catch (RuntimeException e) {
      return new com.google.gson.JsonPrimitive(json); // not JSON: kept as the text it was
    }
  }

  /** A trace item naming one inbound file of a vessel; the caller holds the file store's lock. */
  private static JsonObject fileItem(String type, FileStore.FileState f) {
    JsonObject e = new JsonObject();
    e.addProperty("type", type);
    e.addProperty("fileId", f.id);
    e.addProperty("messageId", f.messageId);
    e.addProperty("filename", f.filename);
    return e;
  }

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
      int degraded = 0;
      int rejected = 0;
      boolean verbose = ws(workspaceId).workspace.debugMode();
      for (JsonObject q : verbose ? v.requests : List.<JsonObject>of()) {
        JsonObject e = q.deepCopy();
        long at = e.remove("atMillis").getAsLong();
        e.addProperty("type", "agent.request");
        items.add(new Item(at, e));
        String verdict = e.get("verdict").getAsString();
        if (verdict.equals("rejected")) {
          rejected++;
          JsonObject issue = new JsonObject();
          issue.addProperty("code", "request_rejected");
          issue.addProperty("at", ChannelJson.time(at));
          JsonElement error = e.get("response").isJsonObject() ? e.getAsJsonObject("response").get("error") : null;
          issue.addProperty("message", e.get("method").getAsString() + " " + e.get("path").getAsString() + " was refused ("
              + e.get("status").getAsInt() + (error == null || error.isJsonNull() ? "" : ": " + error.getAsString()) + ")");
          issues.add(issue);
        } else if (verdict.equals("degraded")) {
          degraded++;
          for (JsonElement d : e.getAsJsonArray("diagnostics")) {
            JsonObject diag = d.getAsJsonObject();
            if (diag.has("code")) {
              JsonObject issue = new JsonObject();
              issue.addProperty("code", diag.get("code").getAsString());
              issue.addProperty("at", ChannelJson.time(at));
              issue.add("messageId", e.get("messageId"));
              issue.addProperty("message", "`" + diag.get("field").getAsString() + "` sent in " + e.get("method").getAsString()
                  + " " + e.get("path").getAsString() + " was " + diag.get("status").getAsString() + " on the stored "
                  + (e.get("path").getAsString().startsWith("/vessels") ? "vessel" : "message"));
              issues.add(issue);
            }
          }
        }
      }
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
      int files = 0;
      int filesExpired = 0;
      for (FileStore.FileState f : fileStore.all()) {
        JsonObject attached;
        JsonObject ended = null;
        long endedAt;
        synchronized (fileStore.lock) {
          if (!v.id.equals(f.vesselId)) {
            continue;
          }
          attached = fileItem("file.attached", f);
          attached.addProperty("contentType", f.contentType);
          attached.addProperty("size", f.size);
          attached.addProperty("uploadedAt", ChannelJson.time(f.createdAt));
          attached.addProperty("expiresAt", ChannelJson.time(f.expiresAt));
          endedAt = f.endedAt;
          if (!f.state.held()) {
            ended = fileItem("file." + f.state.wire(), f);
            if (f.url != null) {
              ended.addProperty("url", f.url);
            }
          }
        }
        files++;
        MessageState m = f.messageId == null ? null : v.byId.get(f.messageId);
        items.add(new Item(m != null ? m.createdAt : f.createdAt, attached));
        if (ended != null) {
          items.add(new Item(endedAt, ended));
          if (ended.get("type").getAsString().equals("file.expired")) {
            filesExpired++;
            JsonObject issue = new JsonObject();
            issue.addProperty("code", "file_expired");
            issue.addProperty("at", ChannelJson.time(endedAt));
            issue.add("messageId", ended.get("messageId"));
            issue.addProperty("message", "The human's file " + ended.get("filename").getAsString()
                + " expired before the agent resolved it (POST /files/" + ended.get("fileId").getAsString() + "/resolve)");
            issues.add(issue);
          }
        }
      }
      items.sort(Comparator.comparingLong(Item::at));
      List<JsonElement> ordered = new ArrayList<>(issues.asList());
      ordered.sort(Comparator.comparing(i -> i.getAsJsonObject().get("at").getAsString()));
      issues = new JsonArray();
      ordered.forEach(issues::add);
      JsonArray events = new JsonArray();
      int n = 0;
      for (Item it : items) {
        it.event().addProperty("at", ChannelJson.time(it.at()));
        it.event().addProperty("seq", n++);
        events.add(it.event());
      }
      JsonObject counts = new JsonObject();
      counts.addProperty("requests", verbose ? v.requests.size() : 0);
      counts.addProperty("degraded", degraded);
      counts.addProperty("rejected", rejected);
      counts.addProperty("webhookFailures", webhookFailures);
      counts.addProperty("messages", v.messages.size());
      counts.addProperty("files", files);
      counts.addProperty("filesExpired", filesExpired);
      JsonObject summary = new JsonObject();
      summary.add("issues", issues);
      summary.add("counts", counts);
      JsonObject vessel = v.eventVessel();
      vessel.addProperty("status", v.status().wire());
      JsonObject t = new JsonObject();
      t.add("vessel", vessel);
      t.addProperty("verbose", verbose);
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
