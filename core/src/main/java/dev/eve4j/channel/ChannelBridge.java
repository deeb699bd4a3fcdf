package dev.eve4j.channel;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.eve4j.auth.Principal;
import dev.eve4j.auth.Scopes;
import dev.eve4j.protocol.Event;
import dev.eve4j.protocol.EventData;
import dev.eve4j.protocol.Requests;
import dev.eve4j.session.SessionService;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.HashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bridge between eve sessions and the operator channel: every human-in-the-loop request of a
 * bridged session ({@code input.requested}: a tool approval or a question) is also pushed to the
 * session's vessel as an {@code approval}, {@code choice} or {@code text_input} interaction, and
 * whichever side answers first resumes the session. An answer in the channel is posted to the
 * session as {@code inputResponses}; an answer in the session resolves the channel interaction
 * (approvals as {@code approved}/{@code rejected}, questions as {@code expired}: answered elsewhere).
 * A late answer on the other side changes nothing (the session ignores answers to closed requests;
 * the channel refuses answers to resolved interactions with 409).
 *
 * <p>The session's live turn is mirrored in the same vessel as a working card: the user's message
 * as a backend event, then one agent message whose {@code agentActivity} gets a step per model step
 * ({@code thinking}) and per tool call ({@code tool_use}), pauses ({@code awaiting_input}) while a
 * request is open, and whose {@code tokenStream} shows the reply as it streams (coalesced to one
 * edit per {@link #TOKEN_FLUSH_MS} ms). When the turn ends the card is sealed (it collapses into
 * "worked for N s") and its content becomes the reply, or says the turn failed or was cancelled.
 *
 * <p>Thread-safe. Session events arrive on session actors and are handed to the bridge's own
 * thread at once, so neither side ever waits for the other; all mirroring state lives on that thread.
 */
public final class ChannelBridge implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ChannelBridge.class.getName());
  private static final String META = "eve4j";

  private final SessionService sessions;
  private final OperatorChannel channel;
  private final String workspaceId;
  private final Function<String, String> vesselFor;
  /** Token-stream edits of a working card are coalesced to at most one per this many milliseconds. */
  static final long TOKEN_FLUSH_MS = 200;
  private static final int LABEL_MAX = 120;

  private final ScheduledExecutorService worker;
  private final AutoCloseable sessionFeed;
  private final AutoCloseable responseFeed;
  /** eve request id → channel message id, while the request may still be answered in the channel. */
  private final Map<String, String> bridged = new ConcurrentHashMap<>();
  /** eve request ids answered from the channel (their input.resolved needs no channel resolve). */
  private final Set<String> answeredInChannel = ConcurrentHashMap.newKeySet();
  /** sessionId → the working card of its live turn; touched on the worker thread only. */
  private final Map<String, Card> cards = new HashMap<>();

  /** The channel message mirroring one live turn. */
  private static final class Card {
    final String sessionId;
    final String messageId;
    final StringBuilder tokens = new StringBuilder();
    boolean flushPending;
    String reply;

    Card(String sessionId, String messageId) {
      this.sessionId = sessionId;
      this.messageId = messageId;
    }
  }

  private ChannelBridge(SessionService sessions, OperatorChannel channel, String workspaceId,
      Function<String, String> vesselFor) {
    this.sessions = sessions;
    this.channel = channel;
    this.workspaceId = workspaceId;
    this.vesselFor = vesselFor;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "eve4j-channel-bridge");
      t.setDaemon(true);
      return t;
    });
    this.sessionFeed = sessions.subscribe((sessionId, owner, index, event, line) -> {
      if (MIRRORED.contains(event.type())) {
        worker.execute(() -> onSessionEvent(sessionId, owner, event));
      }
    });
    this.responseFeed = channel.onResponse((ws, e) -> worker.execute(() -> onChannelResponse(ws, e)));
  }

  /**
   * Starts bridging. {@code vesselFor} names the vessel (its external id) of a session, or returns
   * null for a session that is not bridged, e.g. {@code id -> "eve-" + id}.
   */
  public static ChannelBridge start(SessionService sessions, OperatorChannel channel, String workspaceId,
      Function<String, String> vesselFor) {
    return new ChannelBridge(Objects.requireNonNull(sessions, "sessions"), Objects.requireNonNull(channel, "channel"),
        Objects.requireNonNull(workspaceId, "workspaceId"), Objects.requireNonNull(vesselFor, "vesselFor"));
  }

  /** The channel message mirroring an open eve request, if it is bridged and still open. */
  public java.util.Optional<String> channelMessage(String requestId) {
    return java.util.Optional.ofNullable(bridged.get(requestId));
  }

  private static final Set<String> MIRRORED = Set.of("message.received", "step.started", "message.appended",
      "message.completed", "actions.requested", "input.requested", "input.resolved", "turn.completed",
      "turn.failed", "turn.cancelled");

  private void onSessionEvent(String sessionId, String owner, Event event) {
    try {
      String vessel = vesselFor.apply(sessionId);
      if (vessel == null) {
        return;
      }
      mirror(sessionId, vessel, event.data());
      if (event.data() instanceof EventData.InputRequested) {
        for (EventData.InputRequest r : ((EventData.InputRequested) event.data()).requests()) {
          JsonObject payload = new JsonObject();
          payload.addProperty("vessel", vessel);
          payload.addProperty("message", r.prompt());
          payload.add("interaction", interaction(sessionId, owner, r));
          PushResult pushed = channel.push(workspaceId, payload);
          bridged.put(r.requestId(), pushed.messageId());
        }
      } else if (event.data() instanceof EventData.InputResolved) {
        for (EventData.Resolution res : ((EventData.InputResolved) event.data()).resolutions()) {
          String messageId = bridged.remove(res.requestId());
          if (messageId == null || answeredInChannel.remove(res.requestId())) {
            continue;
          }
          JsonObject body = new JsonObject();
          body.addProperty("outcome", "approved".equals(res.outcome()) ? "approved"
              : "denied".equals(res.outcome()) ? "rejected" : "expired");
          channel.resolveInteraction(workspaceId, messageId, body);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "channel bridge: could not mirror " + event.type() + " of session " + sessionId, e);
    }
  }

  // ------------------------------------------------------------------------- the working card

  /** Mirrors one session event on the session's working card. */
  private void mirror(String sessionId, String vessel, EventData data) {
    if (data instanceof EventData.MessageReceived m) {
      finish(sessionId, "Superseded by a new turn.");
      JsonObject banner = new JsonObject();
      banner.addProperty("vessel", vessel);
      banner.addProperty("title", "Message to the agent");
      banner.addProperty("body", m.message() == null || m.message().isEmpty() ? "(no text)" : m.message());
      channel.event(workspaceId, banner);
      JsonObject push = new JsonObject();
      push.addProperty("vessel", vessel);
      push.add("agentActivity", activity("thinking", "Thinking", null));
      JsonObject meta = new JsonObject();
      JsonObject eve = new JsonObject();
      eve.addProperty("sessionId", sessionId);
      eve.addProperty("turnId", m.turnId());
      meta.add(META, eve);
      push.add("metadata", meta);
      cards.put(sessionId, new Card(sessionId, channel.push(workspaceId, push).messageId()));
      return;
    }
    Card card = cards.get(sessionId);
    if (card == null) {
      return;
    }
    if (data instanceof EventData.StepStarted s) {
      if (s.stepIndex() > 0) {
        edit(card, "agentActivity", activity("thinking", "Thinking", null));
      }
    } else if (data instanceof EventData.MessageAppended a) {
      card.tokens.append(a.messageDelta());
      if (!card.flushPending && !worker.isShutdown()) {
        card.flushPending = true;
        worker.schedule(() -> flushTokens(card), TOKEN_FLUSH_MS, TimeUnit.MILLISECONDS);
      }
    } else if (data instanceof EventData.MessageCompleted c) {
      if (c.message() != null && !c.message().isEmpty()) {
        card.reply = c.message();
      }
      card.tokens.setLength(0);
    } else if (data instanceof EventData.ActionsRequested a) {
      for (EventData.ActionRequest r : a.actions()) {
        String input = r.input() == null ? "" : " " + r.input();
        edit(card, "agentActivity", activity("tool_use", clip(r.toolName() + input), null));
      }
    } else if (data instanceof EventData.InputRequested) {
      edit(card, "agentActivity", activity(null, null, "awaiting_input"));
    } else if (data instanceof EventData.InputResolved) {
      edit(card, "agentActivity", activity(null, null, "working"));
    } else if (data instanceof EventData.TurnCompleted) {
      finish(sessionId, card.reply == null ? "Done." : card.reply);
    } else if (data instanceof EventData.TurnFailed f) {
      finish(sessionId, "The turn failed: " + (f.message() == null ? f.code() : f.message()));
    } else if (data instanceof EventData.TurnCancelled) {
      finish(sessionId, "The turn was cancelled.");
    }
  }

  /** Shows the streamed text so far (one edit for every delta that arrived since the last one). */
  private void flushTokens(Card card) {
    card.flushPending = false;
    if (card.tokens.length() > 0 && cards.get(card.sessionId) == card) {
      edit(card, "tokenStream", new com.google.gson.JsonPrimitive(card.tokens.toString()));
    }
  }

  /** Seals the session's card (if any) with {@code content}: the card collapses into "worked for N s". */
  private void finish(String sessionId, String content) {
    Card card = cards.remove(sessionId);
    if (card == null) {
      return;
    }
    JsonObject patch = new JsonObject();
    patch.addProperty("content", content);
    patch.add("agentActivity", com.google.gson.JsonNull.INSTANCE);
    patch.add("tokenStream", com.google.gson.JsonNull.INSTANCE);
    editQuietly(card, patch);
  }

  private void edit(Card card, String field, JsonElement value) {
    JsonObject patch = new JsonObject();
    patch.add(field, value);
    editQuietly(card, patch);
  }

  /** An edit that fails (the operator deleted the card, say) is logged and the turn goes on. */
  private void editQuietly(Card card, JsonObject patch) {
    try {
      channel.editMessage(workspaceId, card.messageId, patch);
    } catch (ChannelException e) {
      LOG.log(Level.FINE, "channel bridge: could not update working card " + card.messageId, e);
    }
  }

  private static JsonObject activity(String type, String label, String status) {
    JsonObject a = new JsonObject();
    if (type != null) {
      a.addProperty("type", type);
      a.addProperty("label", label);
    }
    if (status != null) {
      a.addProperty("status", status);
    }
    return a;
  }

  private static String clip(String s) {
    return s.length() <= LABEL_MAX ? s : s.substring(0, LABEL_MAX - 1) + "…";
  }

  /** eve's request as a channel interaction; its metadata says where the answer goes. */
  private static JsonObject interaction(String sessionId, String owner, EventData.InputRequest r) {
    JsonObject i = new JsonObject();
    i.addProperty("prompt", r.prompt());
    if ("tool-approval".equals(r.kind())) {
      i.addProperty("type", "approval");
      i.addProperty("approveLabel", "Approve");
      i.addProperty("rejectLabel", "Deny");
    } else if (r.options() != null && !r.options().isEmpty()) {
      i.addProperty("type", "choice");
      JsonArray options = new JsonArray();
      for (EventData.InputOption o : r.options()) {
        JsonObject opt = new JsonObject();
        opt.addProperty("id", o.id());
        opt.addProperty("label", o.label());
        if (o.description() != null) {
          opt.addProperty("description", o.description());
        }
        options.add(opt);
      }
      i.add("options", options);
      i.addProperty("allowCustom", Boolean.TRUE.equals(r.allowFreeform()));
    } else {
      i.addProperty("type", "text_input");
    }
    JsonObject meta = new JsonObject();
    JsonObject eve = new JsonObject();
    eve.addProperty("sessionId", sessionId);
    eve.addProperty("requestId", r.requestId());
    eve.addProperty("owner", owner);
    meta.add(META, eve);
    i.add("metadata", meta);
    return i;
  }

  private void onChannelResponse(String ws, JsonObject event) {
    JsonElement metadata = event.get("interactionMetadata");
    if (metadata == null || !metadata.isJsonObject() || !metadata.getAsJsonObject().has(META)) {
      return;
    }
    JsonObject eve = metadata.getAsJsonObject().getAsJsonObject(META);
    String sessionId = eve.get("sessionId").getAsString();
    String requestId = eve.get("requestId").getAsString();
    if (!bridged.containsKey(requestId)) {
      return; // answered in the session first
    }
    JsonObject response = event.getAsJsonObject("response");
    String type = event.get("interactionType").getAsString();
    String optionId = null;
    String text = null;
    if (type.equals("approval")) {
      boolean approved = "approved".equals(string(response, "action"));
      optionId = approved ? "approve" : "cancel";
      text = approved ? null : string(response, "reason");
    } else if (type.equals("choice")) {
      optionId = string(response, "selected");
      text = optionId == null ? string(response, "customValue") : null;
    } else {
      text = string(response, "text");
    }
    answeredInChannel.add(requestId);
    // The session's owner answers through its operators: the bridge acts for it.
    Principal owner = new Principal(eve.get("owner").getAsString(), Set.of(Scopes.SESSIONS_WRITE));
    sessions.send(sessionId, new Requests.SessionMessage(null, List.of(new Requests.InputResponse(requestId,
        optionId, text)), null, null, null), owner).whenComplete((id, err) -> {
          if (err != null) {
            answeredInChannel.remove(requestId);
            LOG.log(Level.WARNING, "channel bridge: could not answer " + requestId + " in session " + sessionId, err);
          }
        });
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o == null ? null : o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  @Override
  public void close() {
    try {
      sessionFeed.close();
      responseFeed.close();
    } catch (Exception e) {
      LOG.log(Level.FINE, "closing the bridge feeds", e);
    }
    worker.shutdown();
  }
}
