package dev.eve4j.channel;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.journal.EventJournal;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operator channel: workspaces, API keys, vessels (keyed by the caller's external id), their
 * messages and typed interactions, the agent's poll queue and idempotency keys. A face such as
 * {@code ChannelServlet} turns HTTP into these calls.
 *
 * <p>Every state change is appended to an {@link EventJournal} before it becomes visible (one log per
 * vessel, one registry log, one idempotency log per day); {@link #open} rebuilds the current view
 * from those logs, so the channel survives restarts when the journal is durable. Deleting a vessel
 * deletes its log.
 *
 * <p>Thread-safe. Calls may block on journal I/O (an fsync with a durable journal): a servlet calls
 * them from a worker pool, not from a container thread. Every payload is checked by {@link
 * PayloadValidator} first; a refusal is a {@link ChannelException} and changes nothing.
 */
public interface OperatorChannel {

  /**
   * Opens the channel stored in {@code journal} (it should hold only channel logs, or sessions whose
   * ids do not start with {@code ch}), rebuilding every workspace, key, vessel, message and pending
   * poll event from it. Creates the default workspace when there is none.
   */
  static OperatorChannel open(EventJournal journal, ChannelOptions options) {
    return JournalChannel.open(journal, options);
  }

  static OperatorChannel open(EventJournal journal) {
    return open(journal, ChannelOptions.defaults());
  }

  // ------------------------------------------------------------------ workspaces and keys

  /** The workspace created first (named by {@link ChannelOptions#defaultWorkspaceName()}). */
  Workspace defaultWorkspace();

  Workspace createWorkspace(String name);

  Optional<Workspace> workspace(String id);

  List<Workspace> workspaces();

  /**
   * Changes {@code name}, {@code userVesselsEnabled} and/or {@code vesselTypes}.
   *
   * @throws ChannelException 400 with field errors, 404 for an unknown workspace
   */
  Workspace updateWorkspace(String workspaceId, JsonElement patch);

  /**
   * Creates a key; the secret ({@code vsl_…}) is returned once and only its SHA-256 is stored.
   *
   * @throws ChannelException 404 for an unknown workspace, 400 for no scope
   */
  CreatedApiKey createKey(String workspaceId, String name, Set<Scope> scopes);

  /** The keys of a workspace, revoked ones included. */
  List<ApiKey> keys(String workspaceId);

  /** Revokes a key at once; empty for an unknown key. Revoking twice keeps the first time. */
  Optional<ApiKey> revokeKey(String keyId);

  /** The live key whose secret this is, or empty (unknown, revoked, or not a {@code vsl_} secret). */
  Optional<ApiKey> authenticate(String secret);

  // -------------------------------------------------------------------------- agent side

  /** {@code POST /push}: creates the vessel on first use, appends the message. */
  PushResult push(String workspaceId, JsonElement payload);

  /** {@code POST /push/many}: one independent copy per vessel, in the order given. */
  List<PushResult> pushMany(String workspaceId, JsonElement payload);

  /** {@code POST /surface}: a surface (title, card, markdown body, optional interaction). */
  PushResult surface(String workspaceId, JsonElement payload);

  /** {@code POST /event}: a backend banner ({@code source: "event"}); it makes no poll event. */
  PushResult event(String workspaceId, JsonElement payload);

  /**
   * The workspace's vessels, pinned first, then the most recently updated.
   *
   * @param status only vessels with this status, or null for all
   * @param archived archived (true) or live (false) vessels, or null for both
   */
  List<Vessel> vessels(String workspaceId, VesselStatus status, Boolean archived);

  /** @throws ChannelException 404 for an unknown vessel */
  Vessel vessel(String workspaceId, VesselRef ref);

  /** {@code PATCH /vessels/…}: title, labels, details, metadata, archived, pinned, vesselStatus, externalId. */
  Vessel updateVessel(String workspaceId, VesselRef ref, JsonElement patch);

  /** Deletes the vessel, its messages, responses and pending poll events, log and all. Returns what it was. */
  Vessel deleteVessel(String workspaceId, VesselRef ref);

  /**
   * A page of history, newest last.
   *
   * @param limit 1-100
   * @param before only messages older than this message id or {@code created_at} time, or null
   */
  MessagePage messages(String workspaceId, VesselRef ref, int limit, String before);

  /** @throws ChannelException 404 for an unknown message (or one of another workspace) */
  Message message(String workspaceId, String messageId);

  /**
   * The oldest pending poll events (camelCase), up to {@code limit}. With {@code ack} they are
   * acknowledged and never delivered again; without, they stay pending and come back next time.
   */
  List<JsonObject> poll(String workspaceId, int limit, boolean ack);

  /** Acknowledges pending events by id; unknown or already acked ids are ignored. Returns how many were acked. */
  int ack(String workspaceId, Collection<String> eventIds);

  /** A debugging timeline of a vessel: {@code {vessel, verbose:false, summary, events}}. */
  JsonObject trace(String workspaceId, VesselRef ref);

  // -------------------------------------------------------------------------- human side

  /**
   * Answers a live interaction with {@code {response:{…}}}, validated against it.
   *
   * @throws ChannelException 404 unknown message, 409 when the interaction is answered or expired
   *     (or the message carries none), 400 with field errors
   */
  RespondResult respond(String workspaceId, String messageId, JsonElement body);

  /** A human message ({@code {content}}) in an existing vessel; it expires a live interaction. */
  PushResult postUserMessage(String workspaceId, VesselRef ref, JsonElement body);

  /**
   * A human opens a new vessel ({@code {message, type?, title?}}): its external id is minted
   * ({@code web-…}) and the agent gets one {@code vessel.created} event carrying the first message.
   *
   * @throws ChannelException 403 when the workspace has user vessels disabled
   */
  PushResult openVessel(String workspaceId, JsonElement body);

  /**
   * The Stop button on a working agent message: records the request (delivered as the webhook
   * {@code message.cancelled}, never as a poll event).
   *
   * @throws ChannelException 404 unknown message, 409 when it is not a working agent message
   */
  Message cancel(String workspaceId, String messageId);

  /** The idempotency keys of this channel. */
  Idempotency idempotency();
}
