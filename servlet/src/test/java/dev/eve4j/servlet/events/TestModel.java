package dev.eve4j.servlet.events;

import dev.eve4j.agent.Agent;
import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.model.ScriptedModel;
import dev.eve4j.protocol.TokenUsage;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The scripted model plus one rule for the firehose tests: {@code flood: N} answers with N text
 * deltas of about 100 bytes each ({@link #delta}) and no tools. A flood may be paced by a window
 * ({@link #pace}): each delta takes a permit, so the test decides how far the agent may run ahead of
 * a reader. Thread-safe.
 */
final class TestModel implements LanguageModel {
  private final LanguageModel scripted = ScriptedModel.create();
  private volatile Semaphore window;

  /** The scripted demo agent's tools over this model. */
  static Agent agent(TestModel model) {
    return new Agent("eve4j-agent", "You are a helpful assistant.", model, Agent.scripted().tools());
  }

  /** The text of delta {@code i} (from 1). */
  static String delta(int i) {
    return String.format(Locale.ROOT, "d%05d:", i) + "x".repeat(93) + " ";
  }

  /** Floods wait for a permit of {@code w} before each delta (null: no pacing). */
  void pace(Semaphore w) {
    this.window = w;
  }

  @Override
  public String id() {
    return "eve4j/test";
  }

  @Override
  public ModelCall stream(ModelRequest request, ModelListener listener) {
    String text = request.latestUserText();
    if (request.purpose() != ModelRequest.Purpose.TURN || !text.toLowerCase(Locale.ROOT).startsWith("flood:")) {
      return scripted.stream(request, listener);
    }
    int n = Integer.parseInt(text.substring(6).trim());
    Semaphore w = window;
    boolean[] cancelled = new boolean[1];
    Thread t = new Thread(() -> {
      try {
        for (int i = 1; i <= n; i++) {
          if (w != null && !w.tryAcquire(30, TimeUnit.SECONDS)) {
            listener.onError(new IllegalStateException("flood: no reader progress for 30 s"));
            return;
          }
          synchronized (cancelled) {
            if (cancelled[0]) {
              return;
            }
          }
          listener.onTextDelta(delta(i));
        }
        listener.onFinish("stop", TokenUsage.of(1, 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "test-flood-model");
    t.setDaemon(true);
    t.start();
    return () -> {
      synchronized (cancelled) {
        cancelled[0] = true;
      }
    };
  }
}
