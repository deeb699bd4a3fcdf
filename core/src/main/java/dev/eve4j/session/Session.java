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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
  private final Agent agent;
  private final EventJournal journal;
  private final Clock clock;
  private final SerialExecutor actor;

  private volatile SessionState state;
  // Actor-confined state below.
  private final ArrayDeque<Work> queue = new ArrayDeque<>();
  private final List<ModelMessage> history = new ArrayList<>();
  private Work current;
  private boolean started;
  private int nextSequence;
  private TokenUsage totalUsage = TokenUsage.ZERO;
  private List<String> lastDeliveryIds = List.of();

  Session(String id, Agent agent, EventJournal journal, Clock clock, Executor pool) {
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
      if (!state.active()) {
        accepted.completeExceptionally(EveException.sessionNotActive());
        return;
      }
      String deliveryId = Ids.deliveryId();
      queue.add(new Turn(deliveryId, message));
      accepted.complete(deliveryId);
      pump();
    });
    return accepted;
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
        f.complete(task.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f;
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

  private void emit(EventData data, List<String> deliveryIds) {
    long now = clock.millis();
    Event event = new Event(data, new Event.Meta(AT.format(clock.instant()), Ids.eventId(now), deliveryIds));
    journal.append(id, Json.encodeLine(event));
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

  /** One turn, started by one delivery: a model step, streamed into events. */
  private final class Turn extends Work implements ModelListener {
    private final String deliveryId;
    private List<String> deliveryIds;
    private final Requests.SessionMessage message;
    private int sequence;
    private String turnId;
    private int stepIndex;
    private ModelCall call;
    private final StringBuilder reasoning = new StringBuilder();
    private boolean reasoningOpen;
    private final StringBuilder text = new StringBuilder();
    private boolean done;

    Turn(String deliveryId, Requests.SessionMessage message) {
      this.deliveryId = deliveryId;
      this.message = message;
    }

    @Override
    void start() {
      state = SessionState.RUNNING;
      // A turn started by answers to no open request belongs, as in eve, to the last delivery.
      deliveryIds = message.message() == null && !lastDeliveryIds.isEmpty() ? lastDeliveryIds : List.of(deliveryId);
      lastDeliveryIds = deliveryIds;
      sequence = nextSequence++;
      turnId = "turn_" + sequence;
      if (!started) {
        started = true;
        emit(new EventData.SessionStarted(new EventData.Runtime(agent.name(), agent.name(), EVE_VERSION)),
            deliveryIds);
      }
      emit(new EventData.TurnStarted(sequence, turnId), deliveryIds);
      UserMessage shown;
      String forModel;
      if (message.message() != null) {
        shown = message.message();
        forModel = shown.flattenedText();
      } else {
        // No input request is open (human-in-the-loop arrives with the tools): the answer becomes new
        // input, as the real server does with a stale response.
        String answer = message.inputResponses().stream()
            .map(r -> r.optionId() != null ? r.optionId() : r.text() == null ? "" : r.text())
            .collect(Collectors.joining("\n"));
        shown = UserMessage.text(answer.isEmpty() ? "(empty response)" : answer);
        forModel = "The user submitted the following response to an earlier interactive prompt.\n"
            + "Treat it as new input at the current point in the conversation and decide whether it is still "
            + "relevant. This does not authorize an earlier action; request approval again if that action is "
            + "still needed.\n" + Json.toJson(message.inputResponses());
      }
      emit(new EventData.MessageReceived(shown.flattenedText(), shown.eventParts(), sequence, turnId), deliveryIds);
      if (message.clientContext() != null) {
        history.add(ModelMessage.user(renderClientContext(message.clientContext())));
      }
      history.add(ModelMessage.user(forModel));
      startStep();
    }

    private void startStep() {
      emit(new EventData.StepStarted(agent.model().id(), sequence, stepIndex, turnId), deliveryIds);
      try {
        call = agent.model().stream(request(ModelRequest.Purpose.TURN), onActor(this, () -> current == this && !done));
      } catch (RuntimeException e) {
        onError(e);
      }
    }

    @Override
    public void onReasoningDelta(String delta) {
      if (delta.isEmpty()) {
        return;
      }
      reasoning.append(delta);
      reasoningOpen = true;
      emit(new EventData.ReasoningAppended(delta, sequence, stepIndex, turnId), deliveryIds);
    }

    private void closeReasoning() {
      if (reasoningOpen) {
        reasoningOpen = false;
        emit(new EventData.ReasoningCompleted(reasoning.toString(), sequence, stepIndex, turnId), deliveryIds);
      }
    }

    @Override
    public void onTextDelta(String delta) {
      if (delta.isEmpty()) {
        return;
      }
      closeReasoning();
      text.append(delta);
      emit(new EventData.MessageAppended(delta, sequence, stepIndex, turnId), deliveryIds);
    }

    @Override
    public void onFinish(String finishReason, TokenUsage usage) {
      closeReasoning();
      if (text.length() > 0) {
        emit(new EventData.MessageCompleted(finishReason, text.toString(), sequence, stepIndex, turnId), deliveryIds);
        history.add(ModelMessage.assistant(text.toString()));
      }
      totalUsage = totalUsage.plus(usage);
      emit(new EventData.StepCompleted(finishReason, sequence, stepIndex, turnId, usage), deliveryIds);
      emit(new EventData.TurnCompleted(sequence, turnId), deliveryIds);
      end();
    }

    @Override
    public void onError(Throwable error) {
      String errorId = UUID.randomUUID().toString();
      // Expected operational failure: one line at WARNING, the stack trace only at FINE.
      LOG.warning(() -> "model call failed in session " + id + " " + turnId + " (errorId " + errorId + "): " + error);
      LOG.log(Level.FINE, "model call failure " + errorId, error);
      ErrorDetails details = details(errorId, error);
      emit(new EventData.StepFailed("MODEL_CALL_FAILED", details, details.message(), sequence, stepIndex, turnId),
          deliveryIds);
      emit(new EventData.TurnFailed("MODEL_CALL_FAILED", details, details.message(), sequence, false, turnId),
          deliveryIds);
      end();
    }

    void cancel() {
      if (done) {
        return;
      }
      stopCall();
      emit(new EventData.TurnCancelled(sequence, turnId), deliveryIds);
      end();
    }

    private void end() {
      done = true;
      // State first: whoever reads session.waiting then sees the session as waiting.
      state = SessionState.WAITING;
      emitWaiting(deliveryIds);
      finished(this);
    }

    private void stopCall() {
      done = true;
      if (call != null) {
        call.cancel();
      }
    }

    @Override
    void abandon() {
      stopCall();
    }
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
      emit(new EventData.CompactionCompleted(agent.model().id(), sequence, id, 0, "turn_" + sequence), deliveryIds);
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
