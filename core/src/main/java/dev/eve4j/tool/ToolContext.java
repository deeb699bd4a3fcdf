package dev.eve4j.tool;

import java.util.concurrent.CompletionStage;

/** What a running tool call may know and do. Thread-safe: usable from any thread. */
public interface ToolContext {
  String sessionId();

  String turnId();

  String callId();

  /**
   * Asks the user a question and parks the turn until a person answers it (by an
   * {@code inputResponses} post or a plain message). The stage completes with the answer, or
   * exceptionally with {@link java.util.concurrent.CancellationException} when the turn is cancelled.
   */
  CompletionStage<Answer> ask(Question question);

  /** True once the turn was cancelled: long-running tools should stop. */
  boolean isCancelled();
}
