package dev.eve4j.model.http;

import dev.eve4j.model.ModelException;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ToolCall;
import dev.eve4j.protocol.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records what a model call reports, in order, and checks the listener contract as it goes: one
 * callback at a time, nothing after {@code onFinish}/{@code onError}, tool calls before the finish.
 */
public final class RecordingListener implements ModelListener {
  private final List<String> log = new ArrayList<>();
  private final StringBuilder text = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final List<ToolCall> calls = new ArrayList<>();
  private final List<String> inputDeltas = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final AtomicInteger inside = new AtomicInteger();
  private final CompletableFuture<String> end = new CompletableFuture<>();
  private final CompletableFuture<Void> firstText = new CompletableFuture<>();
  private TokenUsage usage;
  private ModelException error;
  private boolean ended;

  private void enter(String what) {
    if (inside.incrementAndGet() != 1) {
      violations.add("concurrent callback: " + what);
    }
    synchronized (this) {
      if (ended) {
        violations.add("callback after the end: " + what);
      }
      log.add(what);
    }
  }

  private void leave() {
    inside.decrementAndGet();
  }

  @Override
  public void onReasoningDelta(String delta) {
    enter("reasoning");
    synchronized (this) {
      reasoning.append(delta);
    }
    leave();
  }

  @Override
  public void onTextDelta(String delta) {
    enter("text");
    synchronized (this) {
      text.append(delta);
    }
    firstText.complete(null);
    leave();
  }

  @Override
  public void onToolInputDelta(String callId, String toolName, String delta) {
    enter("input");
    synchronized (this) {
      inputDeltas.add(callId + "|" + toolName + "|" + delta);
    }
    leave();
  }

  @Override
  public void onToolCall(ToolCall call) {
    enter("call");
    synchronized (this) {
      calls.add(call);
    }
    leave();
  }

  @Override
  public void onFinish(String finishReason, TokenUsage usage) {
    enter("finish");
    synchronized (this) {
      this.usage = usage;
      ended = true;
    }
    end.complete(finishReason);
    leave();
  }

  @Override
  public void onError(Throwable e) {
    enter("error");
    synchronized (this) {
      if (!(e instanceof ModelException)) {
        violations.add("onError with a " + e.getClass().getName() + ": " + e);
      } else {
        error = (ModelException) e;
      }
      ended = true;
    }
    end.complete("error");
    leave();
  }

  /** The finish reason, or "error"; fails after 10 s. */
  public String awaitEnd() throws Exception {
    return end.get(10, TimeUnit.SECONDS);
  }

  /** The error the call ended with; fails if it finished instead. */
  public ModelException awaitError() throws Exception {
    String reason = awaitEnd();
    if (!reason.equals("error")) {
      throw new AssertionError("expected the call to fail, it finished with " + reason + "; text: " + text());
    }
    return error();
  }

  public void awaitFirstText() throws Exception {
    firstText.get(10, TimeUnit.SECONDS);
  }

  public boolean ended() {
    return end.isDone();
  }

  public synchronized String text() {
    return text.toString();
  }

  public synchronized String reasoning() {
    return reasoning.toString();
  }

  public synchronized List<ToolCall> calls() {
    return List.copyOf(calls);
  }

  public synchronized List<String> inputDeltas() {
    return List.copyOf(inputDeltas);
  }

  /** The callbacks in order, runs of one kind collapsed: e.g. [reasoning, text, finish]. */
  public synchronized List<String> shape() {
    List<String> out = new ArrayList<>();
    for (String s : log) {
      if (out.isEmpty() || !out.get(out.size() - 1).equals(s)) {
        out.add(s);
      }
    }
    return out;
  }

  public synchronized TokenUsage usage() {
    return usage;
  }

  public synchronized ModelException error() {
    return error;
  }

  public synchronized List<String> violations() {
    return List.copyOf(violations);
  }
}
