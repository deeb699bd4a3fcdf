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
public interface OperatorChannel extends AutoCloseable {

  /**
   * Opens the channel stored in {@code journal} (it should hold only channel logs, or sessions whose
   * ids do not start with {@code ch}), rebuilding every workspace, key, vessel, message and pending
   * poll event from it. Creates the default workspace when there is none.
   */
  static OperatorChannel open(EventJournal journal, ChannelOptions options) {
    return open(journal, options, WebhookOptions.defaults());
  }

  /**
   * As {@link #open(EventJournal, ChannelOptions)}, delivering webhooks as {@code webhooks} says;
   * deliveries still pending in the journal resume at once.
   */
  static OperatorChannel open(EventJournal journal, ChannelOptions options, WebhookOptions webhooks) {
    return JournalChannel.open(journal, options, webhooks);
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
   * Changes {@code name}, {@code userVesselsEnabled}, {@code vesselTypes} and/or {@code debugMode}.
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

  /**
   * A debugging timeline of a vessel, {@code {vessel, verbose, summary:{issues, counts}, events}}:
   * messages, activity steps, human responses, the human's files (attached, then resolved, expired
   * or deleted) and webhook deliveries in order (each with {@code at} and {@code seq}), plus, when
   * the workspace is in debug mode ({@code verbose: true}), every agent request recorded by {@link
   * #recordRequest} with its verdict and diagnostics. {@code summary.issues} lists, oldest first,
   * rejected requests, fields that did not land, failed webhook deliveries and files that expired
   * unresolved.
   */
  JsonObject trace(String workspaceId, VesselRef ref);

  /**
   * Debug mode: files one agent request under the vessel it touched (the vessels of a push, the
   * vessel of a patched, resolved or acknowledged message, a patched or rewound vessel), with the
   * sent-versus-applied diff against what is stored now. Does nothing unless the workspace has
   * {@code debugMode} on, for reads and human-side calls, and when no vessel exists to file it
   * under (a refused push that would have created one).
   */
  default void recordRequest(String workspaceId, AgentRequest request) {}

  // -------------------------------------------------------------------------- human side

  /**
   * Answers a live interaction with {@code {response:{…}}}, validated against it.
   *
   * @throws ChannelException 404 unknown message, 409 when the interaction is answered or expired
   *     (or the message carries none), 400 with field errors
   */
  RespondResult respond(String workspaceId, String messageId, JsonElement body);

  /**
   * A human message ({@code {content, attachments?}}) in an existing vessel; it expires a live
   * interaction. {@code attachments} are ids of files uploaded with {@link InboundFiles#upload}
   * (content may then be empty); each must be pending in this workspace (400 with field errors).
   */
  PushResult postUserMessage(String workspaceId, VesselRef ref, JsonElement body);

  /**
   * A human opens a new vessel ({@code {message, type?, title?, attachments?}}): its external id is minted
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

  // ------------------------------------------------------------------------- live work

  /**
   * {@code PATCH /messages/:id} of an agent message: only {@code content, card, attachments,
   * suggestions, agentActivity, tokenStream, kind, title}. {@code agentActivity} starts a timed step,
   * reconciles todos by label, pauses ({@code status: "awaiting_input"}) or, as null, seals (later
   * activity edits then do nothing); {@code tokenStream} keeps its last 8,000 characters, null clears.
   *
   * @throws ChannelException 400 {@code {field, hint}} for any other field (interactions are
   *     immutable), 400 for a non-agent message or invalid values, 404 unknown message
   */
  Message editMessage(String workspaceId, String messageId, JsonElement patch);

  /**
   * {@code POST /messages/:id/resolve {outcome, label?, reason?}}: the agent closes its own
   * interaction (no event). Idempotent: an answered or resolved one returns its {@code responseId}
   * with {@code alreadyResolved: true}; a human tap is never overwritten.
   */
  JsonObject resolveInteraction(String workspaceId, String messageId, JsonElement body);

  /**
   * {@code POST /messages/:id/ack {stage, reason?}}: receipt ticks, monotonic (received, processing,
   * then completed or dropped, both terminal); a stale call changes nothing and still answers
   * {@code {ok, stage, reason}} with the current state.
   */
  JsonObject ackMessage(String workspaceId, String messageId, JsonElement body);

  /** {@code DELETE /messages/:id}: hard delete (its response goes with it). Returns what it was. */
  Message deleteMessage(String workspaceId, String messageId);

  /**
   * Rewind: {@code DELETE /vessels/…/messages} with exactly one anchor ({@code afterMessageId},
   * {@code after}, {@code beforeMessageId}, {@code before}; the anchor stays), {@code source}
   * ({@code agent} default: every non-user message; {@code user}; {@code all}) and {@code dryRun}.
   *
   * @return {@code {ok, deleted, dry_run}}
   */
  JsonObject clearMessages(String workspaceId, VesselRef ref, java.util.Map<String, String> query);

  /**
   * The Stop button, as {@link #cancel}, then {@code message.cancelled} delivered to every active
   * webhook endpoint of the workspace, one attempt each; blocks until they answered or timed out
   * ({@link WebhookOptions#attemptTimeout()}).
   */
  CancelResult cancelAndNotify(String workspaceId, String messageId);

  /** The webhook endpoints and delivery log of this channel. */
  Webhooks webhooks();

  /**
   * Registers a listener for every interaction response stored from now on (any workspace): the
   * camelCase {@code interaction.response} event as poll returns it, {@code interactionMetadata}
   * included. Called on the responding thread after the response is durable; must not block.
   * Closing the handle unregisters it.
   */
  default AutoCloseable onResponse(java.util.function.BiConsumer<String, JsonObject> listener) {
    throw new UnsupportedOperationException("this channel does not report responses");
  }

  /**
   * Registers a listener for every visible change of a vessel from now on (any workspace): a message
   * pushed, edited, answered, resolved, acknowledged, cancelled or deleted, a vessel patched or
   * deleted. The change is {@code {vesselId, externalId, messageId?, kind}} where {@code kind} is
   * the journal record type ({@code message}, {@code edit}, {@code response}, {@code resolve},
   * {@code receipt}, {@code cancel}, {@code delete_messages}, {@code patch}, {@code vessel_deleted},
   * …). Called on the changing thread after the change is durable and while the vessel is locked:
   * it must be quick and must not block or call back into the channel. Closing the handle
   * unregisters it. The console's live stream is built on it.
   */
  default AutoCloseable onChange(java.util.function.BiConsumer<String, JsonObject> listener) {
    throw new UnsupportedOperationException("this channel does not report changes");
  }

  /** The idempotency keys of this channel. */
  Idempotency idempotency();

  /** Files from the human: upload, signed download, resolve, expiry. */
  default InboundFiles files() {
    throw new UnsupportedOperationException("this channel holds no inbound files");
  }

  /**
   * Stops the channel's background work (the inbound file sweeper), waiting for a sweep under way;
   * the journal stays open (its owner closes it, after this). Idempotent.
   */
  @Override
  default void close() {}
}
