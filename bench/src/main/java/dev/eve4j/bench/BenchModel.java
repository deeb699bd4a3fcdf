package dev.eve4j.bench;

import dev.eve4j.agent.Agent;
import dev.eve4j.model.LanguageModel;
import dev.eve4j.model.ModelCall;
import dev.eve4j.model.ModelListener;
import dev.eve4j.model.ModelRequest;
import dev.eve4j.protocol.TokenUsage;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model with no think time: each call emits N text deltas at once, each the 6-character {@link
 * Stamp} of its emission, then finishes with {@code stop}. N is the latest user message when it is
 * a number ({@code "10000"}), else the default; {@code "1000/200"} paces 1,000 deltas at 200 a
 * second instead. Deltas come from one shared emitter thread, as a provider's callbacks come from
 * its I/O thread. Thread-safe.
 */
public final class BenchModel implements LanguageModel {
  /** The agent name both servers show, so that their lines have the same sizes. */
  public static final String AGENT = "eve4j-bench";

  private static final ScheduledExecutorService EMITTER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-model");
    t.setDaemon(true);
    return t;
  });
  private static volatile boolean pacing = true;

  private final int defaultDeltas;

  public BenchModel(int defaultDeltas) {
    this.defaultDeltas = defaultDeltas;
  }

  /** The agent every bench server runs: this model, no tools. */
  public static Agent agent() {
    return new Agent(AGENT, "Benchmark agent.", new BenchModel(50), List.of());
  }

  @Override
  public String id() {
    return "eve4j/bench";
  }

  /** Makes every call emit at once, paced or not (the baseline captures its lines this way). */
  public static void disablePacing() {
    pacing = false;
  }

  @Override
  public ModelCall stream(ModelRequest request, ModelListener listener) {
    String text = request.latestUserText().trim();
    int slash = text.indexOf('/');
    int n = number(slash < 0 ? text : text.substring(0, slash), defaultDeltas);
    int perSecond = slash < 0 || !pacing ? 0 : number(text.substring(slash + 1), 0);
    AtomicBoolean cancelled = new AtomicBoolean();
    if (perSecond <= 0) {
      EMITTER.execute(() -> {
        for (int i = 0; i < n && !cancelled.get(); i++) {
          listener.onTextDelta(Stamp.now());
        }
        if (!cancelled.get()) {
          listener.onFinish("stop", TokenUsage.of(10, n));
        }
      });
      return () -> cancelled.set(true);
    }
    AtomicInteger sent = new AtomicInteger();
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    Runnable tick = () -> {
      if (cancelled.get()) {
        task[0].cancel(false);
      } else if (sent.getAndIncrement() < n) {
        listener.onTextDelta(Stamp.now());
      } else {
        task[0].cancel(false);
        listener.onFinish("stop", TokenUsage.of(10, n));
      }
    };
    synchronized (task) {
      task[0] = EMITTER.scheduleAtFixedRate(() -> {
        synchronized (task) {
          tick.run();
        }
      }, 0, 1_000_000_000L / perSecond, TimeUnit.NANOSECONDS);
    }
    return () -> cancelled.set(true);
  }

  private static int number(String text, int otherwise) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
