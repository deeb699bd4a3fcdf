package dev.eve4j.session;

import com.google.gson.JsonElement;
import dev.eve4j.agent.Agent;
import dev.eve4j.journal.EventJournal;
import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ModelMessage;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.protocol.EventData;
import dev.eve4j.protocol.EventData.ErrorDetails;
import dev.eve4j.protocol.EveException;
import dev.eve4j.protocol.Event;
import dev.eve4j.protocol.Ids;
import dev.eve4j.protocol.Json;
import dev.eve4j.protocol.Requests;
import dev.eve4j.protocol.TokenUsage;
import dev.eve4j.protocol.UserMessage;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import dev.eve4j.model.ToolCall;
import dev.eve4j.model.ToolSpec;
import dev.eve4j.schema.JsonSchema;
import dev.eve4j.schema.Violation;
import dev.eve4j.tool.Answer;
import dev.eve4j.tool.Question;
import dev.eve4j.tool.Tool;
import dev.eve4j.tool.ToolContext;
import com.google.gson.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One session: an actor whose state is touched only by tasks on its {@link SerialExecutor}. Work
 * (turns, compactions, clears) is queued and runs one item at a time; model callbacks hop back
 * onto the actor before they touch anything. Every event goes through {@link #emit}, which
 * serializes it once and appends it to the journal.
 */
final class Session {
  private static final Logger LOG = Logger.getLogger(Session.class.getName());
  private static final DateTimeFormatter AT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  static final String EVE_VERSION = "0.80.1";

  final String id;
  /** The subject of the principal that created the session. */
  final String owner;
  private final List<SessionEventListener> listeners;
  private final SessionRegistry registry;
  /** Set for a session recovered after a restart until its journal has been replayed (on first use). */
  private boolean needsReplay;
  // Actor-confined: the last emission time, formatted.
  private long atMillis = Long.MIN_VALUE;
  private String atText;
  private java.util.Map<String, String> summaries = java.util.Map.of();
  private final Agent agent;
  private final EventJournal journal;
  private final Clock clock;
  private final SerialExecutor actor;
  private final Executor toolPool;
  private final int maxSteps;

  private volatile SessionState state;
  // Actor-confined state below.
  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private final List<ModelMessage> history = new ArrayList<>();
  private Work current;
  private boolean started;
  private int nextSequence;
  private TokenUsage totalUsage = TokenUsage.ZERO;
  private List<String> lastDeliveryIds = List.of();
  private final Set<String> issuedRequests = new HashSet<>();
  private final Set<String> approvedTools = new HashSet<>();
  private int askCounter;

  Session(String id, String owner, Agent agent, EventJournal journal, Clock clock, Executor pool, Executor toolPool,
      int maxSteps, List<SessionEventListener> listeners, SessionRegistry registry) {
    this.owner = owner;
    this.listeners = listeners;
    this.registry = registry;
    this.toolPool = toolPool;
    this.maxSteps = maxSteps;
    this.id = id;
    this.agent = agent;
    this.journal = journal;
    this.clock = clock;
    this.actor = new SerialExecutor(pool);
    this.state = SessionState.PREWARMED;
  }

  SessionState state() {
    return state;
  }

  // ---- requests (any thread) -------------------------------------------------------------

  CompletableFuture<String> deliver(Requests.SessionMessage message) {
    CompletableFuture<String> accepted = new CompletableFuture<>();
    actor.execute(() -> {
      ensureReplayed();
      if (!state.active()) {
        accepted.completeExceptionally(EveException.sessionNotActive());
        return;
      }
      String deliveryId = Ids.deliveryId();
      accepted.complete(deliveryId);
      route(deliveryId, message);
    });
    return accepted;
  }

  /**
   * Where a delivery goes: answers resolve the running turn's open requests (a duplicate or late
   * answer to a known request changes nothing), a matching message answers the first open request,
   * a steering message folds into a turn that is still reasoning; anything else is a new turn.
   */
  private void route(String deliveryId, Requests.SessionMessage message) {
    Turn running = current instanceof Turn ? (Turn) current : null;
    if (message.inputResponses() != null) {
      if (running != null && running.answer(message.inputResponses())) {
        return;
      }
      if (message.inputResponses().stream().allMatch(r -> issuedRequests.contains(r.requestId()))) {
        return;
      }
    } else if (running != null) {
      if (running.answerWithMessage(deliveryId, message)) {
        return;
      }
      if (message.turnPolicy() != Requests.TurnPolicy.QUEUE && running.steer(deliveryId, message)) {
        return;
      }
    }
    queue.add(new Turn(deliveryId, message));
    pump();
  }

  CompletableFuture<ControlOutcome> cancel(String turnId) {
    return onActor(() -> {
      if (!state.active()) {
        return ControlOutcome.NOTHING_TO_DO;
      }
      if (current instanceof Turn && (turnId == null || turnId.equals(((Turn) current).turnId))) {
        ((Turn) current).cancel();
      }
      return ControlOutcome.ACCEPTED;
    });
  }

  CompletableFuture<ControlOutcome> compact() {
    return enqueueControl(new Compaction());
  }

  CompletableFuture<ControlOutcome> clear() {
    return enqueueControl(new Clear());
  }

  CompletableFuture<ControlOutcome> reset(String reason) {
    return onActor(() -> {
      if (!state.active()) {
        return ControlOutcome.NOTHING_TO_DO;
      }
      if (current != null) {
        current.abandon();
        current = null;
      }
      queue.clear();
      if (started) {
        // Live readers learn the session ended; new readers get 410 from here on.
        emit(new EventData.SessionCompleted(totalUsage), lastDeliveryIds);
      }
      state = SessionState.RESET;
      history.clear();
      journal.expire(id);
      LOG.fine(() -> "session " + id + " reset" + (reason == null ? "" : ": " + reason));
      return ControlOutcome.RESET;
    });
  }

  /** Retention: stops running work, and the history goes (410 from now on). */
  void expire() {
    // At once: from here on reads answer 410 and posts 409; the actor then stops what runs.
    state = SessionState.RESET;
    journal.expire(id);
    actor.execute(() -> {
      if (current != null) {
        current.abandon();
        current = null;
      }
      queue.clear();
      history.clear();
    });
  }

  /** Stops running work without events (runtime shutdown). */
  void shutdown() {
    actor.execute(() -> {
      if (current != null) {
        current.abandon();
      }
      queue.clear();
    });
  }

  private CompletableFuture<ControlOutcome> enqueueControl(Work work) {
    return onActor(() -> {
      if (!state.active()) {
        return ControlOutcome.NOTHING_TO_DO;
      }
      queue.add(work);
      pump();
      return ControlOutcome.ACCEPTED;
    });
  }

  private <T> CompletableFuture<T> onActor(java.util.function.Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    actor.execute(() -> {
      try {
        ensureReplayed();
        f.complete(task.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  // ---- recovery after a restart -------------------------------------------------------------

  /**
   * Prepares a session found in the journal at start, before it is visible to requests. An idle,
   * prewarmed or ended session is only marked (its journal is replayed on first use, so a restart
   * never reads every event of every session); a session whose last turn was running or parked is
   * replayed now: a running turn is closed with {@code turn.failed{SERVER_RESTARTED}} and
   * {@code session.waiting}, a turn parked on input stays parked and can be answered.
   */
  void recover(String lastType, java.util.Map<String, String> compactionSummaries) {
    this.summaries = compactionSummaries;
    if (lastType == null) {
      state = SessionState.PREWARMED;
      return;
    }
    started = true;
    switch (lastType) {
      case "session.waiting":
        state = SessionState.WAITING;
        needsReplay = true;
        return;
      case "session.completed":
        state = SessionState.COMPLETED;
        return;
      case "session.failed":
        state = SessionState.FAILED;
        return;
      default:
        state = SessionState.RUNNING;
        needsReplay = true;
        actor.execute(this::ensureReplayed);
    }
  }

  /** Marks a session whose history was reset or expired before the restart. */
  void recoverExpired() {
    state = SessionState.RESET;
  }

  private void ensureReplayed() {
    if (!needsReplay) {
      return;
    }
    needsReplay = false;
    SessionReplay r = new SessionReplay(summaries);
    long tail = journal.tailIndex(id);
    dev.eve4j.journal.JournalCursor c = journal.cursor(id, 0);
    try {
      while (c.position() <= tail) {
        byte[] line = c.poll();
        if (line == null) {
          break;
        }
        r.accept(com.google.gson.JsonParser.parseString(new String(line, java.nio.charset.StandardCharsets.UTF_8))
            .getAsJsonObject());
      }
    } finally {
      c.close();
    }
    history.clear();
    history.addAll(r.history);
    started = r.started;
    nextSequence = r.nextSequence;
    totalUsage = r.totalUsage;
    lastDeliveryIds = r.lastDeliveryIds;
    issuedRequests.addAll(r.issuedRequests);
    approvedTools.addAll(r.approvedTools);
    askCounter = r.askCounter;
    if (r.ending == SessionReplay.Ending.PARKED && restoreParked(r)) {
      return;
    }
    if (r.ending == SessionReplay.Ending.PARKED || r.ending == SessionReplay.Ending.INTERRUPTED) {
      LOG.info(() -> "session " + id + ": closing the turn that was running when the server stopped");
      if (r.turnOpen && r.turnId != null) {
        emit(new EventData.TurnFailed("SERVER_RESTARTED", null,
            "The server restarted while this turn was running.", r.sequence, false, r.turnId), r.turnDeliveryIds);
      }
      state = SessionState.WAITING;
      emitWaiting(r.turnOpen ? r.turnDeliveryIds : lastDeliveryIds);
    }
  }

  /**
   * Rebuilds a turn parked on input: approvals wait for their answer as before; a question asked by
   * {@code ask_question} is answered by the answer itself. A question asked by any other tool cannot
   * be resumed (the tool's code is gone with the process): false, and the turn is closed instead.
   */
  private boolean restoreParked(SessionReplay r) {
    Turn turn = new Turn(r);
    for (SessionReplay.Call rc : r.stepCalls.values()) {
      CallState cs = new CallState(rc.call, agent.tool(rc.call.toolName()));
      cs.status = rc.status;
      cs.error = rc.error;
      cs.output = rc.output;
      cs.reported = rc.reported;
      cs.inHistory = rc.reported;
      cs.requestId = rc.requestId;
      turn.calls.add(cs);
    }
    for (SessionReplay.Open o : r.open.values()) {
      CallState cs = turn.calls.stream().filter(c -> c.call.callId().equals(o.callId())).findFirst().orElse(null);
      if (cs == null || cs.tool == null) {
        return false;
      }
      if ("tool-approval".equals(o.wire().kind())) {
        cs.pendingApproval = true;
        turn.open.put(o.wire().requestId(), new OpenRequest(o.wire(), cs, null, null));
      } else if ("question".equals(o.wire().kind()) && cs.call.toolName().equals("ask_question")) {
        List<Question.Option> options = new ArrayList<>();
        if (o.wire().options() != null) {
          o.wire().options().forEach(op -> options.add(new Question.Option(op.label(), op.description())));
        }
        Question q = new Question(o.wire().prompt(), options, Boolean.TRUE.equals(o.wire().allowFreeform()));
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        cs.running = true;
        answer.thenAccept(a -> actor.execute(() -> turn.questionAnswered(cs, a)));
        turn.open.put(o.wire().requestId(), new OpenRequest(o.wire(), cs, q, answer));
      } else {
        return false;
      }
    }
    for (CallState cs : turn.calls) {
      if (cs.status == null && !cs.pendingApproval && !cs.running) {
        return false; // a call that was executing when the process stopped
      }
    }
    current = turn;
    state = SessionState.RUNNING;
    return true;
  }

  // ---- the actor's work loop ------------------------------------------------------------

  private void pump() {
    while (current == null && !queue.isEmpty() && state.active()) {
      Work next = queue.poll();
      current = next;
      next.start();
    }
    if (current == null && state == SessionState.RUNNING) {
      state = SessionState.WAITING;
    }
  }

  private void finished(Work work) {
    if (current == work) {
      current = null;
      pump();
    }
  }

  private Event emit(EventData data, List<String> deliveryIds) {
    long now = clock.millis();
    if (now != atMillis) {
      // Deltas of a burst share their millisecond: format it once (a hot spot in bench S1).
      atMillis = now;
      atText = AT.format(java.time.Instant.ofEpochMilli(now));
    }
    Event event = new Event(data, new Event.Meta(atText, Ids.eventId(now), deliveryIds));
    byte[] line = Json.encodeLine(event);
    long index;
    try {
      index = journal.append(id, line);
    } catch (EveException gone) {
      if (state == SessionState.RESET) {
        return event; // expired by retention while this work was finishing: nothing to record
      }
      throw gone;
    }
    for (SessionEventListener l : listeners) {
      try {
        l.onEvent(id, owner, index, event, line);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "event listener failed", e);
      }
    }
    return event;
  }

  private void emitWaiting(List<String> deliveryIds) {
    emit(new EventData.SessionWaiting(id, totalUsage, "next-user-message"), deliveryIds);
  }

  private ModelRequest request(ModelRequest.Purpose purpose) {
    return new ModelRequest(agent.instructions(), history, purpose);
  }

  /** Wraps a listener so every callback runs on the actor, and only while {@code call} is current. */
  private ModelListener onActor(ModelListener target, java.util.function.BooleanSupplier stillCurrent) {
    return new ModelListener() {
      @Override
      public void onReasoningDelta(String delta) {
        actor.execute(() -> {
          if (stillCurrent.getAsBoolean()) {
            target.onReasoningDelta(delta);
          }
        });
      }

      @Override
      public void onTextDelta(String delta) {
        actor.execute(() -> {
          if (stillCurrent.getAsBoolean()) {
            target.onTextDelta(delta);
          }
        });
      }

      @Override
      public void onToolInputDelta(String callId, String toolName, String delta) {
        actor.execute(() -> {
          if (stillCurrent.getAsBoolean()) {
            target.onToolInputDelta(callId, toolName, delta);
          }
        });
      }

      @Override
      public void onToolCall(ToolCall toolCall) {
        actor.execute(() -> {
          if (stillCurrent.getAsBoolean()) {
            target.onToolCall(toolCall);
          }
        });
      }

      @Override
      public void onFinish(String finishReason, TokenUsage usage) {
        actor.execute(() -> {
          if (stillCurrent.getAsBoolean()) {
            target.onFinish(finishReason, usage);
          }
        });
      }

      @Override
      public void onError(Throwable error) {
        actor.execute(() -> {
          if (stillCurrent.getAsBoolean()) {
            target.onError(error);
          }
        });
      }
    };
  }

  private static ErrorDetails details(String errorId, Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new ErrorDetails(errorId, message, error.getClass().getSimpleName() + ": " + message);
  }

  private static String renderClientContext(JsonElement context) {
    if (context.isJsonPrimitive()) {
      return "Client context:\n" + context.getAsString();
    }
    if (context.isJsonArray()) {
      List<String> items = new ArrayList<>();
      context.getAsJsonArray().forEach(e -> items.add(e.getAsString()));
      return "Client context:\n" + String.join("\n", items);
    }
    return "Client context:\n" + Json.toJson(context);
  }

  /** A unit of work run by the actor. */
  private abstract static class Work {
    abstract void start();

    /** Stops silently (reset, shutdown): no more events. */
    abstract void abandon();
  }

  /**
   * One turn: model steps and the tool calls between them, until a final message. Runs on the
   * actor; model callbacks, tool completions and questions hop back onto it. Callbacks of a model
   * call that was replaced (steer, cancel) are dropped by their generation number.
   */
  private final class Turn extends Work {
    private final List<String> deliveryIds = new ArrayList<>();
    private final Requests.SessionMessage message;
    private JsonSchema outputValidator;
    private boolean repairUsed;
    private int sequence;
    private String turnId;
    private int stepIndex = -1;
    private Phase phase = Phase.MODEL;
    private boolean done;
    // The current step.
    private ModelCall call;
    private int callGeneration;
    private boolean modelRunning;
    private final StringBuilder reasoning = new StringBuilder();
    private boolean reasoningOpen;
    private final StringBuilder text = new StringBuilder();
    private boolean toolActivity;
    private final List<ToolCall> stepCalls = new ArrayList<>();
    private List<CallState> calls = new ArrayList<>();
    private List<CallState> settledCalls = List.of();
    private boolean stepCompletedEmitted;
    private TokenUsage stepUsage;
    private String stepFinish;
    private boolean approvalsRequested;
    private final Map<String, OpenRequest> open = new LinkedHashMap<>();

    Turn(String deliveryId, Requests.SessionMessage message) {
      this.deliveryIds.add(deliveryId);
      this.message = message;
    }

    /** The turn parked on input when the process stopped (its calls and requests are added next). */
    Turn(SessionReplay r) {
      this.deliveryIds.addAll(r.turnDeliveryIds);
      this.message = Requests.SessionMessage.of("(restored)");
      this.sequence = r.sequence;
      this.turnId = r.turnId;
      this.stepIndex = r.stepIndex;
      this.phase = Phase.TOOLS;
      this.stepCompletedEmitted = true;
      this.approvalsRequested = true;
    }

    /** A restored {@code ask_question} call: the answer is its result. */
    void questionAnswered(CallState cs, Answer a) {
      if (done || !cs.running) {
        return;
      }
      cs.running = false;
      cs.settle("completed", null, null);
      JsonObject out = new JsonObject();
      out.addProperty("answer", a.value());
      out.addProperty("status", "answered");
      cs.output = out;
      progress();
    }

    private List<String> ids() {
      return List.copyOf(deliveryIds);
    }

    @Override
    void start() {
      state = SessionState.RUNNING;
      if (message.message() == null && !lastDeliveryIds.isEmpty()) {
        // A turn started by answers to no open request belongs, as in eve, to the last delivery.
        deliveryIds.clear();
        deliveryIds.addAll(lastDeliveryIds);
      }
      lastDeliveryIds = ids();
      sequence = nextSequence++;
      turnId = "turn_" + sequence;
      if (!started) {
        started = true;
        emit(new EventData.SessionStarted(new EventData.Runtime(agent.name(), agent.name(), EVE_VERSION)), ids());
      }
      emit(new EventData.TurnStarted(sequence, turnId), ids());
      UserMessage shown;
      String forModel;
      if (message.message() != null) {
        shown = message.message();
        forModel = shown.flattenedText();
      } else {
        // An answer to no open request: it becomes new input, as the real server does.
        String answer = message.inputResponses().stream()
            .map(r -> r.optionId() != null ? r.optionId() : r.text() == null ? "" : r.text())
            .collect(Collectors.joining("\n"));
        shown = UserMessage.text(answer.isEmpty() ? "(empty response)" : answer);
        forModel = "The user submitted the following response to an earlier interactive prompt.\n"
            + "Treat it as new input at the current point in the conversation and decide whether it is still "
            + "relevant. This does not authorize an earlier action; request approval again if that action is "
            + "still needed.\n" + Json.toJson(message.inputResponses());
      }
      emit(new EventData.MessageReceived(shown.flattenedText(), shown.eventParts(), sequence, turnId), ids());
      addUserInput(message.clientContext(), forModel, message.message() == null ? null : message.message().parts());
      if (message.outputSchema() != null) {
        try {
          outputValidator = JsonSchema.compile(message.outputSchema());
        } catch (RuntimeException e) {
          fail("OUTPUT_SCHEMA_INVALID", "The output schema is not a valid JSON Schema: " + e.getMessage(), null);
          return;
        }
      }
      nextStep(List.of());
    }

    private void addUserInput(JsonElement clientContext, String text, List<dev.eve4j.protocol.ContentPart> parts) {
      if (clientContext != null) {
        history.add(ModelMessage.user(renderClientContext(clientContext)));
      }
      boolean files = parts != null && parts.stream().anyMatch(p -> !p.isText());
      history.add(files ? ModelMessage.user(text, parts) : ModelMessage.user(text));
    }

    // ---- steps ----------------------------------------------------------------------------

    /** Starts the next step: runs {@code runFirst} (approved calls), then calls the model. */
    private void nextStep(List<CallState> runFirst) {
      stepIndex++;
      if (stepIndex >= maxSteps) {
        fail("STEP_LIMIT_EXCEEDED", "The turn reached its limit of " + maxSteps + " model steps.", null);
        return;
      }
      reasoning.setLength(0);
      reasoningOpen = false;
      text.setLength(0);
      toolActivity = false;
      stepCalls.clear();
      stepCompletedEmitted = false;
      approvalsRequested = false;
      stepUsage = null;
      emit(new EventData.StepStarted(agent.model().id(), sequence, stepIndex, turnId), ids());
      if (runFirst.isEmpty()) {
        callModel();
        return;
      }
      phase = Phase.RUN_FIRST;
      calls = new ArrayList<>(runFirst);
      runFirst.forEach(this::execute);
      progress();
    }

    private void callModel() {
      phase = Phase.MODEL;
      for (CallState cs : settledCalls) {
        // After a restart, results reported before it are already in the rebuilt history.
        if (!cs.inHistory) {
          history.add(ModelMessage.toolResult(cs.call.callId(), cs.call.toolName(), cs.output, cs.isError()));
        }
      }
      settledCalls = List.of();
      calls = new ArrayList<>();
      List<ToolSpec> specs = new ArrayList<>();
      for (Tool t : agent.tools()) {
        specs.add(new ToolSpec(t.name(), t.description(), t.inputSchema()));
      }
      if (outputValidator != null) {
        specs.add(new ToolSpec(ModelRequest.REPLY_TOOL,
            "Give your final answer by calling this tool with JSON that matches its input schema.",
            message.outputSchema()));
      }
      int generation = ++callGeneration;
      modelRunning = true;
      ModelRequest request = new ModelRequest(agent.instructions(), history, specs, message.outputSchema(),
          ModelRequest.Purpose.TURN);
      try {
        call = agent.model().stream(request, onActor(new StepListener(), () -> current == this && !done
            && generation == callGeneration && modelRunning));
      } catch (RuntimeException e) {
        modelRunning = false;
        modelFailed(e);
      }
    }

    /** The model's output of the current step, on the actor. */
    private final class StepListener implements ModelListener {
      @Override
      public void onReasoningDelta(String delta) {
        if (!delta.isEmpty()) {
          reasoning.append(delta);
          reasoningOpen = true;
          emit(new EventData.ReasoningAppended(delta, sequence, stepIndex, turnId), ids());
        }
      }

      @Override
      public void onTextDelta(String delta) {
        if (!delta.isEmpty()) {
          closeReasoning();
          text.append(delta);
          emit(new EventData.MessageAppended(delta, sequence, stepIndex, turnId), ids());
        }
      }

      @Override
      public void onToolInputDelta(String callId, String toolName, String delta) {
        toolActivity = true;
        if (!ModelRequest.REPLY_TOOL.equals(toolName) && !delta.isEmpty()) {
          emit(new EventData.ActionInputAppended(callId, delta, sequence, stepIndex, toolName, turnId), ids());
        }
      }

      @Override
      public void onToolCall(ToolCall toolCall) {
        toolActivity = true;
        stepCalls.add(toolCall);
      }

      @Override
      public void onFinish(String finishReason, TokenUsage usage) {
        modelRunning = false;
        finishStep(finishReason, usage == null ? TokenUsage.ZERO : usage);
      }

      @Override
      public void onError(Throwable error) {
        modelRunning = false;
        modelFailed(error);
      }
    }

    private void closeReasoning() {
      if (reasoningOpen) {
        reasoningOpen = false;
        emit(new EventData.ReasoningCompleted(reasoning.toString(), sequence, stepIndex, turnId), ids());
      }
    }

    private void finishStep(String finishReason, TokenUsage usage) {
      closeReasoning();
      if (text.length() > 0) {
        emit(new EventData.MessageCompleted(finishReason, text.toString(), sequence, stepIndex, turnId), ids());
      }
      history.add(ModelMessage.assistant(text.toString(), stepCalls));
      totalUsage = totalUsage.plus(usage);
      stepUsage = usage;
      stepFinish = finishReason;
      ToolCall reply = null;
      List<ToolCall> visible = new ArrayList<>();
      for (ToolCall c : stepCalls) {
        if (c.toolName().equals(ModelRequest.REPLY_TOOL) && outputValidator != null && reply == null) {
          reply = c;
        } else {
          visible.add(c);
        }
      }
      if (!visible.isEmpty()) {
        if (reply != null) {
          // A reply together with other calls is premature: the model answers after seeing the results.
          CallState early = new CallState(reply, null);
          early.settle("failed", new EventData.ActionError("REPLY_TOO_EARLY",
              "Call " + ModelRequest.REPLY_TOOL + " alone, after the other tools have returned."), null);
          visible.add(reply);
        }
        startToolCalls(visible, reply);
        return;
      }
      emitStepCompleted();
      if (reply != null) {
        handleReply(reply);
      } else if (outputValidator != null) {
        repairOrFail(List.of(), null);
      } else {
        emit(new EventData.TurnCompleted(sequence, turnId), ids());
        end();
      }
    }

    private void emitStepCompleted() {
      if (!stepCompletedEmitted) {
        stepCompletedEmitted = true;
        emit(new EventData.StepCompleted(stepFinish, sequence, stepIndex, turnId, stepUsage), ids());
      }
    }

    // ---- tool calls -----------------------------------------------------------------------

    private void startToolCalls(List<ToolCall> toolCalls, ToolCall prematureReply) {
      phase = Phase.TOOLS;
      calls = new ArrayList<>();
      for (ToolCall c : toolCalls) {
        if (c != prematureReply) {
          emit(new EventData.ActionsRequested(List.of(actionRequest(c)), sequence, stepIndex, turnId), ids());
        }
      }
      for (ToolCall c : toolCalls) {
        CallState cs = new CallState(c, agent.tool(c.toolName()));
        calls.add(cs);
        if (c == prematureReply) {
          cs.hidden = true;
          cs.settle("failed", new EventData.ActionError("REPLY_TOO_EARLY",
              "Call " + ModelRequest.REPLY_TOOL + " alone, after the other tools have returned."), null);
        } else if (cs.tool == null) {
          cs.settle("failed", new EventData.ActionError("TOOL_NOT_FOUND", "No tool named '" + c.toolName() + "'."),
              null);
        } else {
          List<Violation> violations = cs.tool.schema().validate(c.input());
          if (!violations.isEmpty()) {
            cs.settle("failed", new EventData.ActionError("TOOL_INPUT_INVALID",
                "The input of '" + c.toolName() + "' does not match its schema: " + describe(violations)),
                violations);
          } else if (cs.tool.approval().requiresApproval(c.input(), approvedTools.contains(c.toolName()))) {
            cs.pendingApproval = true;
          } else {
            execute(cs);
          }
        }
      }
      progress();
    }

    private EventData.ActionRequest actionRequest(ToolCall c) {
      return new EventData.ActionRequest(c.callId(), c.input(), "tool-call", c.toolName());
    }

    private void execute(CallState cs) {
      cs.running = true;
      cs.context = new Context(cs);
      CompletableFuture<JsonElement> f;
      try {
        f = CompletableFuture.supplyAsync(() -> {
          CompletionStage<JsonElement> stage = cs.tool.execute(cs.call.input(), cs.context);
          cs.stage = stage;
          // A cancel that ran while execute() was still running found no stage to cancel: do it here.
          // (Both fields are volatile: either stop() sees the stage or this sees the flag.)
          if (cs.context.cancelled && stage instanceof CompletableFuture) {
            ((CompletableFuture<JsonElement>) stage).cancel(true);
          }
          return stage;
        }, toolPool).thenCompose(stage -> stage);
      } catch (RuntimeException rejected) {
        f = CompletableFuture.failedFuture(rejected);
      }
      cs.future = f;
      f.whenComplete((output, error) -> actor.execute(() -> {
        if (done || !cs.running) {
          return;
        }
        cs.running = false;
        if (error == null) {
          cs.settle("completed", null, null);
          cs.output = output == null ? com.google.gson.JsonNull.INSTANCE : output;
        } else {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
          LOG.log(Level.FINE, "tool " + cs.call.toolName() + " failed", cause);
          cs.settle("failed", new EventData.ActionError("TOOL_EXECUTION_FAILED", msg), null);
        }
        progress();
      }));
    }

    /** Moves the step on once every running call has settled. */
    private void progress() {
      if (done) {
        return;
      }
      for (CallState cs : calls) {
        if (cs.running) {
          return;
        }
      }
      emitSettledResults();
      if (phase == Phase.RUN_FIRST) {
        callModel();
        return;
      }
      emitStepCompleted();
      List<CallState> pending = new ArrayList<>();
      for (CallState cs : calls) {
        if (cs.pendingApproval) {
          pending.add(cs);
        }
      }
      if (!pending.isEmpty()) {
        if (!approvalsRequested) {
          approvalsRequested = true;
          List<EventData.InputRequest> requests = new ArrayList<>();
          for (CallState cs : pending) {
            cs.requestId = approvalRequestId();
            issuedRequests.add(cs.requestId);
            EventData.InputRequest wire = new EventData.InputRequest(actionRequest(cs.call), false, "confirmation",
                "tool-approval", List.of(new EventData.InputOption(null, "approve", "Approve"),
                    new EventData.InputOption(null, "cancel", "Cancel")),
                "Approve " + cs.tool.label() + "?", cs.requestId);
            open.put(cs.requestId, new OpenRequest(wire, cs, null, null));
            requests.add(wire);
          }
          emit(new EventData.InputRequested(requests, sequence, stepIndex, turnId, null), ids());
          emit(new EventData.TurnWaiting("input", sequence, turnId, totalUsage), ids());
        }
        return;
      }
      settledCalls = calls;
      nextStep(List.of());
    }

    /** Reports, in call order, every settled call whose result was not reported yet. */
    private void emitSettledResults() {
      for (CallState cs : calls) {
        if (cs.status != null && !cs.reported) {
          cs.reported = true;
          if (!cs.hidden) {
            emit(new EventData.ActionResult(cs.error, new EventData.ActionOutput(cs.call.callId(),
                cs.isError() ? Boolean.TRUE : null, "tool-result", cs.output, cs.call.toolName()), sequence,
                cs.status, stepIndex, turnId), ids());
          }
        }
      }
    }

    // ---- human in the loop ----------------------------------------------------------------

    /** A tool asks a question: the turn parks until someone answers (events as in eve's ask_question). */
    void ask(CallState cs, Question question, CompletableFuture<Answer> answer) {
      if (done || !cs.running) {
        answer.completeExceptionally(new CancellationException("the turn ended"));
        return;
      }
      String requestId = id + "-ask-" + (++askCounter);
      issuedRequests.add(requestId);
      if (phase == Phase.TOOLS) {
        emitStepCompleted();
      }
      emit(new EventData.TurnWaiting("tasks", sequence, turnId, totalUsage), ids());
      List<EventData.InputOption> options = null;
      if (!question.options().isEmpty()) {
        options = new ArrayList<>();
        for (Question.Option o : question.options()) {
          options.add(new EventData.InputOption(o.description(), o.label(), o.label()));
        }
      }
      EventData.InputRequest wire = new EventData.InputRequest(actionRequest(cs.call), question.allowFreeform(),
          options == null ? "text" : "select", "question", options, question.prompt(), requestId);
      open.put(requestId, new OpenRequest(wire, cs, question, answer));
      // As in eve, the question's own events carry no delivery ids.
      emit(new EventData.InputRequested(List.of(wire), sequence, stepIndex, turnId, cs.call.callId()), null);
      emit(new EventData.TurnWaiting("input", sequence, turnId, totalUsage), null);
    }

    /** Resolves the open requests these responses answer; false when they answer none. */
    boolean answer(List<Requests.InputResponse> responses) {
      List<Requests.InputResponse> matched = new ArrayList<>();
      for (Requests.InputResponse r : responses) {
        if (open.containsKey(r.requestId()) && matched.stream().noneMatch(m -> m.requestId().equals(r.requestId()))) {
          matched.add(r);
        }
      }
      if (matched.isEmpty()) {
        return false;
      }
      List<EventData.Resolution> resolutions = new ArrayList<>();
      List<Runnable> after = new ArrayList<>();
      boolean anyApproval = false;
      for (Requests.InputResponse r : matched) {
        OpenRequest req = open.remove(r.requestId());
        EventData.InputAnswer echo = new EventData.InputAnswer(r.optionId(), r.requestId(), r.text());
        if (req.question == null) {
          anyApproval = true;
          CallState cs = req.call;
          boolean approved = r.optionId() != null && (r.optionId().equalsIgnoreCase("approve"));
          emit(new EventData.ApprovalSettled(approved ? "approved" : "cancelled", r.requestId(), "anonymous",
              sequence, stepIndex, turnId), ids());
          resolutions.add(new EventData.Resolution("tool-approval", approved ? "approved" : "denied", r.requestId(),
              echo));
          cs.pendingApproval = false;
          if (approved) {
            cs.approved = true;
            approvedTools.add(cs.call.toolName());
          } else {
            cs.deny(r.requestId(), r.text());
          }
        } else {
          String option = null;
          if (r.optionId() != null) {
            for (Question.Option o : req.question.options()) {
              if (o.label().equals(r.optionId())) {
                option = o.label();
              }
            }
            if (option == null) {
              option = r.optionId();
            }
          }
          Answer a = new Answer(option, r.text());
          resolutions.add(new EventData.Resolution("question", "answered", r.requestId(), echo));
          after.add(() -> req.answer.complete(a));
        }
      }
      emit(new EventData.InputResolved(resolutions, sequence, stepIndex, turnId), anyApproval ? ids() : null);
      after.forEach(Runnable::run);
      if (anyApproval) {
        approvalsAnswered();
      }
      return true;
    }

    /** After approval answers: wait for the rest, or report denials and run the approved calls. */
    private void approvalsAnswered() {
      for (CallState cs : calls) {
        if (cs.pendingApproval) {
          emit(new EventData.TurnWaiting("input", sequence, turnId, totalUsage), ids());
          return;
        }
      }
      emitSettledResults();
      List<CallState> approved = new ArrayList<>();
      for (CallState cs : calls) {
        if (cs.approved && cs.status == null) {
          approved.add(cs);
        }
      }
      settledCalls = calls;
      nextStep(approved);
    }

    /** A plain message answers the first open request when it matches one of its options (or it is free-form). */
    boolean answerWithMessage(String deliveryId, Requests.SessionMessage m) {
      if (open.isEmpty() || m.message() == null) {
        return false;
      }
      OpenRequest first = open.values().iterator().next();
      String said = m.message().flattenedText().trim();
      String optionId = null;
      List<EventData.InputOption> options = first.wire.options() == null ? List.of() : first.wire.options();
      for (int i = 0; i < options.size(); i++) {
        EventData.InputOption o = options.get(i);
        if (said.equalsIgnoreCase(o.id()) || said.equalsIgnoreCase(o.label()) || said.equals(String.valueOf(i + 1))) {
          optionId = o.id();
          break;
        }
      }
      if (optionId == null && !Boolean.TRUE.equals(first.wire.allowFreeform())) {
        return false;
      }
      deliveryIds.add(deliveryId);
      lastDeliveryIds = ids();
      emit(new EventData.MessageReceived(m.message().flattenedText(), m.message().eventParts(), sequence, turnId),
          ids());
      return answer(List.of(new Requests.InputResponse(first.wire.requestId(), optionId,
          optionId == null ? said : null)));
    }

    /** A message folds into the turn while the model is still reasoning (no text, no tool call yet). */
    boolean steer(String deliveryId, Requests.SessionMessage m) {
      if (phase != Phase.MODEL || !modelRunning || text.length() > 0 || toolActivity || m.message() == null) {
        return false;
      }
      callGeneration++;
      modelRunning = false;
      if (call != null) {
        call.cancel();
      }
      // The interrupted step ends without usage and without its (discarded) reasoning.
      emit(new EventData.StepCompleted("other", sequence, stepIndex, turnId, null), ids());
      deliveryIds.add(deliveryId);
      lastDeliveryIds = ids();
      emit(new EventData.MessageReceived(m.message().flattenedText(), m.message().eventParts(), sequence, turnId),
          ids());
      addUserInput(m.clientContext(), m.message().flattenedText(), m.message().parts());
      nextStep(List.of());
      return true;
    }

    // ---- structured output ----------------------------------------------------------------

    private void handleReply(ToolCall reply) {
      List<Violation> violations = outputValidator.validate(reply.input());
      if (violations.isEmpty()) {
        emit(new EventData.ResultCompleted(reply.input(), sequence, stepIndex, turnId), ids());
        emit(new EventData.TurnCompleted(sequence, turnId), ids());
        end();
      } else {
        repairOrFail(violations, reply);
      }
    }

    /** One repair attempt with the violations, then a failed turn that lists them. */
    private void repairOrFail(List<Violation> violations, ToolCall reply) {
      JsonObject problem = new JsonObject();
      problem.addProperty("error", reply == null
          ? "No structured output: call " + ModelRequest.REPLY_TOOL + " with JSON matching the output schema."
          : "The output does not match the output schema: " + describe(violations));
      problem.add("violations", Json.toTree(violations));
      if (!repairUsed) {
        repairUsed = true;
        if (reply != null) {
          history.add(ModelMessage.toolResult(reply.callId(), reply.toolName(), problem, true));
        } else {
          history.add(ModelMessage.user(problem.get("error").getAsString()));
        }
        nextStep(List.of());
        return;
      }
      JsonObject details = new JsonObject();
      details.add("violations", Json.toTree(violations));
      fail("OUTPUT_VALIDATION_FAILED", problem.get("error").getAsString(), details);
    }

    // ---- endings --------------------------------------------------------------------------

    private void modelFailed(Throwable error) {
      String errorId = UUID.randomUUID().toString();
      // Expected operational failure: one line at WARNING, the stack trace only at FINE.
      LOG.warning(() -> "model call failed in session " + id + " " + turnId + " (errorId " + errorId + "): " + error);
      LOG.log(Level.FINE, "model call failure " + errorId, error);
      JsonElement details = Json.toTree(details(errorId, error));
      String msg = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
      String code = error instanceof dev.eve4j.model.ModelException
          ? ((dev.eve4j.model.ModelException) error).code() : "MODEL_CALL_FAILED";
      emit(new EventData.StepFailed(code, details, msg, sequence, stepIndex, turnId), ids());
      emit(new EventData.TurnFailed(code, details, msg, sequence, false, turnId), ids());
      end();
    }

    private void fail(String code, String msg, JsonElement details) {
      emit(new EventData.TurnFailed(code, details, msg, sequence, false, turnId), ids());
      end();
    }

    void cancel() {
      if (done) {
        return;
      }
      stop();
      emit(new EventData.TurnCancelled(sequence, turnId), ids());
      end();
    }

    private void end() {
      done = true;
      // State first: whoever reads session.waiting then sees the session as waiting.
      state = SessionState.WAITING;
      emitWaiting(ids());
      finished(this);
    }

    /** Stops the model call and running tools; open questions fail with CancellationException. */
    private void stop() {
      done = true;
      callGeneration++;
      modelRunning = false;
      if (call != null) {
        call.cancel();
      }
      for (CallState cs : calls) {
        if (cs.context != null) {
          cs.context.cancelled = true;
        }
        if (cs.future != null) {
          cs.future.cancel(true);
        }
        CompletionStage<JsonElement> stage = cs.stage;
        if (stage instanceof CompletableFuture) {
          ((CompletableFuture<JsonElement>) stage).cancel(true);
        }
      }
      for (OpenRequest r : open.values()) {
        if (r.answer != null) {
          r.answer.completeExceptionally(new CancellationException("the turn was cancelled"));
        }
      }
      open.clear();
    }

    @Override
    void abandon() {
      stop();
    }

    /** The context a running call sees. */
    private final class Context implements ToolContext {
      private final CallState cs;
      private volatile boolean cancelled;

      Context(CallState cs) {
        this.cs = cs;
      }

      @Override
      public String sessionId() {
        return id;
      }

      @Override
      public String turnId() {
        return turnId;
      }

      @Override
      public String callId() {
        return cs.call.callId();
      }

      @Override
      public CompletionStage<Answer> ask(Question question) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        actor.execute(() -> Turn.this.ask(cs, question, answer));
        return answer;
      }

      @Override
      public boolean isCancelled() {
        return cancelled;
      }
    }
  }

  private enum Phase {
    /** The model call of the step is running. */
    MODEL,
    /** The model asked for tools; they run (or wait for approval). */
    TOOLS,
    /** Approved calls run at the start of the next step, before its model call. */
    RUN_FIRST
  }

  /** One tool call of a step and what became of it. Actor-confined. */
  private static final class CallState {
    final ToolCall call;
    final Tool tool;
    boolean pendingApproval;
    boolean approved;
    boolean running;
    boolean reported;
    /** Restored after a restart with its result already in the rebuilt conversation. */
    boolean inHistory;
    boolean hidden;
    String requestId;
    String status;
    EventData.ActionError error;
    JsonElement output;
    CompletableFuture<JsonElement> future;
    /** The tool's own stage, written by the tool thread: cancelled with the turn. */
    volatile CompletionStage<JsonElement> stage;
    Turn.Context context;

    CallState(ToolCall call, Tool tool) {
      this.call = call;
      this.tool = tool;
    }

    boolean isError() {
      return !"completed".equals(status);
    }

    void settle(String status, EventData.ActionError error, List<Violation> violations) {
      this.status = status;
      this.error = error;
      if (error != null) {
        JsonObject out = new JsonObject();
        out.addProperty("code", error.code());
        out.addProperty("message", error.message());
        if (violations != null) {
          out.add("violations", Json.toTree(violations));
        }
        this.output = out;
      }
    }

    void deny(String requestId, String note) {
      String msg = note == null || note.isBlank() ? "Tool execution was denied."
          : "Tool execution was denied. The person who denied it wrote: \"" + note + "\"";
      this.status = "rejected";
      this.error = new EventData.ActionError("TOOL_EXECUTION_DENIED", msg);
      JsonObject approval = new JsonObject();
      approval.addProperty("requestId", requestId);
      approval.addProperty("status", "denied");
      JsonObject toolResult = new JsonObject();
      toolResult.addProperty("result", "not_run");
      JsonObject out = new JsonObject();
      out.add("approval", approval);
      out.addProperty("code", "TOOL_EXECUTION_DENIED");
      out.addProperty("message", msg);
      out.add("tool", toolResult);
      this.output = out;
    }
  }

  /** An open human-in-the-loop request of the running turn. */
  private static final class OpenRequest {
    final EventData.InputRequest wire;
    final CallState call;
    final Question question;
    final CompletableFuture<Answer> answer;

    OpenRequest(EventData.InputRequest wire, CallState call, Question question, CompletableFuture<Answer> answer) {
      this.wire = wire;
      this.call = call;
      this.question = question;
      this.answer = answer;
    }
  }

  private static String approvalRequestId() {
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    StringBuilder b = new StringBuilder("aitxt-");
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    for (int i = 0; i < 24; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static String describe(List<Violation> violations) {
    return violations.stream().limit(5)
        .map(v -> (v.instancePath().isEmpty() ? "(root)" : v.instancePath()) + ": " + v.message())
        .collect(Collectors.joining("; "));
  }

  /**
   * {@code /compact}: the model summarises the conversation, which the summary then replaces. It
   * uses the next turn's id and sequence, as the real server does, and the last delivery's ids.
   */
  private final class Compaction extends Work implements ModelListener {
    private final StringBuilder summary = new StringBuilder();
    private ModelCall call;
    private boolean done;
    private int sequence;
    private List<String> deliveryIds;

    @Override
    void start() {
      if (!started) {
        finished(this);
        return;
      }
      state = SessionState.RUNNING;
      sequence = nextSequence;
      deliveryIds = lastDeliveryIds;
      double estimate = history.stream().mapToInt(m -> m.text().length()).sum() / 4.0;
      emit(new EventData.CompactionRequested(agent.model().id(), sequence, id, 0, "turn_" + sequence, estimate),
          deliveryIds);
      try {
        call = agent.model().stream(request(ModelRequest.Purpose.COMPACTION),
            onActor(this, () -> current == this && !done));
      } catch (RuntimeException e) {
        onError(e);
      }
    }

    @Override
    public void onReasoningDelta(String delta) {}

    @Override
    public void onTextDelta(String delta) {
      summary.append(delta);
    }

    @Override
    public void onFinish(String finishReason, TokenUsage usage) {
      done = true;
      totalUsage = totalUsage.plus(usage);
      history.clear();
      history.add(ModelMessage.assistant("Summary of the conversation so far:\n" + summary));
      Event completed = emit(new EventData.CompactionCompleted(agent.model().id(), sequence, id, 0,
          "turn_" + sequence), deliveryIds);
      registry.summary(id, completed.meta().id(), summary.toString());
      state = SessionState.WAITING;
      emitWaiting(deliveryIds);
      finished(this);
    }

    @Override
    public void onError(Throwable error) {
      // The conversation stays as it was; the session is ready again.
      done = true;
      LOG.log(Level.WARNING, "compaction failed in session " + id, error);
      state = SessionState.WAITING;
      emitWaiting(deliveryIds);
      finished(this);
    }

    @Override
    void abandon() {
      done = true;
      if (call != null) {
        call.cancel();
      }
    }
  }

  /** {@code /clear}: forgets the conversation (the journal keeps every event). */
  private final class Clear extends Work {
    @Override
    void start() {
      if (started) {
        history.clear();
        int sequence = nextSequence;
        emit(new EventData.ContextCleared(sequence, id, "turn_" + sequence), lastDeliveryIds);
        emitWaiting(lastDeliveryIds);
      }
      finished(this);
    }

    @Override
    void abandon() {}
  }
}
